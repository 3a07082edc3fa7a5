"""Accounts: strikes from removals a person upheld, the policy's ladder, account cases and appeals.

Every strike here comes from a real case decision (or appeal) on an item the engine decided; time is
a FakeClock moved by days, so decay is the policy's windows, not a sleep.
"""

import pytest

from khien.audit import iter_events, verify
from khien.clock import FakeClock
from khien.errors import ConflictError, InputError, NotFoundError
from khien.model import Item
from khien.review import Actor, accounts, appeals, cases, intake

DAY = 86_400
APP = Actor("forum-app", "ingest", key_id=1)
AN = Actor("an", "moderator", user_id=1)
BINH = Actor("binh", "moderator", user_id=2)

SCAMS = [
    "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678",
    "Tuyển cộng tác viên online làm tại nhà, lương 500k/ngày, chỉ cần nạp trước 300k phí đào tạo, liên hệ Zalo 0912345678",
    "Việc nhẹ lương cao 800k/ngày, không cần kinh nghiệm, đóng phí giữ chỗ 200k, ib Zalo 0987654321",
]
THREAT = "Tao biết nhà mày ở đâu rồi, tối nay tao sẽ đến chém chết cả nhà mày."
CRITIQUE = ("Chính phủ điều hành giá xăng quá kém, người dân khổ sở mà các ông vẫn im lặng. "
            "Cần minh bạch và chịu trách nhiệm!")
LAN = {"id": "u-lan", "display_name": "Lan Nguyễn", "followers": 120}


def _post(store, engine, clock, item_id, text, author=LAN):
    item = Item.from_dict({"id": item_id, "platform": "forum", "text": text, "author": author,
                           "reach": {"views": 500}})
    with store.write() as tx:
        return intake.moderate_many(tx, engine.policy, [(item, engine.decide(item))], clock=clock)[0].decision


def _uphold(store, engine, clock, item_id, who=AN, action="remove", clause=None):
    with store.read() as tx:
        case = next(c for c in cases.list_cases(tx, clock=clock, limit=500) if c.case.item_id == item_id)
    with store.write() as tx:
        cases.claim(tx, who, case.id, clock=clock)
        return cases.decide(tx, engine.policy, who, case.id, action=action,
                            clause=clause or engine.policy.categories[case.case.category].clause, clock=clock)


def _account(store, engine, clock, author_id="u-lan"):
    with store.read() as tx:
        return accounts.get_account(tx, engine.policy, "forum", author_id, clock=clock)


def _events(store, type_):
    return [e for e in iter_events(store) if e.type == type_]


def _three_scams_upheld(store, engine, clock, gap_days):
    for n, text in enumerate(SCAMS):
        assert _post(store, engine, clock, f"scam-{n}", text).action == "remove"
        _uphold(store, engine, clock, f"scam-{n}")
        clock.advance(gap_days * DAY)


def test_three_upheld_scam_removals_within_90_days_suspend_for_30_days(store, engine):
    clock = FakeClock()
    _three_scams_upheld(store, engine, clock, gap_days=20)
    view = _account(store, engine, clock)
    assert len(view.active) == 3 and view.account.status_at(clock.now()) == "suspended"
    decision = view.decisions[0]
    assert (decision.action, decision.source, decision.subject_kind, decision.item_version) == (
        "suspend", "strikes", "account", 0)
    assert decision.decision.rules == ("account.fraud-repeat",) and not decision.automated
    assert (decision.decider, decision.actor_id) == ("system:accounts", accounts.LADDER_ACTOR.id)  # the rule's
    for text in (decision.decision.reasons["vi"], decision.decision.reasons["en"]):
        assert "account.fraud-repeat" in text and all(f"scam-{n}" in text for n in range(3))
    assert "tạm khóa 30 ngày" in decision.decision.reasons["vi"]
    # suspended on day 40 for 30 days (the clock already moved 20 days past the third strike)
    assert view.account.status_until == 1_767_225_600.0 + 40 * DAY + 30 * DAY
    clock.advance(11 * DAY)
    assert _account(store, engine, clock).account.status_at(clock.now()) == "active"  # expiry read at read time
    decided = _events(store, "account.decided")
    assert [(e.event.action, e.event.rule) for e in decided] == [("suspend", "account.fraud-repeat")]
    assert len(_events(store, "strike.added")) == 3 and verify(store).ok


