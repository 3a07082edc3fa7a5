"""The console's read service: typed records, live claims and priority at the clock's time, declared events."""

from __future__ import annotations

from khien.clock import FakeClock
from khien.review import cases, queries
from khien.review.actor import Actor

from .conftest import example_items, seed


def test_queue_records_show_a_claim_only_while_it_is_live(store, engine):
    seed(store, engine, example_items(extra=False))
    now = FakeClock()
    with store.read() as tx:
        first = queries.queue(tx, clock=now, limit=1)[0]
    assert isinstance(first, queries.QueueRow) and first.holder is None and first.source == "engine"
    with store.write() as tx:
        cases.claim(tx, Actor("lan", "moderator"), first.id, ttl=60)
    with store.read() as tx:
        held = next(r for r in queries.queue(tx, limit=50) if r.id == first.id)  # the system clock: claim is live
        assert held.holder == "lan"
        assert queries.counts(tx, actor="lan").mine == 1
        assert first.id not in queries.next_unclaimed(tx)
        later = FakeClock(held.claim_expires_ts + 1)
        assert next(r for r in queries.queue(tx, clock=later, limit=50) if r.id == first.id).holder is None
        assert first.id in queries.next_unclaimed(tx, clock=later, source="automated")
        assert queries.counts(tx, clock=later, actor="lan").mine == 0


def test_queue_is_ordered_by_priority_and_filters_by_source(store, engine):
    seed(store, engine, example_items(extra=False))
    with store.read() as tx:
        found = queries.queue(tx, limit=50)
        assert [r.priority for r in found] == sorted((r.priority for r in found), reverse=True)
        assert queries.queue(tx, source="legal") == []


def test_the_audit_log_is_read_through_the_declared_events(store, engine):
    seed(store, engine, example_items(extra=False))
    with store.read() as tx:
        entries = queries.audit_log(tx, limit=500)
        head = queries.audit_head(tx)
    assert entries and entries[0].seq == head[0]  # newest first
    opened = next(e for e in entries if e.type == "case.opened")
    assert opened.problem is None and "item" in opened.fields
    assert set(e.type for e in entries) <= set(queries.EVENT_TYPES)
