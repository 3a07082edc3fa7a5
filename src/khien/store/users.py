"""Console accounts and their sign-in sessions.

Passwords are stored as argon2id hashes only (hashing happens in ``khien.access.accounts``;
this module never sees a password). A session row keeps the sha256 of a random token that lives
in the browser's cookie, so a stolen database does not hand out live sessions, and signing out
(or disabling an account) ends a session at once.

``name_key`` is the case-folded NFKC form of ``name`` (computed by ``khien.access.names``) under a
unique index, so ``An`` cannot join ``an``. ``signin_failures`` keeps failed sign-ins per account
name and per client address for the throttle in ``khien.access.throttle``: in the database, so
every server process sees the same counts and no flood of other names can push them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, delete, func, select, update

from .db import Tx
from .schema import metadata

__all__ = [
    "ConsoleUser",
    "ConsoleSession",
    "console_users",
    "console_sessions",
    "signin_failures",
    "FailureCount",
    "insert_user",
    "get_user",
    "find_user",
    "list_users",
    "set_password",
    "insert_session",
    "find_session",
    "delete_session",
    "delete_expired_sessions",
    "delete_user_sessions",
    "set_disabled",
    "find_user_by_key",
    "record_failure",
    "count_failures",
    "clear_failures",
    "prune_failures",
]

console_users = Table(
    "console_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),  # as shown on decisions and in the audit log
    Column("name_key", String(200), nullable=False, unique=True),  # case-folded NFKC: one account per spelling
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("disabled_at", String(40)),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("console_users.id"), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_ts", Float, nullable=False),
)
Index("ix_console_sessions_expires", console_sessions.c.expires_ts)

signin_failures = Table(
    "signin_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scope", String(10), nullable=False),  # 'name' (an account name's key) | 'addr' (a client address)
    Column("subject", String(300), nullable=False),
    Column("ts", Float, nullable=False),
)
Index("ix_signin_failures_subject", signin_failures.c.scope, signin_failures.c.subject, signin_failures.c.ts)
Index("ix_signin_failures_ts", signin_failures.c.ts)


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    """A console account. ``password_hash`` is empty in listings and never part of :meth:`public`."""

    id: int
    name: str
    role: str
    created_at: str
    disabled_at: str | None = None
    password_hash: str = field(default="", repr=False)

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None

    def public(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "role": self.role, "created_at": self.created_at,
                "disabled_at": self.disabled_at}


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """A live session and the (enabled) account it signs in."""

    session_id: int
    expires_ts: float
    user_id: int
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class FailureCount:
    """Failed sign-ins of one subject since a time: how many, and the first and last of them."""

    count: int
    first_ts: float | None
    last_ts: float | None


def _user(row: object) -> ConsoleUser:
    return ConsoleUser(**{str(k): v for k, v in row._mapping.items() if k != "name_key"})  # type: ignore[attr-defined]


def insert_user(tx: Tx, *, name: str, name_key: str, role: str, password_hash: str, created_at: str) -> int:
    result = tx.conn.execute(console_users.insert().values(name=name, name_key=name_key, role=role,
                                                           password_hash=password_hash, created_at=created_at))
    return int(result.inserted_primary_key[0])


def find_user_by_key(tx: Tx, name_key: str) -> ConsoleUser | None:
    """The account whose name compares equal to ``name_key`` (case-folded NFKC)."""
    row = tx.conn.execute(select(console_users).where(console_users.c.name_key == name_key)).first()
    return _user(row) if row else None


def set_disabled(tx: Tx, user_id: int, disabled_at: str | None) -> bool:
    """Disable (a time) or enable (``None``) an account; False when it was already so."""
    cond = console_users.c.disabled_at.is_(None) if disabled_at else console_users.c.disabled_at.is_not(None)
    result = tx.conn.execute(update(console_users).where(console_users.c.id == user_id, cond)
                             .values(disabled_at=disabled_at))
    return result.rowcount == 1


def delete_user_sessions(tx: Tx, user_id: int) -> int:
    return tx.conn.execute(delete(console_sessions).where(console_sessions.c.user_id == user_id)).rowcount


def record_failure(tx: Tx, scope: str, subject: str, ts: float) -> None:
    tx.conn.execute(signin_failures.insert().values(scope=scope, subject=subject, ts=ts))


def count_failures(tx: Tx, scope: str, subject: str, since: float) -> FailureCount:
    row = tx.conn.execute(
        select(func.count(), func.min(signin_failures.c.ts), func.max(signin_failures.c.ts))
        .where(signin_failures.c.scope == scope, signin_failures.c.subject == subject, signin_failures.c.ts > since)
    ).one()
    return FailureCount(int(row[0]), row[1], row[2])


def clear_failures(tx: Tx, scope: str, subject: str) -> None:
    tx.conn.execute(delete(signin_failures).where(signin_failures.c.scope == scope,
                                                  signin_failures.c.subject == subject))


def prune_failures(tx: Tx, before: float) -> int:
    """Forget failures older than ``before`` (they no longer count in any window)."""
    return tx.conn.execute(delete(signin_failures).where(signin_failures.c.ts <= before)).rowcount


def get_user(tx: Tx, user_id: int) -> ConsoleUser | None:
    row = tx.conn.execute(select(console_users).where(console_users.c.id == user_id)).first()
    return _user(row) if row else None


def find_user(tx: Tx, name: str) -> ConsoleUser | None:
    row = tx.conn.execute(select(console_users).where(console_users.c.name == name)).first()
    return _user(row) if row else None


def list_users(tx: Tx) -> list[ConsoleUser]:
    """Every account, without password hashes."""
    rows = tx.conn.execute(select(console_users.c.id, console_users.c.name, console_users.c.role,
                                  console_users.c.created_at, console_users.c.disabled_at).order_by(console_users.c.id))
    return [_user(r) for r in rows]


def set_password(tx: Tx, user_id: int, password_hash: str) -> None:
    tx.conn.execute(update(console_users).where(console_users.c.id == user_id).values(password_hash=password_hash))


def insert_session(tx: Tx, *, token_hash: str, user_id: int, created_at: str, expires_ts: float) -> int:
    result = tx.conn.execute(console_sessions.insert().values(token_hash=token_hash, user_id=user_id,
                                                              created_at=created_at, expires_ts=expires_ts))
    return int(result.inserted_primary_key[0])


def find_session(tx: Tx, token_hash: str, *, now: float) -> ConsoleSession | None:
    """The live session for ``token_hash`` joined with its (enabled) user, or ``None``."""
    row = tx.conn.execute(
        select(console_sessions.c.id.label("session_id"), console_sessions.c.expires_ts,
               console_users.c.id.label("user_id"), console_users.c.name, console_users.c.role)
        .join(console_users, console_users.c.id == console_sessions.c.user_id)
        .where(console_sessions.c.token_hash == token_hash, console_sessions.c.expires_ts > now,
               console_users.c.disabled_at.is_(None))
    ).first()
    return ConsoleSession(**{str(k): v for k, v in row._mapping.items()}) if row else None


def delete_session(tx: Tx, token_hash: str) -> bool:
    return tx.conn.execute(delete(console_sessions).where(console_sessions.c.token_hash == token_hash)).rowcount == 1


def delete_expired_sessions(tx: Tx, *, now: float) -> int:
    return tx.conn.execute(delete(console_sessions).where(console_sessions.c.expires_ts <= now)).rowcount
