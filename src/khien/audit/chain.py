"""A hash chain over the audit events.

Each event's hash is ``sha256(canonical JSON of {seq, time, actor, type, subject, payload, prev_hash})``
where canonical JSON is UTF-8 with sorted keys and no whitespace. The first event's ``prev_hash`` is
64 zeros. A head row keeps the last (seq, hash): editing any field of any row breaks that row's hash,
deleting a row breaks the next row's ``prev_hash`` (or the sequence), and deleting the tail leaves the
head pointing past the last row. :func:`verify` reports the first event where the chain breaks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import orjson

from ..clock import SYSTEM, Clock, iso
from ..store import Store, Tx
from ..store import audit as rows
from .events import EVENTS, Event

__all__ = ["AuditEvent", "VerifyResult", "GENESIS", "canonical", "event_hash", "record", "record_many", "verify"]

GENESIS = "0" * 64


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def event_hash(seq: int, time: str, actor: str, type: str, subject: str, payload: Any, prev_hash: str) -> str:
    body = {"seq": seq, "time": time, "actor": actor, "type": type, "subject": subject, "payload": payload,
            "prev_hash": prev_hash}
    return hashlib.sha256(canonical(body)).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """An event to append: who (``actor``) did what (a declared :class:`Event`) to which ``subject``."""

    actor: str
    subject: str
    event: Event

    def __post_init__(self) -> None:
        if not isinstance(self.event, Event) or type(self.event).type not in EVENTS:
            raise TypeError(f"audit events must be declared in khien.audit.events, got {self.event!r}")

    @property
    def type(self) -> str:
        return self.event.type

    @property
    def payload(self) -> Mapping[str, Any]:
        return self.event.payload()


def record_many(tx: Tx, events: Iterable[AuditEvent], *, time: str | None = None, clock: Clock = SYSTEM) -> int:
    """Append events in order inside the caller's transaction; returns the last sequence number.

    Every event gets the same ``time``: the one given, else ``clock``'s now.
    """
    events = list(events)
    if not events:
        return 0
    seq, prev = rows.lock_head(tx, len(events))
    when = time or iso(clock.now())
    out = []
    for ev in events:
        seq += 1
        payload = orjson.loads(canonical(ev.payload))  # what verify will read back, exactly
        h = event_hash(seq, when, ev.actor, ev.type, ev.subject, payload, prev)
        out.append(rows.AuditRow(seq=seq, time=when, actor=ev.actor, type=ev.type, subject=ev.subject,
                                 payload=canonical(payload).decode(), prev_hash=prev, hash=h))
        prev = h
    rows.append_rows(tx, out)
    return seq


def record(tx: Tx, actor: str, subject: str, event: Event, *, time: str | None = None, clock: Clock = SYSTEM) -> int:
    return record_many(tx, [AuditEvent(actor, subject, event)], time=time, clock=clock)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    events: int
    head_seq: int
    bad_seq: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "events": self.events, "head_seq": self.head_seq}
        if not self.ok:
            out |= {"bad_seq": self.bad_seq, "problem": self.problem}
        return out


def verify(store: Store) -> VerifyResult:
    """Walk the whole chain; stop at the first event that does not hold."""
    with store.read() as tx:
        head_seq, head_hash = rows.head(tx)
        prev, expected, count = GENESIS, 1, 0
        for row in rows.iter_all(tx):
            seq = row.seq
            if seq != expected:
                return VerifyResult(False, count, head_seq, expected,
                                    f"event {expected} is missing (the next stored event is {seq})")
            if row.prev_hash != prev:
                return VerifyResult(False, count, head_seq, seq,
                                    f"event {seq} does not point to the hash of event {seq - 1}")
            try:
                payload = orjson.loads(row.payload)
            except orjson.JSONDecodeError:
                return VerifyResult(False, count, head_seq, seq, f"event {seq} has a payload that is not JSON")
            if event_hash(seq, row.time, row.actor, row.type, row.subject, payload, prev) != row.hash:
                return VerifyResult(False, count, head_seq, seq,
                                    f"event {seq} ({row.type} {row.subject}) was changed after it was written")
            prev, expected, count = row.hash, seq + 1, count + 1
        if head_seq != count:
            return VerifyResult(False, count, head_seq, count + 1,
                                f"the chain ends at event {count} but the head says {head_seq}: events were deleted")
        if head_hash != prev:
            return VerifyResult(False, count, head_seq, count,
                                f"event {count} does not match the hash the head recorded: it was rewritten")
        return VerifyResult(True, count, head_seq)
