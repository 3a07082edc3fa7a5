"""Migration 0300 upgrades a database whose names already collide, without losing an account."""

from sqlalchemy import text

from khien.store import Store, head_revision, upgrade


def test_existing_case_duplicates_survive_the_upgrade_and_new_ones_are_refused(tmp_path):
    import pytest

    from khien.access import create_user
    from khien.errors import ConflictError

    store = Store(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(store, "0200")
    with store.engine.begin() as conn:
        for name in ("an", "An"):
            conn.execute(text("INSERT INTO console_users (name, role, password_hash, created_at) "
                              "VALUES (:n, 'moderator', 'x', '2026-01-01T00:00:00Z')"), {"n": name})
        for name, revoked in (("Diễn đàn", None), ("diễn đàn", None), ("diễn đàn", "2026-01-02T00:00:00Z")):
            conn.execute(text("INSERT INTO api_keys (name, role, key_hash, prefix, created_at, revoked_at) "
                              "VALUES (:n, 'ingest', :h, 'p', '2026-01-01T00:00:00Z', :r)"),
                         {"n": name, "h": f"h{name}{revoked}", "r": revoked})
    assert upgrade(store) == head_revision()
    with store.engine.connect() as conn:
        users = conn.execute(text("SELECT name, name_key FROM console_users ORDER BY id")).all()
        keys = conn.execute(text("SELECT name_key FROM api_keys ORDER BY id")).scalars().all()
    assert users == [("an", "an"), ("An", "an#2")]
    assert keys == ["diễn đàn", "diễn đàn#2", "diễn đàn"]
    with pytest.raises(ConflictError):
        with store.write() as tx:
            create_user(tx, name="AN", role="admin", password="một câu dài đủ an toàn")
    store.dispose()
