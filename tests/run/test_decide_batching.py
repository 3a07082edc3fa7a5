"""The decide pool micro-batches short items (issue 11): items that queue while the engine is busy
share one engine call, each gets the decision it would get alone, and an item that makes the engine
raise fails only its own request."""

from __future__ import annotations

import threading

import pytest

from khien.model import Item
from khien.run.worker import DecidePool

POSTS = ["Tuyển CTV việc nhẹ lương cao, hoa hồng 15% mỗi đơn, ib Zalo 0912 345 678",
         "Cảnh báo: có nhóm giả danh công an gọi điện yêu cầu chuyển tiền, mọi người cẩn thận",
         "Hôm nay trời đẹp, cả nhà đi công viên chơi rồi ăn phở bò ở đầu ngõ",
         "Vay tiền online không cần thế chấp, giải ngân trong 5 phút, chỉ cần CCCD",
         "Ai có kinh nghiệm sửa máy giặt ở Cầu Giấy không ạ?",
         "Nhà cái uy tín, nạp đầu tặng 100%, cá cược bóng đá tỷ lệ cao"]


class _Gated:
    """The real engine; its first call waits until the test has queued the rest, and every call's
    size is recorded. Items whose id starts with "hong" make a batch raise."""

    def __init__(self, engine):
        self.engine, self.policy = engine, engine.policy
        self.sizes: list[int] = []
        self.gate = threading.Event()
        self.entered = threading.Event()

    def decide_batch(self, items):
        self.sizes.append(len(items))
        self.entered.set()
        assert self.gate.wait(30)
        if any(i.id.startswith("hong") for i in items):
            raise ValueError("không đọc được bài này")
        return self.engine.decide_batch(items)

    def decide(self, item):
        return self.decide_batch([item])[0]


def test_items_queued_while_the_engine_is_busy_share_a_call_and_decide_as_alone(engine):
    gated = _Gated(engine)
    pool = DecidePool(gated, threads=1, batch=8)
    try:
        first = pool.submit(Item(id="dau", text=POSTS[0]))
        assert gated.entered.wait(30)  # the one thread is busy with the first item
        rest = [pool.submit(Item(id=f"bai-{n}", text=text)) for n, text in enumerate(POSTS)]
        gated.gate.set()
        decided = [first.result(60)] + [f.result(60) for f in rest]
    finally:
        pool.close()
    assert gated.sizes == [1, len(POSTS)]  # the six that queued went in one call
    alone = [engine.decide(Item(id="dau", text=POSTS[0]))] + [
        engine.decide(Item(id=f"bai-{n}", text=t)) for n, t in enumerate(POSTS)]
    assert [d.to_dict() for d in decided] == [d.to_dict() for d in alone]


def test_a_batch_is_bounded_by_its_size(engine):
    gated = _Gated(engine)
    pool = DecidePool(gated, threads=1, batch=4)
    try:
        first = pool.submit(Item(id="dau", text=POSTS[2]))
        assert gated.entered.wait(30)
        rest = [pool.submit(Item(id=f"bai-{n}", text=POSTS[n % len(POSTS)])) for n in range(10)]
        gated.gate.set()
        [f.result(60) for f in [first, *rest]]
    finally:
        pool.close()
    assert gated.sizes == [1, 4, 4, 2]


def test_an_item_that_makes_the_engine_raise_fails_only_its_request(engine):
    gated = _Gated(engine)
    pool = DecidePool(gated, threads=1, batch=8)
    try:
        first = pool.submit(Item(id="dau", text=POSTS[2]))
        assert gated.entered.wait(30)
        good = pool.submit(Item(id="tot", text=POSTS[0]))
        bad = pool.submit(Item(id="hong-1", text=POSTS[1]))
        other = pool.submit(Item(id="tot-2", text=POSTS[3]))
        gated.gate.set()
        assert first.result(60).action == "allow"
        assert good.result(60).to_dict() == engine.decide(Item(id="tot", text=POSTS[0])).to_dict()
        assert other.result(60).to_dict() == engine.decide(Item(id="tot-2", text=POSTS[3])).to_dict()
        with pytest.raises(ValueError, match="không đọc được"):
            bad.result(60)
    finally:
        pool.close()
    assert pool.in_flight == 0
