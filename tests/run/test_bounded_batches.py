"""Worker batches bounded in bytes, and the engine's evidence cap (issue 11)."""

from __future__ import annotations

import orjson

from khien.clock import FakeClock
from khien.detect.base import MAX_EVIDENCE
from khien.model import Item
from khien.review import Actor, intake
from khien.run.worker import Worker
from khien.store import items as item_rows

APP = Actor("forum-app", "ingest")
SCAM = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15% mỗi đơn, nạp tiền để rút, ib Zalo 0912 345 678. "
FINE = "Cả nhà đi công viên Thống Nhất chơi, chiều về ăn bún chả ở phố Hàng Mành. "


def _ingest(store, items):
    with store.write() as tx:
        intake.ingest(tx, items, APP, clock=FakeClock(1_700_000_000))


def _size(item: Item) -> int:
    return len(orjson.dumps(item.to_dict()))


def test_a_batch_stops_at_its_byte_bound_and_always_takes_one_item(store, engine):
    big = [Item(id=f"dai-{n}", text=FINE * 40, platform="forum") for n in range(3)]  # ~3 KB of JSON each
    small = [Item(id=f"ngan-{n}", text=FINE, platform="forum") for n in range(4)]
    _ingest(store, big + small)
    one = _size(big[0])
    # two large items fit in 2.5 of their size, the third does not: the batch ends at two
    assert intake.decide_pending(store, engine, 100, max_bytes=int(one * 2.5)) == 2
    # a bound smaller than one item still decides that one item (never stuck)
    assert intake.decide_pending(store, engine, 100, max_bytes=10) == 1
    # the count bound still holds when bytes allow more
    assert intake.decide_pending(store, engine, 2, max_bytes=10**9) == 2
    assert intake.decide_pending(store, engine, 100, max_bytes=10**9) == 2
    with store.read() as tx:
        assert item_rows.pending_items(tx, 100, 10**9) == []


def test_bytes_are_utf8_bytes_of_the_stored_json(store):
    item = Item(id="dấu", text="Người Việt dùng dấu thanh: ả ã ạ ẩ ẫ ậ", platform="forum")
    _ingest(store, [item, Item(id="sau", text="tiếp theo", platform="forum")])
    with store.read() as tx:
        stored = item_rows.pending_items(tx, 10)
        first = len(stored[0].body.encode("utf-8"))
        assert [s.item_id for s in item_rows.pending_items(tx, 10, first)] == ["dấu"]
        assert len(item_rows.pending_items(tx, 10, first + len(stored[1].body.encode("utf-8")))) == 2


def test_the_worker_is_not_idle_while_byte_bounded_batches_leave_work(store, engine):
    worker = Worker(store, engine, batch=500, batch_bytes=10)
    _ingest(store, [Item(id=f"p{n}", text=FINE, platform="forum") for n in range(3)])
    assert worker.run_once() == 1
    assert not worker.is_idle(1)  # fewer than `batch` items, yet more are waiting
    assert worker.run_once() + worker.run_once() == 2
    assert worker.is_idle(worker.run_once())


def test_evidence_is_capped_per_signal_without_changing_the_decision(engine):
    text = SCAM * 2000  # ~190,000 characters of the same lure: thousands of spans before the cap
    long_one = engine.explain(Item(id="dai", text=text))
    short_one = engine.decide(Item(id="ngan", text=SCAM))
    assert long_one.signals and all(len(s.evidence) <= MAX_EVIDENCE for s in long_one.signals)
    capped = [s for s in long_one.signals if "evidence_total" in s.details]
    assert capped and all(s.details["evidence_total"] > MAX_EVIDENCE for s in capped)
    decision = long_one.decision
    assert decision.action == short_one.action == "remove"
    assert [c.name for c in decision.categories] == [c.name for c in short_one.categories]
    assert len(orjson.dumps(decision.to_dict(provenance=True))) < 20_000  # not proportional to the text
    for finding in decision.categories:
        for evidence, _detector in finding.evidence:
            assert text[evidence.start:evidence.end] == evidence.text  # spans still point into the text
