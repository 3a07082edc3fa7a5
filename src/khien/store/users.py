"""Console accounts and their sign-in sessions.

Passwords are stored as argon2id hashes only (hashing happens in ``khien.server.console.auth``;
this module never sees a password). A session row keeps the sha256 of a random token that lives
in the browser's cookie, so a stolen database does not hand out live sessions, and signing out
(or disabling an account) ends a session at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, delete, select, update

from .db import Tx, as_dict
from .schema import metadata

__all__ = [
    "console_users",
    "console_sessions",
    "insert_user",
    "get_user",
    "find_user",
    "list_users",
    "set_password",
    "insert_session",
    "find_session",
    "delete_session",
    "delete_expired_sessions",
]

console_users = Table(
    "console_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),  # the Actor name: same person as an API key's name
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


def insert_user(tx: Tx, *, name: str, role: str, password_hash: str, created_at: str) -> int:
    result = tx.conn.execute(console_users.insert().values(name=name, role=role, password_hash=password_hash,
                                                           created_at=created_at))
    return int(result.inserted_primary_key[0])


def get_user(tx: Tx, user_id: int) -> dict[str, Any] | None:
    row = tx.conn.execute(select(console_users).where(console_users.c.id == user_id)).first()
    return as_dict(row) if row else None


def find_user(tx: Tx, name: str) -> dict[str, Any] | None:
    row = tx.conn.execute(select(console_users).where(console_users.c.name == name)).first()
    return as_dict(row) if row else None


def list_users(tx: Tx) -> list[dict[str, Any]]:
    rows = tx.conn.execute(select(console_users.c.id, console_users.c.name, console_users.c.role,
                                  console_users.c.created_at, console_users.c.disabled_at).order_by(console_users.c.id))
    return [as_dict(r) for r in rows]


def set_password(tx: Tx, user_id: int, password_hash: str) -> None:
    tx.conn.execute(update(console_users).where(console_users.c.id == user_id).values(password_hash=password_hash))


def insert_session(tx: Tx, *, token_hash: str, user_id: int, created_at: str, expires_ts: float) -> int:
    result = tx.conn.execute(console_sessions.insert().values(token_hash=token_hash, user_id=user_id,
                                                              created_at=created_at, expires_ts=expires_ts))
    return int(result.inserted_primary_key[0])


def find_session(tx: Tx, token_hash: str, *, now: float) -> dict[str, Any] | None:
    """The live session for ``token_hash`` joined with its (enabled) user, or ``None``."""
    row = tx.conn.execute(
        select(console_sessions.c.id.label("session_id"), console_sessions.c.expires_ts, console_users.c.id,
               console_users.c.name, console_users.c.role)
        .join(console_users, console_users.c.id == console_sessions.c.user_id)
        .where(console_sessions.c.token_hash == token_hash, console_sessions.c.expires_ts > now,
               console_users.c.disabled_at.is_(None))
    ).first()
    return as_dict(row) if row else None


def delete_session(tx: Tx, token_hash: str) -> bool:
    return tx.conn.execute(delete(console_sessions).where(console_sessions.c.token_hash == token_hash)).rowcount == 1


def delete_expired_sessions(tx: Tx, *, now: float) -> int:
    return tx.conn.execute(delete(console_sessions).where(console_sessions.c.expires_ts <= now)).rowcount
