"""Cases, claims, decisions, appeals and the legal-request ledger, over a real store."""

import pytest

from khien.audit import verify
from khien.clock import FakeClock
from khien.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from khien.model import Item
from khien.report import transparency_report
from khien.review import Actor, appeals, cases, intake, legal
from khien.store import items as item_rows

SCAM = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"
FINE = "Hôm nay trời đẹp quá"
APP = Actor("forum-app", "ingest")
AN = Actor("an", "moderator")
BINH = Actor("binh", "moderator")
ADMIN = Actor("root", "admin")


def _scam(store, engine, item_id="p1", reach=1000):
    item = Item.from_dict({"id": item_id, "platform": "forum", "text": SCAM, "reach": {"views": reach}})
    return intake.moderate(store, engine, item, APP).decision


def _open_case(store, item_id="p1"):
    with store.read() as tx:
        return next(c for c in cases.list_cases(tx) if c.case.item_id == item_id)


def test_moderate_is_idempotent_on_platform_id_and_content(store, engine):
    first = intake.moderate(store, engine, Item("p1", SCAM, platform="forum"), APP)
    again = intake.moderate(store, engine, Item("p1", SCAM, platform="forum", reach={"views": 50}), APP)
    assert first.created and not again.created and first.version == again.version == 1  # reach is no edit
    assert first.decision.to_dict(dsa=True) == again.decision.to_dict(dsa=True) and first.decision.action == "remove"
    other = intake.moderate(store, engine, Item("p1", FINE, platform="shop"), APP)
    assert other.created and other.decision.action == "allow" and other.version == 1
    with store.read() as tx:
        assert item_rows.decision_counts(tx) == {("forum", "p1"): 1, ("shop", "p1"): 1}
        assert item_rows.get_item(tx, "forum", "p1").reach == 50


def test_a_batch_is_decided_exactly_once(store, engine):
    batch = [Item(f"b{i}", SCAM if i % 3 == 0 else FINE, platform="forum") for i in range(30)]
    with store.write() as tx:
        assert intake.ingest(tx, batch, APP) == intake.IngestResult(accepted=30, duplicates=0)
    with store.write() as tx:
        assert intake.ingest(tx, batch[:5], APP).public() == {"accepted": 0, "duplicates": 5, "edited": 0}
    assert intake.decide_pending(store, engine, limit=20) == 20
    assert intake.decide_pending(store, engine, limit=20) == 10
    assert intake.decide_pending(store, engine, limit=20) == 0
    with store.read() as tx:
        counts = item_rows.decision_counts(tx)
        assert len(counts) == 30 and set(counts.values()) == {1}
        assert item_rows.count_by_status(tx) == {"decided": 30}
        queued = cases.list_cases(tx, limit=500)
    assert len(queued) == 10 and {c.case.category for c in queued} == {"scam"}


def test_a_crash_between_decide_and_mark_changes_nothing_twice(store, engine):
    batch = [Item(f"c{i}", SCAM, platform="forum") for i in range(5)]
    with store.write() as tx:
        intake.ingest(tx, batch, APP)
    # the decisions were written but the items were never marked decided (as if killed just then)
    with store.write() as tx:
        intake.record_engine_decisions(tx, engine.policy, list(zip(batch, engine.decide_batch(batch))))
    assert intake.decide_pending(store, engine) == 5
    with store.read() as tx:
        assert set(item_rows.decision_counts(tx).values()) == {1}
        assert len(cases.list_cases(tx)) == 5
    assert verify(store).ok


def test_cases_are_ordered_by_severity_reach_and_age(store, engine):
    _scam(store, engine, "small", reach=10)
    _scam(store, engine, "viral", reach=1_000_000)
    with store.read() as tx:
        found = cases.list_cases(tx)
    assert [c.case.item_id for c in found] == ["viral", "small"]
    assert found[0].public()["priority"] > found[1].public()["priority"]