def test_the_same_removals_spread_over_200_days_decay_and_do_nothing(store, engine):
    clock = FakeClock()
    _three_scams_upheld(store, engine, clock, gap_days=100)
    view = _account(store, engine, clock)
    assert len(view.strikes) == 3 and len(view.active) == 0  # each expired before the next one came... almost
    assert view.decisions == () and view.account.status_at(clock.now()) == "active"
    assert _events(store, "account.decided") == []


def test_engine_only_removals_never_strike(store, engine):
    clock = FakeClock()
    for n, text in enumerate(SCAMS):
        assert _post(store, engine, clock, f"scam-{n}", text).action == "remove"
    with pytest.raises(NotFoundError, match="account 'u-lan' on platform 'forum' does not exist"):
        _account(store, engine, clock)


def test_one_upheld_threat_restricts_for_7_days(store, engine):
    clock = FakeClock()
    assert _post(store, engine, clock, "threat-1", THREAT).action == "remove"
    _uphold(store, engine, clock, "threat-1", clause="3.3")
    view = _account(store, engine, clock)
    assert view.account.status_at(clock.now()) == "restricted"
    assert view.account.status_until == clock.now() + 7 * DAY
    assert view.decisions[0].decision.rules == ("account.threat",)
    assert "threat-1" in view.decisions[0].decision.reasons["en"]
    assert "không thể đăng bài" in view.decisions[0].decision.reasons["vi"]  # the rule's own notice


def test_criticising_the_government_is_never_a_strike(store, engine):
    clock = FakeClock()
    decision = _post(store, engine, clock, "opinion-1", CRITIQUE)
    assert decision.action == "allow"
    with store.read() as tx:
        assert not [c for c in cases.list_cases(tx, clock=clock) if c.case.item_id == "opinion-1"]
    with pytest.raises(NotFoundError):  # nothing needed an account: no strike, no record
        _account(store, engine, clock)
    # the same author's upheld scam counts; the opinion never does
    _post(store, engine, clock, "scam-0", SCAMS[0])
    _uphold(store, engine, clock, "scam-0")
    view = _account(store, engine, clock)
    assert [s.item_id for s in view.strikes] == ["scam-0"]
    assert {h.item_id: h.action for h in view.item_decisions} == {"scam-0": "remove", "opinion-1": "allow"}


