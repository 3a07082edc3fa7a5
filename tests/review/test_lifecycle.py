"""Life cycles as tables, and the statement a user receives when a moderator keeps their content."""

import pytest

from khien.clock import FakeClock
from khien.enums import AppealState, CaseState, ItemStatus
from khien.errors import ConflictError
from khien.model import Item
from khien.review import Actor, cases, intake, lifecycle
from khien.review.decisions import human_decision

APP = Actor("forum-app", "ingest")
AN = Actor("an", "moderator")
SCAM = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"


@pytest.mark.parametrize("table,state,verb,message", [
    (lifecycle.CASE_MOVES, CaseState.DECIDED, "claim", "case 12 is decided; it cannot be claimed"),
    (lifecycle.CASE_MOVES, CaseState.DECIDED, "decide", "case 12 is decided; it cannot be decided"),
    (lifecycle.APPEAL_MOVES, AppealState.DECIDED, "decide", "case 12 is decided; it cannot be decided"),
    (lifecycle.ITEM_MOVES, ItemStatus.PENDING, "retry", "case 12 is pending; it cannot be retried"),
    (lifecycle.ITEM_MOVES, ItemStatus.DECIDED, "fail", "case 12 is decided; it cannot be failed"),
    (lifecycle.ITEM_MOVES, ItemStatus.FAILED, "decide", "case 12 is failed; it cannot be decided"),
])
def test_illegal_moves_are_refused_with_what_and_why(table, state, verb, message):
    with pytest.raises(ConflictError) as err:
        lifecycle.move(table, "case 12", state, verb)
    assert err.value.message == message


def test_the_tables_hold_exactly_the_documented_moves():
    assert dict(lifecycle.CASE_MOVES) == {(CaseState.OPEN, "claim"): CaseState.OPEN,
                                          (CaseState.OPEN, "decide"): CaseState.DECIDED}
    assert dict(lifecycle.APPEAL_MOVES) == {(AppealState.OPEN, "decide"): AppealState.DECIDED}
    assert dict(lifecycle.ITEM_MOVES) == {(ItemStatus.PENDING, "decide"): ItemStatus.DECIDED,
                                          (ItemStatus.PENDING, "fail"): ItemStatus.FAILED,
                                          (ItemStatus.FAILED, "retry"): ItemStatus.PENDING}


def _titles(policy):
    return [t for c in policy.categories.values() for t in (c.title["vi"], c.title["en"])]


def test_keeping_content_names_no_clause_and_no_category(store, engine):
    clock = FakeClock()
    intake.moderate(store, engine, Item("p1", SCAM, platform="forum"), APP, clock=clock)
    with store.write() as tx:
        case = cases.list_cases(tx, clock=clock)[0]
        cases.claim(tx, AN, case.id, clock=clock)
        done = cases.decide(tx, engine.policy, AN, case.id, action="allow", clause=None,
                            note="Tin tuyển dụng của công ty có thật", clock=clock)
    kept = done.public()["outcome"]
    assert kept["action"] == "allow" and "clause" not in kept and kept["automated"] is False
    assert kept["reasons"] == {
        "vi": "Sau khi người kiểm duyệt xem xét, nội dung được giữ nguyên. "
              "Ghi chú của người kiểm duyệt: Tin tuyển dụng của công ty có thật",
        "en": "After review by a human moderator, the content stays up. "
              "Moderator's note: Tin tuyển dụng của công ty có thật",
    }
    for title in _titles(engine.policy):
        assert title not in kept["reasons"]["vi"] and title not in kept["reasons"]["en"]
    assert "2.1" not in kept["reasons"]["vi"] and "clause" not in kept["reasons"]["en"]
    assert done.state == "decided" and done.case.decided_at == "2026-01-01T00:00:00.000Z"


def test_keeping_content_with_a_clause_named_still_names_none(engine):
    original = engine.decide(Item("p1", SCAM))
    kept = human_decision(engine.policy, "p1", "allow", "2.1", None, original)
    assert kept.clause is None and kept.dsa is None
    assert kept.reasons == {"vi": "Sau khi người kiểm duyệt xem xét, nội dung được giữ nguyên.",
                            "en": "After review by a human moderator, the content stays up."}
    # the engine's own "allow" statements are unchanged (golden decisions depend on them)
    assert "Nội dung được giữ nguyên" in engine.decide(Item("p2", "Hôm nay trời đẹp quá")).reasons["vi"]
