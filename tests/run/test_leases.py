"""Worker leases on pending items (issue 11): disjoint batches, expiry after a dead worker, no
decision twice when an expired lease's first holder finishes late."""

from __future__ import annotations

from khien.clock import FakeClock
from khien.enums import ItemStatus
from khien.model import Item
from khien.review import Actor, intake
from khien.run.worker import Worker
from khien.store import items as item_rows

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
