"""The services' typed views: attributes a page reads, and ``public()``, the API's JSON, built from them."""

from khien.clock import FakeClock
from khien.enums import CaseState, ItemStatus
from khien.model import Item
from khien.review import Actor, appeals, cases, intake
from khien.review.views import AppealView, CaseSummary, CaseView, ItemState

APP = Actor("forum-app", "ingest")
AN = Actor("an", "moderator")
SCAM = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"


def test_a_case_view_carries_typed_records_and_publishes_the_api_shape(store, engine):
    clock = FakeClock()
    decision = intake.moderate(store, engine, Item("p1", SCAM, platform="forum"), APP, clock=clock).decision
    with store.write() as tx:
        listed = cases.list_cases(tx, clock=clock)
        claimed = cases.claim(tx, AN, listed[0].id, ttl=60, clock=clock)
        view = cases.get_case(tx, listed[0].id, clock=clock)
    assert isinstance(listed[0], CaseSummary) and isinstance(claimed, CaseSummary) and isinstance(view, CaseView)
    assert view.state == CaseState.OPEN and view.holder == "an" and view.source == "engine"
    assert view.decision.decision.action == decision.action == "remove" and view.outcome is None
    assert view.content["text"] == SCAM
    published = view.public()
    assert list(published) == list(claimed.public()) + ["current_item_version", "decision", "outcome"]
    assert published["item_version"] == published["current_item_version"] == 1
    assert published["item"] == {"id": "p1", "platform": "forum", "content": view.content}
    assert published["decision"] == decision.to_dict(provenance=True) and "signals" in published["decision"]
    assert published["claimed_by"] == "an" and published["claim_expires_at"] == view.claim_expires_at
    # the claim lapses with time: the same case read a minute later has no holder
    clock.advance(60)
    with store.read() as tx:
        later = cases.get_case(tx, view.id, clock=clock)
    assert later.holder is None and later.public()["claimed_by"] is None and later.claim_expires_at is None


def test_appeal_and_item_views(store, engine):
    intake.moderate(store, engine, Item("p1", SCAM, platform="forum"), APP)
    with store.write() as tx:
        appeal = appeals.submit(tx, APP, item_id="p1", platform="forum", statement="Tôi không lừa ai")
        view = appeals.get_appeal(tx, appeal.id)
        state = intake.item_state(tx, "forum", "p1")
    assert isinstance(view, AppealView) and view.appeal == appeal and view.new_decision is None
    assert view.public() == appeal.public() | {"decision": view.decision.public(provenance=True), "new_decision": None}
    assert isinstance(state, ItemState) and state.status == ItemStatus.DECIDED
    assert state.decision.id == view.decision.id
    assert "dsa" in state.public(dsa=True)["decision"] and "dsa" not in state.public()["decision"]
    assert "error" not in state.public()
