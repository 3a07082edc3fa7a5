"""Console accounts and sessions in the store: the migration, and CSRF tokens (accounts: tests/access)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from khien.server.console import auth
from khien.store import current_revision, head_revision
from khien.store.migrate import alembic_config


def test_the_console_migration_adds_and_removes_its_tables(store):
    assert current_revision(store) == head_revision()
    assert {"console_users", "console_sessions"} <= set(inspect(store.engine).get_table_names())
    cfg = alembic_config(store)
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0100-1")
    assert "console_users" not in set(inspect(store.engine).get_table_names())


def test_csrf_tokens_are_bound_to_their_secret():
    assert auth.csrf_ok("session-a", auth.csrf_token("session-a"))
    assert not auth.csrf_ok("session-b", auth.csrf_token("session-a"))
    assert not auth.csrf_ok(None, auth.csrf_token("session-a")) and not auth.csrf_ok("session-a", "")
