"""Rows of the audit chain. The hashing and verification live in ``khien.audit``."""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from sqlalchemy import select, update

from .db import Tx, as_dict
from .schema import audit_events, audit_head

__all__ = ["lock_head", "append_rows", "events", "head", "iter_all"]


def lock_head(tx: Tx, count: int) -> tuple[int, str]:
    """Reserve ``count`` sequence numbers; returns (last seq before them, last hash).

    The UPDATE comes first so concurrent appenders queue on the head row until this commits.
    """
    seq, last_hash = tx.conn.execute(
        update(audit_head).where(audit_head.c.id == 1).values(seq=audit_head.c.seq + count)
        .returning(audit_head.c.seq, audit_head.c.hash)
    ).one()
    return seq - count, last_hash


def append_rows(tx: Tx, rows: Sequence[dict[str, Any]]) -> None:
    tx.conn.execute(audit_events.insert(), list(rows))
    tx.conn.execute(update(audit_head).where(audit_head.c.id == 1).values(hash=rows[-1]["hash"]))


def head(tx: Tx) -> tuple[int, str]:
    seq, last_hash = tx.conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
    return seq, last_hash


def events(
    tx: Tx, *, after: int = 0, limit: int = 100, type: str | None = None, subject: str | None = None
) -> list[dict[str, Any]]:
    stmt = select(audit_events).where(audit_events.c.seq > after)
    if type:
        stmt = stmt.where(audit_events.c.type == type)
    if subject:
        stmt = stmt.where(audit_events.c.subject == subject)
    stmt = stmt.order_by(audit_events.c.seq).limit(limit)
    return [as_dict(r) for r in tx.conn.execute(stmt)]


def iter_all(tx: Tx, *, chunk: int = 5000, types: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
    """Every event in sequence order, read in chunks."""
    after = 0
    while True:
        stmt = select(audit_events).where(audit_events.c.seq > after)
        if types:
            stmt = stmt.where(audit_events.c.type.in_(list(types)))
        rows = tx.conn.execute(stmt.order_by(audit_events.c.seq).limit(chunk)).all()
        if not rows:
            return
        for row in rows:
            yield as_dict(row)
        after = rows[-1].seq
