"""Migration 0700 and the campaign rows: up and down again, one row per (platform, key), members once."""

from sqlalchemy import inspect

from khien.store import Store, upgrade
from khien.store import campaigns as rows
from khien.store.migrate import downgrade, head_revision
from khien.store.records_campaigns import CampaignRow, MemberRecord

ROW = CampaignRow(platform="forum", key="cmp-0123456789ab", campaign=True, first_seen=1.0e9, last_seen=1.0e9 + 600,
                  size=3, accounts=("u1", "u2"), signals=("burst",), shared_entities=("zalo:0912345678",),
                  timeline=((1.0e9, 2), (1.0e9 + 300, 1)), score=0.75,
                  sample="Tuyển CTV việc nhẹ lương cao, ib Zalo 0912345678")


def test_0700_goes_up_and_down_again(db_url):
    store = Store(db_url)
    assert upgrade(store, "0700") == "0700"
    assert {"campaigns", "campaign_members"} <= set(inspect(store.engine).get_table_names())
    assert downgrade(store, "0600") == "0600"
    assert not {"campaigns", "campaign_members"} & set(inspect(store.engine).get_table_names())
    assert upgrade(store) == head_revision()
    store.dispose()


def test_a_campaign_is_stored_once_and_rewritten_only_when_it_changed(store):
    with store.write() as tx:
        first, changed = rows.upsert_campaign(tx, ROW, updated_at="2026-12-01T00:00:00Z")
        assert changed and first.row == ROW
        again, changed = rows.upsert_campaign(tx, ROW, updated_at="2026-12-01T00:01:00Z")
        assert not changed and again.updated_at == "2026-12-01T00:00:00Z" and again.id == first.id
        grown = CampaignRow(**{**{f: getattr(ROW, f) for f in ROW.__slots__}, "size": 9})
        later, changed = rows.upsert_campaign(tx, grown, updated_at="2026-12-01T00:02:00Z")
        assert changed and later.id == first.id
        assert rows.get_campaign(tx, "forum", ROW.key).row.size == 9
        assert rows.get_campaign(tx, "shop", ROW.key) is None


def test_members_are_added_once_per_campaign(store):
    m = [MemberRecord("forum", ROW.key, "p1", "u1", 1.0e9), MemberRecord("forum", ROW.key, "p2", None, None)]
    with store.write() as tx:
        assert rows.add_members(tx, m) == 2
        assert rows.add_members(tx, [*m, MemberRecord("forum", ROW.key, "p3", "u2", None)]) == 1
        assert [x.item_id for x in rows.members_of(tx, "forum", ROW.key)] == ["p1", "p2", "p3"]
        assert rows.campaigns_of_items(tx, "forum", ["p2", "zz"]) == {"p2": [ROW.key]}
