"""Migration 0500: items, decisions and cases stored before it become version 1 of their item."""

import orjson
from sqlalchemy import text

from khien.enums import ItemStatus
from khien.model import Item
from khien.review import Actor, intake
from khien.review.versions import content_hash
from khien.store import Store, upgrade
from khien.store.migrate import downgrade, head_revision
from khien.store import items as item_rows

SCAM = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"
FINE = "Hôm nay trời đẹp quá"


def _old_database(db_url, engine):
    """A database at 0400 holding a decided scam with its case, a pending item and a broken body."""
    store = Store(db_url)
    assert upgrade(store, "0400") == "0400"
    scam = Item.from_dict({"id": "p1", "platform": "forum", "text": SCAM, "reach": {"views": 40}})
    decision = engine.decide(scam)
    with store.engine.begin() as conn:
        for item_id, body, status in [
            ("p1", orjson.dumps(scam.to_dict()).decode(), "decided"),
            ("p2", orjson.dumps(Item("p2", FINE, platform="forum").to_dict()).decode(), "pending"),
            ("p3", "{không phải JSON", "failed"),
        ]:
            conn.execute(text("INSERT INTO items (platform, item_id, body, status, reach, received_at, attempts) "
                              "VALUES ('forum', :i, :b, :s, 40, '2026-11-01T00:00:00Z', 0)"),
                         {"i": item_id, "b": body, "s": status})
        decision_id = conn.execute(text(
            "INSERT INTO decisions (platform, item_id, policy, source, source_ref, action, category, automated, "
            "body, created_at) VALUES ('forum', 'p1', :p, 'engine', '', :a, 'scam', :t, :b, '2026-11-01T00:00:00Z') "
            "RETURNING id"),
            {"p": decision.policy, "a": decision.action, "t": True,
             "b": orjson.dumps(decision.to_dict(dsa=True, provenance=True)).decode()}).scalar_one()
        case_id = conn.execute(text(
            "INSERT INTO cases (platform, item_id, origin, category, proposed_action, decision_id, severity, "
            "reach, priority_base, state, created_at, created_ts) VALUES ('forum', 'p1', :o, 'scam', :a, :d, 3, "
            "40, 11.2, 'open', '2026-11-01T00:00:00Z', 1761955200.0) RETURNING id"),
            {"o": f"engine:{decision.policy}", "a": decision.action, "d": decision_id}).scalar_one()
    return store, scam, decision_id, case_id


def test_existing_items_decisions_and_cases_become_version_1(db_url, engine):
    store, scam, decision_id, case_id = _old_database(db_url, engine)
    upgrade(store)
    with store.read() as tx:
        p1 = item_rows.get_item(tx, "forum", "p1")
        assert p1.version == 1 and p1.content_hash == content_hash(scam.to_dict())
        (v1,) = item_rows.list_versions(tx, "forum", "p1")
        assert (v1.version, v1.content_hash, v1.received_at) == (1, p1.content_hash, "2026-11-01T00:00:00Z")
        assert item_rows.get_version(tx, "forum", "p1", 1).content()["text"] == SCAM
        assert item_rows.decisions_by_version(tx, "forum", "p1")[1].id == decision_id
        assert [v.version for v in item_rows.list_versions(tx, "forum", "p3")] == [1]  # kept, broken as it is
        assert item_rows.get_item(tx, "forum", "p2").status == ItemStatus.PENDING
        case_version = tx.conn.execute(text("SELECT item_version FROM cases WHERE id = :c"),
                                       {"c": case_id}).scalar_one()
        assert case_version == 1
    app = Actor("forum-app", "ingest")
    # the hash computed by the migration is the one the service computes: the same post is a replay...
    assert not intake.moderate(store, engine, scam, app).created
    # ...and other text a new version, with its own decision beside the old one
    edited = intake.moderate(store, engine, Item("p1", FINE, platform="forum"), app)
    assert edited.created and edited.version == 2 and edited.decision.action == "allow"
    store.dispose()


def test_the_migration_goes_down_again(db_url, engine):
    store, *_ = _old_database(db_url, engine)
    upgrade(store)
    assert downgrade(store, "0400") == "0400"
    with store.engine.connect() as conn:  # SQLite: enforcement is back on once the migration is over
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM decisions")).scalar_one() == 1
    assert upgrade(store) == head_revision()
    store.dispose()
