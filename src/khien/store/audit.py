"""Rows of the audit chain. The hashing, verification and parsing into declared events live in ``khien.audit``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from sqlalchemy import select, update

from .db import Tx
from .schema import audit_events, audit_head

__all__ = ["AuditRow", "lock_head", "append_rows", "events", "recent", "head", "iter_all"]


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One stored event exactly as the chain holds it: ``payload`` is the canonical JSON text that was hashed."""

    seq: int
    time: str
    actor: str
    type: str
    subject: str
    payload: str
    prev_hash: str
    hash: str


def _row(row: object) -> AuditRow:
    return AuditRow(**{str(k): v for k, v in row._mapping.items()})  # type: ignore[attr-defined]


def lock_head(tx: Tx, count: int) -> tuple[int, str]:
    """Reserve ``count`` sequence numbers; returns (last seq before them, last hash).

    The UPDATE comes first so concurrent appenders queue on the head row until this commits.
    """
    seq, last_hash = tx.conn.execute(
        update(audit_head).where(audit_head.c.id == 1).values(seq=audit_head.c.seq + count)
        .returning(audit_head.c.seq, audit_head.c.hash)
    ).one()
    return seq - count, last_hash


def append_rows(tx: Tx, rows: Sequence[AuditRow]) -> None:
    tx.conn.execute(audit_events.insert(), [
        {"seq": r.seq, "time": r.time, "actor": r.actor, "type": r.type, "subject": r.subject, "payload": r.payload,
         "prev_hash": r.prev_hash, "hash": r.hash}
        for r in rows
    ])
    tx.conn.execute(update(audit_head).where(audit_head.c.id == 1).values(hash=rows[-1].hash))


def head(tx: Tx) -> tuple[int, str]:
    seq, last_hash = tx.conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
    return seq, last_hash


def _of(stmt, type: str | None, subject: str | None):
    if type:
        stmt = stmt.where(audit_events.c.type == type)
    if subject:
        stmt = stmt.where(audit_events.c.subject == subject)
    return stmt


def events(
    tx: Tx, *, after: int = 0, limit: int = 100, type: str | None = None, subject: str | None = None
) -> list[AuditRow]:
    """Events with ``seq > after``, oldest first (the API's cursor pages)."""
    stmt = _of(select(audit_events).where(audit_events.c.seq > after), type, subject)
    return [_row(r) for r in tx.conn.execute(stmt.order_by(audit_events.c.seq).limit(limit))]


def recent(
    tx: Tx, *, before: int | None = None, limit: int = 100, type: str | None = None, subject: str | None = None
) -> list[AuditRow]:
    """Events newest first (``seq < before`` when given): the console's audit page."""
    stmt = _of(select(audit_events), type, subject)
    if before:
        stmt = stmt.where(audit_events.c.seq < before)
    return [_row(r) for r in tx.conn.execute(stmt.order_by(audit_events.c.seq.desc()).limit(limit))]


def iter_all(tx: Tx, *, chunk: int = 5000, types: Sequence[str] | None = None) -> Iterator[AuditRow]:
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
            yield _row(row)
        after = rows[-1].seq
