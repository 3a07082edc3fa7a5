"""A campaign member's review case is raised in the queue (the default `campaign.member` rule's
`priority: 2`), over a real store."""

from khien.engine import Engine
from khien.model import Item
from khien.review import cases, intake
from khien.review.decisions import priority_base
SHOP = ("Shop mình đang có chương trình ưu đãi cuối tuần cho khách quen, các bạn nhắn Zalo 0987654{:03d} "
        "để được tư vấn miễn phí nhé")


def test_a_campaign_members_case_has_twice_the_priority(store):
    engine = Engine.from_policy()  # its own campaign state
    items = [Item.from_dict({"id": f"p{i}", "platform": "forum", "text": SHOP.format(i),
                             "created_at": f"2026-03-01T09:{i:02d}:00+07:00", "author": {"id": f"acct{i}"}})
             for i in range(6)]
    pairs = list(zip(items, engine.decide_batch(items)))
    assert [d.action for _i, d in pairs] == ["allow"] * 4 + ["review"] * 2
    with store.write() as tx:
        intake.record_engine_decisions(tx, engine.policy, pairs)
    with store.read() as tx:
        opened = {c.case.item_id: c.case for c in cases.list_cases(tx)}
    assert set(opened) == {"p4", "p5"}
    severity = engine.policy.categories["spam"].severity
    assert opened["p4"].priority_base == 2 * priority_base(severity, 0)
