"""Campaign cases: recording the detector's clusters, one case per campaign, and the bulk decision.

The members are real Vietnamese "tuyển CTV" scam posts from different accounts, stored through the
ordinary intake (so each has the engine's decision first); time is a FakeClock.
"""

from dataclasses import replace

import pytest

from khien.audit import iter_events, verify
from khien.campaigns.records import Cluster
from khien.clock import FakeClock
from khien.errors import ConflictError, InputError, NotFoundError
from khien.model import Item
from khien.report.transparency import transparency_report
from khien.review import Actor, appeals, campaigns, cases, intake

T0 = 1_764_000_000.0
AN = Actor("an", "moderator", user_id=1)
BINH = Actor("binh", "moderator", user_id=2)
APP = Actor("forum-app", "ingest", key_id=1)
TEXTS = [
    "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678",
    "Tuyen CTV viec nhe luong cao, hoa hong 15%, ib Zalo 0912345679",
    "Tuyển ctv việc nhẹ lương rất cao, hoa hồng 15% ib zalo 0912345670 🔥",
    "Cần người đăng bài quảng cáo, lương theo ngày, nhắn Zalo 0912345678",  # the engine lets this one stay
]


def _cluster(members=("p1", "p2", "p3", "p4", "p9"), *, size=5, score=0.8, campaign=True):
    return Cluster(id=7, size=size, members=tuple(members), accounts=("u1", "u2", "u3", "u4"),
                   first_seen=T0, last_seen=T0 + 1800, shared_entities=("phone:09123456xx",),
                   timeline=((T0, 3), (T0 + 900, 2)), signals=("burst", "shared_contact"), campaign=campaign,
                   score=score, sample=TEXTS[0])


@pytest.fixture
def posted(store, engine):
    clock = FakeClock(T0)
    for n, text in enumerate(TEXTS, start=1):  # p9 is a member the store never received
        item = Item.from_dict({"id": f"p{n}", "platform": "forum", "text": text,
                               "author": {"id": f"u{n}", "display_name": f"Người {n}"}, "reach": {"views": 50}})
        with store.write() as tx:
            intake.moderate_many(tx, engine.policy, [(item, engine.decide(item))], clock=clock)
    return clock


def _campaign_cases(store, clock):
    with store.read() as tx:
        return [c for c in cases.list_cases(tx, clock=clock, state=None, limit=500)
                if c.case.subject_kind == "campaign"]


def _case_of(store, clock, key):
    return next(c.case for c in _campaign_cases(store, clock) if c.case.item_id == key)


def test_recording_opens_one_case_per_campaign_and_is_idempotent(store, posted):
    clock = posted
    first = campaigns.record_campaigns(store, "forum", [_cluster()], clock=clock)
    assert [(r.key, r.campaign, r.opened, r.changed) for r in first] == [(_cluster().key, True, True, True)]
    clock.advance(60)
    again = campaigns.record_campaigns(store, "forum", [_cluster()], clock=clock)
    assert [(r.opened, r.changed, r.case_id) for r in again] == [(False, False, first[0].case_id)]
    assert len(_campaign_cases(store, clock)) == 1
    with store.read() as tx:
        view = campaigns.get_campaign(tx, "forum", _cluster().key)
    assert view.campaign.row.size == 5 and [m.item_id for m in view.members] == ["p1", "p2", "p3", "p4", "p9"]
    assert view.members[1].account == "u2" and view.members[4].text is None
    opened = [e for e in iter_events(store) if e.type == "campaign.case_opened"]
    assert len(opened) == 1 and opened[0].payload["campaign"] == _cluster().key


def test_a_growing_cluster_updates_its_row_and_its_open_case_priority(store, posted):
    clock = posted
    campaigns.record_campaigns(store, "forum", [_cluster(("p1", "p2"), size=2, score=0.3)], clock=clock)
    before = _case_of(store, clock, _cluster(("p1",)).key)
    refs = campaigns.record_campaigns(store, "forum", [_cluster(("p1", "p2", "p3"), size=30, score=0.9)], clock=clock)
    assert refs[0].changed and not refs[0].opened
    after = _case_of(store, clock, _cluster(("p1",)).key)
    assert after.id == before.id and after.priority_base > before.priority_base and after.reach == 30


def test_a_cluster_that_is_not_a_campaign_is_stored_without_a_case(store, posted):
    refs = campaigns.record_campaigns(store, "forum", [_cluster(campaign=False)], clock=posted)
    assert refs[0].case_id is None and not _campaign_cases(store, posted)


def test_preview_counts_items_accounts_and_those_already_decided(store, posted):
    campaigns.record_campaigns(store, "forum", [_cluster()], clock=posted)
    with store.read() as tx:
        p = campaigns.preview(tx, "forum", _cluster().key, "remove")
    # four stored members by four accounts; p9 was never stored. The engine removed three on its own,
    # which is not a person's decision: none is "already decided" yet.
    assert (p.items, p.accounts, p.missing, p.already, p.to_decide) == (4, 4, 1, 0, 4)
    with store.read() as tx:
        assert sorted(m.decision.action for m in campaigns.get_campaign(tx, "forum", _cluster().key).stored) == [
            "allow", "remove", "remove", "remove"]


