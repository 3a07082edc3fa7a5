"""Console accounts and sessions in the store: the migration, expiry, sign-out, disabled accounts."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, update

from khien.server.console import auth
from khien.store import current_revision, head_revision
from khien.store import users as rows
from khien.store.migrate import alembic_config


def test_the_console_migration_adds_and_removes_its_tables(store):
    assert current_revision(store) == head_revision()
    assert {"console_users", "console_sessions"} <= set(inspect(store.engine).get_table_names())
    cfg = alembic_config(store)
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0100-1")
    assert "console_users" not in set(inspect(store.engine).get_table_names())


def test_sessions_expire_end_on_sign_out_and_with_a_disabled_account(store):
    with store.write() as tx:
        user = auth.create_user(tx, name="lan", role="moderator", password="một câu dài đủ an toàn")
    assert auth.authenticate(store, "lan", "sai mật khẩu rồi") is None
    assert auth.authenticate(store, "lan", "một câu dài đủ an toàn")["id"] == user["id"]
    live, short, gone = (auth.open_session(store, user["id"]), auth.open_session(store, user["id"], ttl=-1),
                         auth.open_session(store, user["id"]))
    assert auth.session_actor(store, live).name == "lan"
    assert auth.session_actor(store, short) is None  # expired
    auth.close_session(store, gone)
    assert auth.session_actor(store, gone) is None
    assert auth.session_actor(store, "x" * 500) is None and auth.session_actor(store, None) is None
    with store.write() as tx:
        tx.conn.execute(update(rows.console_users).values(disabled_at="2026-01-01T00:00:00Z"))
    assert auth.session_actor(store, live) is None
    assert auth.authenticate(store, "lan", "một câu dài đủ an toàn") is None


def test_only_the_hash_of_a_password_or_session_token_is_stored(store):
    with store.write() as tx:
        user = auth.create_user(tx, name="minh", role="moderator", password="một câu dài đủ an toàn")
    token = auth.open_session(store, user["id"])
    with store.read() as tx:
        stored = rows.find_user(tx, "minh")
        sessions = tx.conn.execute(rows.console_sessions.select()).all()
    assert stored["password_hash"].startswith("$argon2id$") and "một câu" not in stored["password_hash"]
    assert all(token not in s.token_hash for s in sessions)


def test_csrf_tokens_are_bound_to_their_secret():
    assert auth.csrf_ok("session-a", auth.csrf_token("session-a"))
    assert not auth.csrf_ok("session-b", auth.csrf_token("session-a"))
    assert not auth.csrf_ok(None, auth.csrf_token("session-a")) and not auth.csrf_ok("session-a", "")
