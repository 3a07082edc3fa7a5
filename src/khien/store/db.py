"""Engines, transactions and the dialect differences between SQLite and PostgreSQL."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DataError, IntegrityError, OperationalError

from ..errors import ConflictError, InputError, KhienError
from ..settings import DEFAULT_DATABASE_URL, setting_value

__all__ = ["DEFAULT_URL", "Store", "Tx", "open_store", "StoreError", "as_dict"]

DEFAULT_URL = DEFAULT_DATABASE_URL
SQLITE_BUSY_TIMEOUT_MS = 10_000


class StoreError(KhienError):
    """The database cannot be reached or is not at the expected schema."""

    code = "khien.store"


def as_dict(row: Any) -> dict[str, Any]:
    """A result row as a plain dict with plain ``str`` keys (JSON encoders reject str subclasses)."""
    return {str(k): v for k, v in row._mapping.items()}


class Tx:
    """One open transaction. Repository functions take it as their first argument."""

    __slots__ = ("conn", "dialect")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    def insert(self, table: Any):
        """An INSERT that supports ``on_conflict_do_nothing`` on both dialects."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The driver must not open transactions on its own: we emit BEGIN / BEGIN IMMEDIATE ourselves.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit that the API has acknowledged survives a power loss, not only a process kill.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE) so a transaction that read first never
    # fails half-way with SQLITE_BUSY_SNAPSHOT; readers use a plain deferred BEGIN.
    write = conn.get_execution_options().get("khien_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Store:
    """A database URL, its engine, and transactions on it."""

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = url
        try:
            if url.startswith("sqlite"):
                if url in ("sqlite://", "sqlite:///:memory:"):
                    raise InputError("an in-memory SQLite database cannot be shared by the server and its worker",
                                     hint="Use a file, e.g. sqlite:///khien.db.")
                self.engine: Engine = create_engine(
                    url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
                )
                event.listen(self.engine, "connect", _sqlite_pragmas)
                event.listen(self.engine, "begin", _sqlite_begin)
            elif url.startswith("postgresql"):
                self.engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size)
            else:
                raise InputError(
                    f"unsupported database URL {url!r}",
                    hint="Use sqlite:///path/to/khien.db or postgresql+psycopg://user@host:port/db.",
                )
        except ArgumentError as exc:
            raise InputError(f"invalid database URL {url!r}: {exc}") from exc
        self.dialect = self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A read-write transaction, committed when the block exits without an exception."""
        with self._errors_translated():
            with self.engine.connect().execution_options(khien_write=True) as conn:
                with conn.begin():
                    yield Tx(conn)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read-only transaction (a consistent snapshot on both databases)."""
        with self._errors_translated():
            with self.engine.connect() as conn:
                with conn.begin():
                    yield Tx(conn)

    @contextmanager
    def _errors_translated(self) -> Iterator[None]:
        """Database errors become Khiên errors with stable codes (never a 500 for bad input)."""
        try:
            yield
        except OperationalError as exc:
            raise StoreError(f"database error on {self._safe_url()}: {exc.orig}") from exc
        except IntegrityError as exc:
            raise ConflictError(f"the change conflicts with what is stored: {exc.orig}") from exc
        except DataError as exc:
            raise InputError(f"a value was rejected by the database: {exc.orig}") from exc
        except OverflowError as exc:
            raise InputError(f"a number is out of range: {exc}") from exc

    def _safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None, *, upgrade: bool = False) -> Store:
    """Open the store at ``url`` (default: ``KHIEN_DATABASE_URL`` or ``sqlite:///khien.db``).

    ``upgrade`` runs the migrations first (cheap when the schema is already at head).
    """
    url = url or setting_value("database_url")
    store = Store(url)
    if upgrade:
        from .migrate import upgrade as run_upgrade

        run_upgrade(store)
    return store
