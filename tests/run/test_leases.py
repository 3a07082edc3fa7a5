"""Worker leases on pending items (issue 11): disjoint batches, expiry after a dead worker, no
decision twice when an expired lease's first holder finishes late."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from khien.clock import SYSTEM, FakeClock
from khien.enums import ItemStatus
from khien.model import Item
from khien.review import Actor, intake
from khien.run.worker import Worker
from khien.store import items as item_rows
from khien.store.schema import items as items_table

APP = Actor("forum-app", "ingest")
TEXTS = ["Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678",
         "Chiều nay cả nhà đi ăn bún chả Hàng Mành, ngon lắm",
         "Nạp 500k để kích hoạt tài khoản nhận nhiệm vụ like dạo, rút tiền ngay",
         "Cảm ơn mọi người đã ủng hộ quán phở của mình"]
LEASE = 60.0


def _ingest(store, n, clock):
    items = [Item(id=f"bai-{i}", text=TEXTS[i % len(TEXTS)], platform="forum") for i in range(n)]
    with store.write() as tx:
        intake.ingest(tx, items, APP, clock=clock)


def _claim(store, owner, limit, clock):
    with store.write() as tx:
        return item_rows.claim_pending(tx, owner, limit, now=clock.now(), lease_s=LEASE)


def test_claims_are_disjoint_and_skip_leased_items(store):
    clock = FakeClock()
    _ingest(store, 10, clock)
    first = _claim(store, "may-1", 4, clock)
    second = _claim(store, "may-2", 4, clock)
    third = _claim(store, "may-3", 4, clock)
    assert [s.item_id for s in first] == [f"bai-{i}" for i in range(4)]
    assert [s.item_id for s in second] == [f"bai-{i}" for i in range(4, 8)]
    assert [s.item_id for s in third] == ["bai-8", "bai-9"]
    assert _claim(store, "may-4", 4, clock) == []


def test_a_dead_workers_lease_is_claimed_after_expiry_not_before(store, engine):
    clock = FakeClock()
    _ingest(store, 6, clock)
    held = _claim(store, "may-da-chet", 100, clock)  # a worker that claims everything, then dies
    assert len(held) == 6
    live = Worker(store, engine, batch=100, clock=clock, lease_s=LEASE, owner="may-song")

    clock.advance(LEASE - 1)
    assert live.run_once() == 0  # still leased: nothing to take
    with store.read() as tx:
        assert item_rows.count_by_status(tx) == {ItemStatus.PENDING.value: 6}

    clock.advance(2)  # the lease ran out
    assert live.run_once() == 6
    with store.read() as tx:
        assert item_rows.count_by_status(tx) == {ItemStatus.DECIDED.value: 6}
        counts = item_rows.decision_counts(tx)
    assert sorted(counts.values()) == [1] * 6


def test_a_late_first_holder_does_not_decide_twice(store, engine):
    """Worker A's lease expires mid-batch, B re-claims and decides; A's late write adds nothing."""
    clock = FakeClock()
    _ingest(store, 5, clock)
    a = _claim(store, "may-a", 100, clock)
    clock.advance(LEASE + 1)
    assert intake.decide_pending(store, engine, 100, clock=clock, owner="may-b", lease_s=LEASE) == 5
    # A wakes up and writes the decisions of the batch it had claimed
    decided = [(s, s.item(), engine.decide(s.item())) for s in a]
    intake._write(store, engine.policy, decided, [], clock)
    with store.read() as tx:
        counts = item_rows.decision_counts(tx)
    assert len(counts) == 5 and set(counts.values()) == {1}


def test_a_decided_item_keeps_no_lease(store, engine):
    clock = FakeClock()
    _ingest(store, 2, clock)
    assert intake.decide_pending(store, engine, 10, clock=clock, owner="may-1", lease_s=LEASE) == 2
    with store.read() as tx:
        rows = item_rows.list_items(tx, status=ItemStatus.DECIDED)
    assert len(rows) == 2
    from sqlalchemy import select

    from khien.store.schema import items
    with store.read() as tx:
        leases = tx.conn.execute(select(items.c.lease_owner, items.c.lease_until)).all()
    assert all(owner is None and until is None for owner, until in leases)


class _HeldEngine:
    """The real engine, but its batch waits for the test's go-ahead (a slow batch, without sleeping)."""

    def __init__(self, engine):
        self.engine, self.policy = engine, engine.policy
        self.started, self.go = threading.Event(), threading.Event()

    def decide_batch(self, items):
        self.started.set()
        assert self.go.wait(30), "the test never let the batch finish"
        return self.engine.decide_batch(items)


def _lease_until(store, pks):
    with store.read() as tx:
        rows = tx.conn.execute(select(items_table.c.lease_until).where(items_table.c.pk.in_(pks))).all()
    return [r[0] for r in rows]


def test_a_slow_batch_keeps_its_lease_renewed_so_no_other_worker_takes_it(store, engine):
    """The batch outlives its lease (0.3 s) while it is decided: its worker renews the lease, so a
    second worker finds nothing to claim; once written, every item has one engine decision."""
    _ingest(store, 5, SYSTEM)
    held = _HeldEngine(engine)
    done = threading.Thread(target=intake.decide_pending, args=(store, held),
                            kwargs={"owner": "may-cham", "lease_s": 0.3})
    done.start()
    try:
        assert held.started.wait(30)
        with store.read() as tx:
            pks = [s.pk for s in item_rows.list_items(tx, status=ItemStatus.PENDING)]
        first = max(_lease_until(store, pks))
        deadline = time.monotonic() + 30
        while min(_lease_until(store, pks)) <= first + 0.5 and time.monotonic() < deadline:
            time.sleep(0.05)  # wait for renewals to carry the lease past its first expiry
        assert min(_lease_until(store, pks)) > first + 0.5, "the lease was not renewed"
        assert SYSTEM.now() > first  # the first lease has run out: only the renewal keeps the batch
        assert _claim_for(store, "may-khac", 0.3) == []
    finally:
        held.go.set()
        done.join(60)
    with store.read() as tx:
        assert item_rows.count_by_status(tx) == {ItemStatus.DECIDED.value: 5}
        assert set(item_rows.decision_counts(tx).values()) == {1}
        assert _lease_until(store, pks) == [None] * 5  # the finished batch holds no lease


def _claim_for(store, owner, lease_s):
    with store.write() as tx:
        return item_rows.claim_pending(tx, owner, 100, now=SYSTEM.now(), lease_s=lease_s)
