"""Reading the audit log: stored rows come back as :class:`StoredEvent`, their payload a declared event.

The HTTP API, the CLI and the transparency report read the log through here, never through
``khien.store`` (they sit above it). A row whose type or payload does not match its declaration in
:mod:`khien.audit.events` is refused with :class:`~khien.audit.events.AuditPayloadError` rather than
passed on as a free dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

import orjson

from ..store import Store
from ..store import audit as rows
from . import events as ev

__all__ = ["StoredEvent", "EventPage", "list_events", "iter_events", "head"]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the chain holds it: where it sits (``seq``, hashes), who, when, and what (``event``).

    ``payload`` is the stored JSON object exactly as it was hashed; ``event`` is the same payload
    parsed into its declared class (fields added to a declaration later take their defaults there).
    Read ``tolerant``-ly (the console's audit page), a row that does not match its declaration has
    ``event`` None and ``problem`` saying why, so an auditor still sees what was stored.
    """

    seq: int
    time: str
    actor: str
    type: str
    subject: str
    event: ev.Event | None
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str
    problem: str | None = None

    @classmethod
    def from_row(cls, row: rows.AuditRow, *, tolerant: bool = False) -> "StoredEvent":
        payload = orjson.loads(row.payload)
        try:
            event, problem = ev.parse(row.type, payload), None
        except ev.AuditPayloadError as exc:
            if not tolerant:
                raise
            event, problem = None, exc.message
        return cls(seq=row.seq, time=row.time, actor=row.actor, type=row.type, subject=row.subject, event=event,
                   payload=payload, prev_hash=row.prev_hash, hash=row.hash, problem=problem)

    @property
    def fields(self) -> Mapping[str, Any]:
        """The declared payload (defaults filled in), or the stored JSON when it could not be read so."""
        return self.event.payload() if self.event is not None else self.payload

    def to_dict(self) -> dict[str, object]:
        """As ``GET /v1/audit`` shows it (the stored payload, not a re-serialisation)."""
        return {"seq": self.seq, "time": self.time, "actor": self.actor, "type": self.type, "subject": self.subject,
                "payload": dict(self.payload), "prev_hash": self.prev_hash, "hash": self.hash}


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of the log and the ``after`` cursor for the next (``after`` itself when the page is empty)."""

    events: tuple[StoredEvent, ...]
    next_after: int

    def to_dict(self) -> dict[str, object]:
        return {"events": [e.to_dict() for e in self.events], "next_after": self.next_after}


def list_events(store: Store, *, after: int = 0, limit: int = 100, type: str | None = None,
                subject: str | None = None) -> EventPage:
    """Up to ``limit`` events with ``seq > after`` in order, optionally of one ``type`` and/or ``subject``."""
    with store.read() as tx:
        found = rows.events(tx, after=after, limit=limit, type=type, subject=subject)
    stored = tuple(StoredEvent.from_row(r) for r in found)
    return EventPage(stored, stored[-1].seq if stored else after)


def iter_events(store: Store, *, types: Sequence[str] | None = None) -> Iterator[StoredEvent]:
    """Every event (of ``types``, if given) in sequence order, in one read transaction."""
    with store.read() as tx:
        for row in rows.iter_all(tx, types=types):
            yield StoredEvent.from_row(row)


def head(store: Store) -> tuple[int, str]:
    """(sequence number, hash) of the last event: what a checkpoint or the console's audit page shows."""
    with store.read() as tx:
        return rows.head(tx)