def test_claim_is_a_lock_that_expires(store, engine):
    clock = FakeClock()
    _scam(store, engine)
    case = _open_case(store)
    with store.write() as tx:
        claimed = cases.claim(tx, AN, case.id, ttl=300, clock=clock)
    assert claimed.holder == "an" and claimed.public()["claim_expires_at"] == "2026-01-01T00:05:00.000Z"
    with pytest.raises(ConflictError, match="claimed by an"):
        with store.write() as tx:
            cases.claim(tx, BINH, case.id, ttl=60, clock=clock)
    with pytest.raises(ConflictError, match="must be claimed by you before you decide it; it is claimed by an"):
        with store.write() as tx:
            cases.decide(tx, engine.policy, BINH, case.id, action="remove", clause="2.1", clock=clock)
    clock.advance(299)
    with store.read() as tx:  # one second left: still an's
        assert cases.get_case(tx, case.id, clock=clock).holder == "an"
        assert cases.list_cases(tx, unclaimed=True, clock=clock) == []
    clock.advance(1)
    with store.read() as tx:  # expiry is exclusive: at the expiry instant the claim has lapsed
        assert cases.get_case(tx, case.id, clock=clock).holder is None
        assert [c.id for c in cases.list_cases(tx, unclaimed=True, clock=clock)] == [case.id]
        assert cases.list_cases(tx, claimed_by="an", clock=clock) == []
    with store.write() as tx:
        claimed = cases.claim(tx, BINH, case.id, ttl=60, clock=clock)
    assert claimed.holder == "binh"
    with pytest.raises(ConflictError):  # an's claim lapsed: an may no longer decide
        with store.write() as tx:
            cases.decide(tx, engine.policy, AN, case.id, action="allow", clause=None, clock=clock)
    with store.write() as tx:  # the holder renews before it lapses
        clock.advance(59)
        renewed = cases.claim(tx, BINH, case.id, ttl=60, clock=clock)
    assert renewed.public()["claim_expires_at"] == "2026-01-01T00:06:59.000Z"


def test_a_human_decision_has_its_own_statement_of_reasons(store, engine):
    _scam(store, engine)
    case = _open_case(store)
    with store.write() as tx:
        cases.claim(tx, AN, case.id)
    with pytest.raises(InputError, match="valid clauses"):
        with store.write() as tx:
            cases.decide(tx, engine.policy, AN, case.id, action="remove", clause="9.9")
    with store.write() as tx:
        done = cases.decide(tx, engine.policy, AN, case.id, action="remove", clause="2.1",
                            note="Lừa đảo tuyển cộng tác viên")
    outcome = done.outcome.decision
    assert done.state == "decided" and done.decided_by == "an" and done.public()["outcome"] == outcome.to_dict()
    assert outcome.automated is False and outcome.action == "remove" and outcome.clause == "2.1"
    assert "người kiểm duyệt" in outcome.reasons["vi"]
    assert "Lừa đảo tuyển cộng tác viên" in outcome.reasons["vi"]
    assert "human moderator" in outcome.reasons["en"]
    with pytest.raises(ConflictError, match=r"case \d+ is decided \(by an\); it cannot be decided"):
        with store.write() as tx:
            cases.decide(tx, engine.policy, AN, case.id, action="allow", clause=None)
    with pytest.raises(ConflictError, match=r"case \d+ is decided \(by an\); it cannot be claimed"):
        with store.write() as tx:
            cases.claim(tx, BINH, case.id)


def _decided_by(store, engine, moderator):
    _scam(store, engine)
    case = _open_case(store)
    with store.write() as tx:
        cases.claim(tx, moderator, case.id)
        cases.decide(tx, engine.policy, moderator, case.id, action="remove", clause="2.1")


def test_an_appeal_is_decided_by_someone_else_and_a_reversal_restores_the_item(store, engine):
    _decided_by(store, engine, AN)
    with store.write() as tx:
        appeal = appeals.submit(tx, APP, item_id="p1", platform="forum",
                                statement="Đây là tin tuyển dụng thật của công ty tôi")
    assert appeal.original_decider == "an"
    with pytest.raises(ConflictError, match="open appeal"):
        with store.write() as tx:
            appeals.submit(tx, APP, item_id="p1", platform="forum", statement="lần nữa")
    with pytest.raises(PermissionDenied, match="different moderator"):
        with store.write() as tx:
            appeals.decide(tx, engine.policy, AN, appeal.id, outcome="reversed")
    with store.write() as tx:
        decided = appeals.decide(tx, engine.policy, BINH, appeal.id, outcome="reversed", note="Công ty có thật")
    assert decided.appeal.outcome == "reversed" and decided.public()["reversed"] is True
    assert decided.appeal.decided_by == "binh"
    assert decided.new_decision.action == "allow" and decided.new_decision.automated is False
    with store.read() as tx:
        state = intake.item_state(tx, "forum", "p1")
    assert state.decision.action == "allow" and state.public()["decision"]["action"] == "allow"
    with pytest.raises(ConflictError, match=r"appeal \d+ is decided \(reversed, by binh\); it cannot be decided"):
        with store.write() as tx:
            appeals.decide(tx, engine.policy, BINH, appeal.id, outcome="upheld")