def test_the_bulk_decision_needs_a_reason_and_a_claim(store, engine, posted):
    key = _cluster().key
    campaigns.record_campaigns(store, "forum", [_cluster()], clock=posted)
    with pytest.raises(InputError, match="reason"):
        campaigns.decide_campaign(store, key, "remove", "   ", AN, posted, policy=engine.policy, clause="2.1",
                                  platform="forum")
    with pytest.raises(InputError, match="action"):
        campaigns.decide_campaign(store, key, "ban", "lừa đảo", AN, posted, policy=engine.policy, platform="forum")
    with pytest.raises(InputError, match="clause"):
        campaigns.decide_campaign(store, key, "remove", "lừa đảo", AN, posted, policy=engine.policy, clause="9.9",
                                  platform="forum")
    with pytest.raises(ConflictError, match="claimed by you"):
        campaigns.decide_campaign(store, key, "remove", "Lừa đảo tuyển CTV", AN, posted, policy=engine.policy,
                                  clause="2.1", platform="forum")
    with pytest.raises(NotFoundError):
        campaigns.decide_campaign(store, "cmp-000000000000", "remove", "x", AN, posted, policy=engine.policy,
                                  clause="2.1", platform="forum")


def _decide(store, engine, clock, who=AN, action="remove", clause="2.1"):
    key = _cluster().key
    case = _case_of(store, clock, key)
    with store.write() as tx:
        cases.claim(tx, who, case.id, clock=clock)
    return campaigns.decide_campaign(store, key, action, "Cùng một kịch bản tuyển CTV lừa đảo, đổi số điện thoại",
                                     who, clock, policy=engine.policy, clause=clause, platform="forum")


def test_the_bulk_decision_gives_each_member_its_own_decision_statement_and_event(store, engine, posted):
    campaigns.record_campaigns(store, "forum", [_cluster()], clock=posted)
    key = _cluster().key
    outcome = _decide(store, engine, posted)
    assert sorted(i for i, _ in outcome.decided) == ["p1", "p2", "p3", "p4"] and outcome.accounts == 4
    member_events = [e for e in iter_events(store) if e.type == "campaign.member_decided"]
    assert sorted(e.payload["item"] for e in member_events) == ["p1", "p2", "p3", "p4"]
    assert len({e.payload["decision"] for e in member_events}) == 4
    assert [e.payload["decided"] for e in iter_events(store) if e.type == "campaign.decided"] == [4]
    assert verify(store).ok
    # the transparency report counts them as four human decisions, made on a campaign
    report = transparency_report(store)
    assert report["decisions"]["human"].get("remove") == 4
    assert report["decisions"]["human_in_campaigns"] == {"remove": 4}
    with store.read() as tx:
        view = campaigns.get_campaign(tx, "forum", key)
        assert view.case.state == "decided" and view.campaign.confirmed_scam
        for m in view.stored:
            d = m.decision
            assert d.action == "remove" and d.source == "campaign" and d.decider == "an"
            assert key in d.decision.reasons["vi"] and "đổi số điện thoại" in d.decision.reasons["vi"]
            assert key in d.decision.reasons["en"]


def test_each_member_can_be_appealed_on_its_own(store, engine, posted):
    campaigns.record_campaigns(store, "forum", [_cluster()], clock=posted)
    _decide(store, engine, posted)
    with store.write() as tx:
        appeal = appeals.submit(tx, APP, item_id="p2", platform="forum",
                                statement="Tôi đăng tin tuyển dụng thật, không phải lừa đảo")
    with store.read() as tx:
        queue = appeals.list_appeals(tx)
        assert [a.item_id for a in queue] == ["p2"] and queue[0].id == appeal.id
        assert appeals.get_appeal(tx, appeal.id).decision.source == "campaign"
    # the moderator who decided the campaign may not decide the appeal; another one may
    from khien.errors import PermissionDenied
    with pytest.raises(PermissionDenied), store.write() as tx:
        appeals.decide(tx, engine.policy, AN, appeal.id, outcome="reversed", note="x", clock=posted)
    with store.write() as tx:
        appeals.decide(tx, engine.policy, BINH, appeal.id, outcome="reversed", note="Tin tuyển dụng thật", clock=posted)
    with store.read() as tx:
        view = campaigns.get_campaign(tx, "forum", _cluster().key)
    by_item = {m.item_id: m.decision.action for m in view.stored}
    assert by_item == {"p1": "remove", "p2": "allow", "p3": "remove", "p4": "remove"}


def test_re_running_skips_members_already_decided_so(store, engine, posted):
    campaigns.record_campaigns(store, "forum", [_cluster()], clock=posted)
    _decide(store, engine, posted)
    again = campaigns.decide_campaign(store, _cluster().key, "remove", "Chạy lại", AN, posted,
                                      policy=engine.policy, clause="2.1", platform="forum")
    assert again.decided == () and sorted(again.skipped) == ["p1", "p2", "p3", "p4"]
    with store.read() as tx:
        assert campaigns.preview(tx, "forum", _cluster().key, "remove").already == 4
    assert len([e for e in iter_events(store) if e.type == "campaign.member_decided"]) == 4


def test_a_campaign_case_is_not_decided_as_one_item(store, engine, posted):
    campaigns.record_campaigns(store, "forum", [_cluster()], clock=posted)
    case = _case_of(store, posted, _cluster().key)
    with store.write() as tx:
        cases.claim(tx, AN, case.id, clock=posted)
    with pytest.raises(InputError, match="campaign"), store.write() as tx:
        cases.decide(tx, engine.policy, AN, case.id, action="remove", clause="2.1", clock=posted)
