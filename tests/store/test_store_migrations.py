"""The schema comes from the Alembic migrations, on SQLite and PostgreSQL alike."""

from dataclasses import replace

import pytest
from sqlalchemy.exc import IntegrityError

from khien.enums import ItemStatus
from khien.model import Decision
from khien.store import Store, current_revision, head_revision, upgrade
from khien.store import items as item_rows
from khien.store.records import NewDecision, NewItem
from khien.store.schema import decisions


def test_upgrade_reaches_head_and_is_idempotent(db_url):
    s = Store(db_url)
    assert current_revision(s) is None
    head = head_revision()
    assert upgrade(s) == head
    assert upgrade(s) == head
    s.dispose()


def _decision(item_id, source="engine", ref=""):
    body = Decision(id=item_id, action="allow", categories=(), rules=(), policy="p1", detectors=(),
                    reasons={"vi": "Nội dung được giữ nguyên.", "en": "The content stays up."})
    return NewDecision(platform="forum", decision=body, source=source, source_ref=ref, actor=None,
                       created_at="2026-01-01T00:00:00Z", category=None)


def test_an_engine_decision_cannot_be_stored_twice(store):
    with store.write() as tx:
        assert len(item_rows.insert_decisions(tx, [_decision("a"), _decision("b")])) == 2
    with store.write() as tx:
        # the repository skips what is already there...
        added = item_rows.insert_decisions(tx, [_decision("a"), _decision("c")])
        assert list(added) == [("forum", "c", 1)]
    # ...and the database itself refuses a plain second insert
    with pytest.raises(IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(decisions.insert(), [_decision("a").row()])
    with store.read() as tx:
        counts = item_rows.decision_counts(tx)
    assert counts[("forum", "a")] == 1


def test_human_decisions_are_kept_beside_the_engine_one(store):
    with store.write() as tx:
        item_rows.insert_decisions(tx, [_decision("a"), _decision("a", "case", "1"), _decision("a", "appeal", "1")])
        assert item_rows.latest_decision(tx, "forum", "a").source == "appeal"


def test_items_are_keyed_by_platform_and_id(store):
    row = NewItem(platform="forum", item_id="p1", body='{"id":"p1","text":"Hôm nay trời đẹp quá"}',
                  status=ItemStatus.PENDING, reach=0, received_at="2026-01-01T00:00:00Z", content_hash="cd" * 32)
    with store.write() as tx:
        assert item_rows.insert_items(tx, [row, replace(row, platform="shop")]) == {("forum", "p1"), ("shop", "p1")}
        assert item_rows.insert_items(tx, [row]) == set()
        assert item_rows.count_by_status(tx) == {"pending": 2}


def test_sqlite_runs_in_wal_mode(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'k.db'}")
    upgrade(s)
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
