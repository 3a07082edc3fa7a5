"""Items the worker cannot decide are quarantined, never retried for ever, and an admin can retry them."""

import pytest
from sqlalchemy import update

from khien.audit import iter_events, verify
from khien.audit.events import ItemFailed, ItemRetried
from khien.clock import FakeClock
from khien.errors import ConflictError, NotFoundError
from khien.model import Item
from khien.review import Actor, intake
from khien.store import items as item_rows
from khien.store.schema import items as items_table

APP = Actor("forum-app", "ingest")
ROOT = Actor("root", "admin")
POSTS = [
    "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678",
    "Hôm nay trời đẹp quá, cả nhà đi chơi công viên",
    "Quán phở đầu ngõ nấu ngon lắm, mọi người nên thử",
    "Nhận làm nhiệm vụ like dạo, chuyển khoản trước 500k để kích hoạt tài khoản",
    "Cuối tuần này lớp mình họp lớp ở Hà Nội nhé",
    "Bán xe máy cũ, giá thương lượng, xem xe tại Cầu Giấy",
]
POISON = "Bài viết làm hỏng bộ máy: ☠"


class PoisonedEngine:
    """The real engine, except that any batch holding the poisoned post raises (as a broken detector would)."""

    def __init__(self, engine):
        self._engine = engine
        self.policy = engine.policy
        self.calls = 0

    def decide_batch(self, items):
        self.calls += 1
        if any(i.text == POISON for i in items):
            raise RuntimeError("detector lexicon.scam.v1 crashed on this text")
        return self._engine.decide_batch(items)

    def decide(self, item):
        return self.decide_batch([item])[0]


def _ingest(store, texts, clock):
    batch = [Item(f"p{n}", text, platform="forum") for n, text in enumerate(texts)]
    with store.write() as tx:
        intake.ingest(tx, batch, APP, clock=clock)
    return batch


def _events(store, event_class):
    return list(iter_events(store, types=[event_class.type]))


def test_one_poisoned_post_is_quarantined_and_the_rest_of_the_batch_is_decided(store, engine):
    clock = FakeClock()
    _ingest(store, POSTS[:3] + [POISON] + POSTS[3:], clock)
    poisoned = PoisonedEngine(engine)
    assert intake.decide_pending(store, poisoned, limit=50, clock=clock) == 7
    with store.read() as tx:
        assert item_rows.count_by_status(tx) == {"decided": 6, "failed": 1}
        bad = intake.item_state(tx, "forum", "p3").public()
        good = intake.item_state(tx, "forum", "p0").public()
        failed = [f.public() for f in intake.failed_items(tx)]
    assert bad["status"] == "failed" and bad["decision"] is None and bad["attempts"] == 1
    assert bad["error"] == "RuntimeError: detector lexicon.scam.v1 crashed on this text"
    assert good["status"] == "decided" and good["decision"]["action"] == "remove" and "error" not in good
    assert failed == [{"id": "p3", "platform": "forum", "status": "failed", "received_at": "2026-01-01T00:00:00.000Z",
                       "error": bad["error"], "attempts": 1}]
    assert poisoned.calls <= 1 + 2 * 3  # bisection: about two calls per halving, not one per item
    # nothing comes back on its own: the next round finds nothing to do
    assert intake.decide_pending(store, poisoned, limit=50, clock=clock) == 0
    events = _events(store, ItemFailed)
    assert [e.subject for e in events] == ["item:forum:p3"]
    assert events[0].event.error == "RuntimeError: detector lexicon.scam.v1 crashed on this text"
    assert verify(store).ok


def test_a_stored_body_that_no_longer_parses_is_quarantined(store, engine):
    clock = FakeClock()
    _ingest(store, POSTS[:2], clock)
    with store.write() as tx:
        tx.conn.execute(update(items_table).where(items_table.c.item_id == "p1").values(body='{"id": "p1", "text": 7}'))
    assert intake.decide_pending(store, engine, clock=clock) == 2
    with store.read() as tx:
        bad = intake.item_state(tx, "forum", "p1").public()
        assert intake.item_state(tx, "forum", "p0").public()["status"] == "decided"
    assert bad["status"] == "failed" and "field 'text' is required" in bad["error"]


def test_an_item_whose_write_fails_is_quarantined_alone(store, engine, monkeypatch):
    clock = FakeClock()
    _ingest(store, POSTS[:4], clock)
    real = intake.record_engine_decisions

    def flaky(tx, policy, pairs, **kw):
        if any(item.id == "p2" for item, _ in pairs):
            raise ValueError("giá trị không hợp lệ cho cột category")
        return real(tx, policy, pairs, **kw)

    monkeypatch.setattr(intake, "record_engine_decisions", flaky)
    assert intake.decide_pending(store, engine, clock=clock) == 4
    with store.read() as tx:
        assert item_rows.count_by_status(tx) == {"decided": 3, "failed": 1}
        assert intake.item_state(tx, "forum", "p2").public()["error"].startswith("ValueError: giá trị không hợp lệ")
        assert item_rows.decision_counts(tx) == {("forum", "p0"): 1, ("forum", "p1"): 1, ("forum", "p3"): 1}


def test_retry_sends_a_failed_item_back_and_counts_attempts(store, engine):
    clock = FakeClock()
    _ingest(store, [POISON, POSTS[1]], clock)
    poisoned = PoisonedEngine(engine)
    intake.decide_pending(store, poisoned, clock=clock)
    with store.write() as tx:
        state = intake.retry(tx, ROOT, "forum", "p0", clock=clock)
    assert state.status == "pending" and state.decision is None and "error" not in state.public()
    intake.decide_pending(store, poisoned, clock=clock)  # still broken: failed again, counted
    with store.read() as tx:
        assert intake.item_state(tx, "forum", "p0").public()["attempts"] == 2
    with store.write() as tx:
        intake.retry(tx, ROOT, "forum", "p0", clock=clock)
    assert intake.decide_pending(store, engine, clock=clock) == 1  # the detector is fixed
    with store.read() as tx:
        fixed = intake.item_state(tx, "forum", "p0").public()
    assert fixed["status"] == "decided" and fixed["decision"]["action"] == "allow"
    assert [e.subject for e in _events(store, ItemRetried)] == ["item:forum:p0", "item:forum:p0"]
    with pytest.raises(ConflictError, match="item 'p0' on forum is decided; it cannot be retried"):
        with store.write() as tx:
            intake.retry(tx, ROOT, "forum", "p0", clock=clock)
    with pytest.raises(NotFoundError):
        with store.write() as tx:
            intake.retry(tx, ROOT, "forum", "không-có", clock=clock)
    assert verify(store).ok
