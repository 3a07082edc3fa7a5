"""`Decision.from_dict` reads back every decision Khiên has written: today's, with DSA fields, and the
older shapes stored before facts, shadow rules or fingerprints existed."""

from __future__ import annotations

import pytest

from khien.engine import Engine
from khien.errors import InputError
from khien.model import Decision, Item

POSTS = [
    "Tuyển CTV làm việc tại nhà, việc nhẹ lương cao 500k/ngày, chỉ cần like và share, ib Zalo 0912345678",
    "Cảnh báo: có nhóm giả danh Vietcombank nhắn tin yêu cầu cập nhật sinh trắc học qua link lạ, mọi người cẩn thận",
    "Bọn dân tộc đó toàn lũ ăn bám, đuổi hết về rừng đi",
    "Chính sách thuế mới của bộ tài chính thật vô lý, người dân chịu thiệt",
    "Mình đang buồn lắm, không muốn sống nữa",
    "hom nay troi dep qua, di cafe khong ae",
]


@pytest.fixture(scope="module")
def decided():
    engine = Engine.from_policy()
    return engine.decide_batch([Item(f"m{n}", text) for n, text in enumerate(POSTS)])


def test_every_decision_round_trips_with_and_without_dsa_fields(decided):
    assert {d.action for d in decided} >= {"allow", "remove"}
    for decision in decided:
        for dsa in (False, True):
            stored = decision.to_dict(dsa=dsa)
            again = Decision.from_dict(stored)
            assert again.to_dict(dsa=dsa) == stored
            assert again.action == decision.action and again.rules == decision.rules
            assert [c.name for c in again.categories] == [c.name for c in decision.categories]


def test_a_decision_stored_before_facts_and_fingerprints_still_reads():
    old = {
        "id": "p0007", "action": "remove", "policy": "3f1c2a9b8d7e6f50", "automated": True,
        "categories": [{"name": "scam", "score": 0.97, "evidence": [
            {"start": 0, "end": 9, "text": "Tuyển CTV", "label": "task recruitment", "detector": "lexicon.scam.v1"}]}],
        "rules": ["scam.task-recruitment"],
        "reasons": {"vi": "Nội dung đã bị gỡ bỏ vì vi phạm điều 2.1 (Lừa đảo).", "en": "Removed under clause 2.1."},
        "detectors": ["lexicon.v1", "contacts.v1"], "clause": "2.1",
    }
    decision = Decision.from_dict(old)
    assert decision.fingerprint is None and dict(decision.facts) == {} and decision.shadow_rules == ()
    evidence, detector = decision.categories[0].evidence[0]
    assert (evidence.text, evidence.label, detector) == ("Tuyển CTV", "task recruitment", "lexicon.scam.v1")
    assert decision.to_dict() == old


def test_something_that_is_not_a_decision_is_refused_clearly():
    with pytest.raises(InputError, match="not a stored decision"):
        Decision.from_dict({"id": "p1"})
    with pytest.raises(InputError, match="JSON object"):
        Decision.from_dict(["remove"])