def test_the_ladder_decides_in_its_own_name_naming_the_trigger_and_who_upheld_it(store, engine):
    clock = FakeClock()
    for n, text in enumerate(SCAMS[:2]):
        _post(store, engine, clock, f"scam-{n}", text)
        _uphold(store, engine, clock, f"scam-{n}", who=AN)
        clock.advance(5 * DAY)
    _post(store, engine, clock, "scam-2", SCAMS[2])
    last = _uphold(store, engine, clock, "scam-2", who=BINH)  # binh's upheld removal gives the third strike
    view = _account(store, engine, clock)
    decision = view.decisions[0]
    assert decision.action == "suspend" and decision.decider == "system:accounts" and decision.actor != "binh"
    assert decision.decision.dsa["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"
    assert "applied automatically by the published rule" in decision.decision.reasons["en"]
    assert "tự động áp dụng" in decision.decision.reasons["vi"]
    (decided,) = _events(store, "account.decided")
    assert decided.actor == "system:accounts" and decided.subject == "account:forum:u-lan"
    assert (decided.event.trigger, decided.event.upheld_by) == (last.outcome.id, "binh")
    assert decision.source_ref == str(last.outcome.id)  # the same trigger on the decision row
    assert [e.actor for e in _events(store, "strike.added")] == ["an", "an", "binh"]  # each strike its person's
    # binh, whose removal gave the last strike, may decide the appeal: he did not choose the suspension
    with store.write() as tx:
        appeal = appeals.submit(tx, APP, account="u-lan", platform="forum", statement="Xin xem xét lại", clock=clock)
    assert appeal.original_decider == "system:accounts"
    with store.write() as tx:
        done = appeals.decide(tx, engine.policy, BINH, appeal.id, outcome="upheld", clock=clock)
    assert done.appeal.outcome == "upheld" and verify(store).ok


def test_a_suspension_is_appealed_and_reversed_by_any_moderator(store, engine):
    clock = FakeClock()
    _three_scams_upheld(store, engine, clock, gap_days=10)
    with store.write() as tx:
        appeal = appeals.submit(tx, APP, account="u-lan", platform="forum",
                                statement="Tài khoản của tôi bị hack, những bài đó không phải tôi đăng", clock=clock)
    with pytest.raises(ConflictError, match="already has an open appeal"):
        with store.write() as tx:
            appeals.submit(tx, APP, account="u-lan", platform="forum", statement="Xin xem lại", clock=clock)
    clock.advance(DAY)
    with store.write() as tx:  # an upheld every removal, yet the suspension is the rule's: an may decide
        done = appeals.decide(tx, engine.policy, AN, appeal.id, outcome="reversed",
                              note="Đã xác minh tài khoản bị chiếm quyền", clock=clock)
    assert done.appeal.outcome == "reversed" and done.new_decision.action == "allow"
    assert done.new_decision.subject_kind == "account" and "khôi phục" in done.new_decision.decision.reasons["vi"]
    view = _account(store, engine, clock)
    assert view.account.status_at(clock.now()) == "active" and view.active == frozenset()
    assert all(s.removed_by == "an" and f"appeal {appeal.id}" in s.removal_reason for s in view.strikes)
    assert len(view.strikes) == 3 and [a.id for a in view.appeals] == [appeal.id]
    removed = _events(store, "strike.removed")
    assert len(removed) == 3 and {e.event.appeal for e in removed} == {appeal.id}
    assert [e.event.action for e in _events(store, "account.decided")] == ["suspend", "allow"]
    assert _events(store, "appeal.decided")[-1].event.subject == "account:forum:u-lan"
    # the same strikes never act again: a fourth scam starts over from one standing strike
    _post(store, engine, clock, "scam-9", SCAMS[0] + " gấp")
    _uphold(store, engine, clock, "scam-9")
    assert _account(store, engine, clock).account.status_at(clock.now()) == "active"
    assert verify(store).ok


def test_an_item_appeal_reversing_a_removal_takes_its_strike_back(store, engine):
    clock = FakeClock()
    _post(store, engine, clock, "scam-0", SCAMS[0])
    _uphold(store, engine, clock, "scam-0")
    with store.write() as tx:
        appeal = appeals.submit(tx, APP, item_id="scam-0", platform="forum", statement="Tôi tuyển dụng thật",
                                clock=clock)
    with store.write() as tx:
        appeals.decide(tx, engine.policy, BINH, appeal.id, outcome="reversed", clock=clock)
    view = _account(store, engine, clock)
    assert view.active == frozenset() and view.strikes[0].removed_by == "binh"


def test_an_upheld_appeal_against_an_engine_removal_strikes_once(store, engine):
    clock = FakeClock()
    _post(store, engine, clock, "scam-0", SCAMS[0])  # removed by the engine: no strike yet
    with store.write() as tx:
        appeal = appeals.submit(tx, APP, item_id="scam-0", platform="forum", statement="Không phải lừa đảo",
                                clock=clock)
    with store.write() as tx:
        appeals.decide(tx, engine.policy, BINH, appeal.id, outcome="upheld", clock=clock)
    _uphold(store, engine, clock, "scam-0")  # the engine's case upheld as well: still one strike for the item
    assert [s.item_id for s in _account(store, engine, clock).strikes] == ["scam-0"]


def test_a_manual_account_case_decided_ban(store, engine):
    clock = FakeClock()
    _post(store, engine, clock, "opinion-1", CRITIQUE)
    with pytest.raises(NotFoundError, match="account 'u-ghost' on platform 'forum' is not known"):
        with store.write() as tx:
            accounts.open_manual_case(tx, engine.policy, AN, "forum", "u-ghost", note="Tài khoản ảo", clock=clock)
    with pytest.raises(NotFoundError, match="platform 'shop'"):  # another platform's account is not this one
        with store.write() as tx:
            accounts.open_manual_case(tx, engine.policy, AN, "shop", "u-lan", note="Xem lại", clock=clock)
    with store.write() as tx:
        case = accounts.open_manual_case(tx, engine.policy, AN, "forum", "u-lan", category="scam",
                                         note="Nhiều người dùng phản ánh tài khoản lừa tiền qua tin nhắn", clock=clock)
    assert case.subject_kind == "account" and case.origin.startswith("account:manual") and case.item_version == 0
    with store.read() as tx:  # cases keep no note: it is read back from the case's opening event
        opening = accounts.case_opening(tx, case.id)
        assert accounts.case_opening(tx, case.id + 1000) is None
    assert (opening.note, opening.opened_by, opening.origin) == (
        "Nhiều người dùng phản ánh tài khoản lừa tiền qua tin nhắn", "an", "account:manual")
    with pytest.raises(ConflictError, match="already has an open case"):
        with store.write() as tx:
            accounts.open_manual_case(tx, engine.policy, AN, "forum", "u-lan", note="Lần nữa", clock=clock)
    with store.write() as tx:
        cases.claim(tx, AN, case.id, clock=clock)
    for bad, field in (({"action": "remove"}, "action"), ({"action": "ban", "duration_days": 30}, "duration_days"),
                       ({"action": "suspend", "clause": "9.9"}, "clause")):
        with pytest.raises(InputError) as err:
            with store.write() as tx:
                cases.decide(tx, engine.policy, AN, case.id, **{"clause": None} | bad, clock=clock)
        assert err.value.field == field
    with store.write() as tx:
        view = cases.decide(tx, engine.policy, AN, case.id, action="ban", clause="2.1",
                            note="Đã xác minh với ngân hàng", clock=clock)
    assert view.state == "decided" and view.content is None and view.outcome.action == "ban"
    assert "khóa vĩnh viễn" in view.outcome.decision.reasons["vi"] and "2.1" in view.outcome.decision.reasons["en"]
    assert view.outcome.decision.dsa["decision_account"] == "DECISION_ACCOUNT_TERMINATED"
    assert view.outcome.decision.dsa["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"  # an's own
    assert view.outcome.decider == "an"
    account = _account(store, engine, clock)
    assert account.account.status_at(clock.now() + 10_000 * DAY) == "banned" and account.open_cases == ()
    opened = _events(store, "account.case_opened")
    assert opened[0].event.origin == "account:manual" and "lừa tiền" in opened[0].event.note
    with store.read() as tx:
        assert [a.author_id for a in accounts.list_accounts(tx, status="banned", clock=clock)] == ["u-lan"]
        assert accounts.list_accounts(tx, status="active", clock=clock) == []


def test_a_suspension_for_a_set_time_from_a_case(store, engine):
    clock = FakeClock()
    _post(store, engine, clock, "scam-0", SCAMS[0])
    with store.write() as tx:
        case = accounts.open_manual_case(tx, engine.policy, AN, "forum", "u-lan", note="Theo dõi", clock=clock)
        cases.claim(tx, AN, case.id, clock=clock)
        cases.decide(tx, engine.policy, AN, case.id, action="suspend", clause="2.1", duration_days=14, clock=clock)
    assert _account(store, engine, clock).account.status_until == clock.now() + 14 * DAY
    clock.advance(15 * DAY)
    assert _account(store, engine, clock).account.status_at(clock.now()) == "active"


def test_impersonating_authors_become_account_cases_high_reach_first(store, engine):
    clock = FakeClock()
    small = {"id": "fake-1", "display_name": "Vietcombank - Chăm sóc khách hàng", "handle": "vcb.cskh24h",
             "followers": 10}
    big = {"id": "fake-2", "display_name": "Vietcombank Hỗ Trợ", "handle": "vietcombank.hotro", "followers": 1_000_000}
    _post(store, engine, clock, "p-small", "Quý khách vui lòng cập nhật thông tin tài khoản để tránh bị khóa.", small)
    _post(store, engine, clock, "p-big", "Chúc mừng bạn đã trúng thưởng, liên hệ để nhận quà.", big)
    _post(store, engine, clock, "p-big-2", "Nhận quà tri ân khách hàng, bấm vào đường dẫn để xác nhận.", big)
    with store.read() as tx:
        queued = [c for c in cases.list_cases(tx, clock=clock, limit=500) if c.case.subject_kind == "account"]
    assert [c.case.item_id for c in queued] == ["fake-2", "fake-1"]  # one open case per account, reach first
    assert queued[0].case.origin.startswith("account:impersonation") and queued[0].case.reach == 1_000_000
    opened = _events(store, "account.case_opened")
    assert {e.event.entity for e in opened} == {"vietcombank"}
    with store.read() as tx:
        view = cases.get_case(tx, queued[0].id, clock=clock)
    assert view.decision is not None and view.decision.item_id == "p-big"  # the evidence: the engine's decision
    with store.write() as tx:
        cases.claim(tx, BINH, queued[0].id, clock=clock)
        decided = cases.decide(tx, engine.policy, BINH, queued[0].id, action="suspend", clause=None, clock=clock)
    reasons = decided.outcome.decision.reasons
    assert "vietcombank" in reasons["en"] and "p-big" in reasons["en"] and decided.outcome.decision.clause == "2.2"
    assert _account(store, engine, clock, "fake-2").account.status_until is None  # until a moderator lifts it