def test_an_appeal_of_an_automated_decision_can_be_upheld_by_any_moderator(store, engine):
    _scam(store, engine)
    with store.write() as tx:
        appeal = appeals.submit(tx, APP, item_id="p1", platform="forum", statement="Tôi không lừa ai")
    assert appeal.original_decider is None
    with store.write() as tx:
        decided = appeals.decide(tx, engine.policy, AN, appeal.id, outcome="upheld")
    assert decided.appeal.outcome == "upheld" and decided.new_decision is None
    with store.read() as tx:
        assert intake.item_state(tx, "forum", "p1").decision.action == "remove"


def test_nothing_to_appeal(store, engine):
    intake.moderate(store, engine, Item("ok", FINE, platform="forum"), APP)
    with pytest.raises(ConflictError, match="allowed"):
        with store.write() as tx:
            appeals.submit(tx, APP, item_id="ok", platform="forum", statement="?")
    with pytest.raises(NotFoundError):
        with store.write() as tx:
            appeals.submit(tx, APP, item_id="nowhere", platform="forum", statement="?")


def test_a_legal_request_becomes_cases_and_records_what_was_done(store, engine):
    _scam(store, engine, "p1")
    intake.moderate(store, engine, Item("p2", FINE, platform="forum"), APP)
    with store.write() as tx:
        req = legal.create(tx, ADMIN, authority="Sở Thông tin và Truyền thông", legal_basis="Nghị định 147/2024/NĐ-CP",
                           items=[("forum", "p1"), ("forum", "p2")], requested_action="remove", deadline="2026-12-31")
    assert req.request.status == "open" and len(req.actions) == 2
    with store.read() as tx:
        legal_cases = [c for c in cases.list_cases(tx) if c.public()["origin"] == "legal"]
        top = cases.list_cases(tx)[0]
    assert len(legal_cases) == 2 and top.case.legal_request_id == req.id
    by_item = {c.case.item_id: c.id for c in legal_cases}
    with store.write() as tx:
        cases.claim(tx, AN, by_item["p1"])
        cases.decide(tx, engine.policy, AN, by_item["p1"], action="remove", clause="2.1")
        cases.claim(tx, AN, by_item["p2"])
        cases.decide(tx, engine.policy, AN, by_item["p2"], action="allow", clause=None,
                     note="Không vi phạm chính sách")
    with store.read() as tx:
        done = legal.get_request(tx, req.id)
    assert done.request.status == "completed"
    assert {a.case.item_id: a.action for a in done.actions} == {"p1": "remove", "p2": "allow"}
    assert [a["action"] for a in done.public()["actions"]] == [a.action for a in done.actions]
    report = transparency_report(store)
    assert report["legal_requests"]["requests"] == 1
    assert report["legal_requests"]["complied"] == 1 and report["legal_requests"]["not_complied"] == 1
    assert verify(store).ok


def test_transparency_report_counts_from_the_audit_log(store, engine):
    _decided_by(store, engine, AN)
    intake.moderate(store, engine, Item("ok", FINE, platform="forum"), APP)
    with store.write() as tx:
        appeal = appeals.submit(tx, APP, item_id="p1", platform="forum", statement="Sai rồi")
        appeals.decide(tx, engine.policy, BINH, appeal.id, outcome="reversed")
    report = transparency_report(store)
    assert report["decisions"]["automated"] == {"remove": 1, "allow": 1}
    assert report["decisions"]["human"] == {"remove": 1}
    assert report["categories"]["scam"]["automated:remove"] == 1
    assert report["appeals"] == {"submitted": 1, "decided": 1, "upheld": 0, "reversed": 1, "reversal_rate": 1.0,
                                 "by_original_decision": {"human:reversed": 1}}
