"""Alembic migrations, configured in code so they run from an installed package."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

if TYPE_CHECKING:
    from .db import Store

__all__ = ["alembic_config", "upgrade", "downgrade", "current_revision", "head_revision"]

_HERE = Path(__file__).parent


def alembic_config(store: "Store | None" = None) -> Config:
    cfg = Config(str(_HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    if store is not None:
        cfg.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    return cfg


@contextmanager
def _migrating(store: "Store") -> Iterator[Config]:
    """One transaction for a migration run, with an Alembic config using its connection.

    On SQLite, foreign-key enforcement is off during the run: batch mode rebuilds a table by
    creating a copy and dropping the original, and dropping ``decisions`` while cases point at it
    fails an immediate check (``PRAGMA foreign_keys`` is ignored inside a transaction, so it is set
    on the bare connection before the transaction begins). The keys are checked before the commit.
    """
    cfg = alembic_config(store)
    with store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                yield cfg
                if raw is not None:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def upgrade(store: "Store", revision: str = "head") -> str:
    """Bring the schema to ``revision``; returns the revision the database is at afterwards."""
    with _migrating(store) as cfg:
        command.upgrade(cfg, revision)
    return current_revision(store) or ""


def downgrade(store: "Store", revision: str) -> str:
    """Take the schema back to ``revision``; returns the revision the database is at afterwards."""
    with _migrating(store) as cfg:
        command.downgrade(cfg, revision)
    return current_revision(store) or ""


def current_revision(store: "Store") -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""
