"""Decisions that name a campaign record it: through ``intake.moderate`` (the API's path), the
campaign and its members are stored and ONE campaign case is opened, however many members arrive
and however often an item is sent again. A moderator's bulk removal as scam tells the engine's
stage, so a later member is removed with the campaign named."""

from khien.clock import FakeClock
from khien.engine import Engine
from khien.model import Item
from khien.review import Actor, campaigns, cases, intake

T0 = 1_772_330_400.0  # 2026-03-01 09:00 +07:00
APP = Actor("forum-app", "ingest", key_id=1)
AN = Actor("an", "moderator", user_id=1)
SHOP = ("Shop mình đang có chương trình ưu đãi cuối tuần cho khách quen, các bạn nhắn Zalo 0987654{:03d} "
        "để được tư vấn miễn phí nhé")


def _post(n: int) -> Item:
    return Item.from_dict({"id": f"s{n}", "platform": "forum", "text": SHOP.format(n),
                           "created_at": f"2026-03-01T09:{n:02d}:00+07:00", "author": {"id": f"acct{n}"}})


def _campaign_cases(store, clock):
    with store.read() as tx:
        return [c.case for c in cases.list_cases(tx, clock=clock, state=None, limit=500)
                if c.case.subject_kind == "campaign"]


def test_the_api_path_records_the_campaign_once_with_its_members(store):
    engine = Engine.from_policy()
    clock = FakeClock(T0)
    results = [intake.moderate(store, engine, _post(n), APP, clock=clock) for n in range(7)]
    named = {r.decision.facts["campaign"]["label"] for r in results if "campaign" in r.decision.facts}
    assert len(named) == 1 and results[3].decision.facts.get("campaign") is None  # a campaign from the 5th on
    key = named.pop()
    intake.moderate(store, engine, _post(6), APP, clock=clock)  # the same item again: nothing new
    opened = _campaign_cases(store, clock)
    assert [(c.item_id, c.platform) for c in opened] == [(key, "forum")]
    with store.read() as tx:
        view = campaigns.get_campaign(tx, "forum", key, clock=clock)
    assert view.campaign.row.size == 7 and {m.item_id for m in view.members} == {f"s{n}" for n in range(7)}


def test_a_bulk_scam_removal_confirms_the_campaign_in_the_engine(store):
    engine = Engine.from_policy()
    clock = FakeClock(T0)
    scam = ("Tuyển CTV làm nhiệm vụ like đơn hàng, hoàn tiền 130% sau 5 phút, nạp trước 200k để nhận nhiệm vụ, "
            "ib Zalo 0912345{:03d}")
    posts = [Item.from_dict({"id": f"t{n}", "platform": "forum", "text": scam.format(n),
                             "created_at": f"2026-03-01T10:{n:02d}:00+07:00", "author": {"id": f"u{n}"}})
             for n in range(6)]
    decided = [intake.moderate(store, engine, p, APP, clock=clock).decision for p in posts]
    key = next(d.facts["campaign"]["label"] for d in decided if "campaign" in d.facts)
    case = next(c for c in _campaign_cases(store, clock) if c.item_id == key)
    with store.write() as tx:
        cases.claim(tx, AN, case.id, clock=clock)
    done = campaigns.decide_campaign(store, key, "remove", "Cùng một kịch bản lừa nạp tiền làm nhiệm vụ",
                                     AN, clock, policy=engine.policy, clause="2.1", platform="forum")
    assert done.confirmed_scam and done.decided
    engine.confirm_campaign(done.key)
    later = intake.moderate(store, engine, Item.from_dict(
        {"id": "t9", "platform": "forum", "text": scam.format(9), "created_at": "2026-03-01T10:09:00+07:00",
         "author": {"id": "u9"}}), APP, clock=clock).decision
    assert later.facts["campaign.confirmed_scam"]["label"] is True
    assert later.action == "remove" and key in later.reasons["vi"]
