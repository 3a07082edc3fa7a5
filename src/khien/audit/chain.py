"""A hash chain over the audit events.

Each event's hash is ``sha256(canonical JSON of {seq, time, actor, type, subject, payload, prev_hash})``
where canonical JSON is UTF-8 with sorted keys and no whitespace. The first event's ``prev_hash`` is
64 zeros. A head row keeps the last (seq, hash): editing any field of any row breaks that row's hash,
deleting a row breaks the next row's ``prev_hash`` (or the sequence), and deleting the tail leaves the
head pointing past the last row. :func:`verify` reports the first event where the chain breaks.

What the chain alone cannot catch is a rewrite by someone who can write the database: delete the
newest events and set the head row to match, or recompute every hash. Signed checkpoints
(:mod:`khien.audit.checkpoint`) catch those; :func:`walk` gives them what they compare against: the
recomputed hash and the content digest of the chain at chosen sequence numbers.

The content digest up to event ``n`` is ``sha256`` over, for each event 1..n in order, the canonical
JSON of ``{seq, time, actor, type, subject, payload}`` followed by a newline. It reads the stored
rows only (not the declared event classes, the engine or the policy), so a checkpoint stays
checkable however those change later.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Collection, Iterable, Mapping

import orjson

from ..clock import SYSTEM, Clock, iso
from ..store import Store, Tx
from ..store import audit as rows
from .events import EVENTS, Event

__all__ = ["AuditEvent", "VerifyResult", "Walk", "Mark", "GENESIS", "canonical", "event_hash", "content_line", "record",
           "record_many", "verify", "walk"]

GENESIS = "0" * 64


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _event_fields(seq: int, time: str, actor: str, type: str, subject: str, payload: Any) -> dict[str, Any]:
    return {"seq": seq, "time": time, "actor": actor, "type": type, "subject": subject, "payload": payload}


def event_hash(seq: int, time: str, actor: str, type: str, subject: str, payload: Any, prev_hash: str) -> str:
    body = _event_fields(seq, time, actor, type, subject, payload) | {"prev_hash": prev_hash}
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
    """What a check of the log found. ``bad_seq`` is the first event that does not hold (when not ``ok``).

    ``checkpoints`` counts the signed checkpoints checked against the chain (0: the chain alone).
    """

    ok: bool
    events: int
    head_seq: int
    bad_seq: int | None = None
    problem: str | None = None
    checkpoints: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "events": self.events, "head_seq": self.head_seq}
        if self.checkpoints:
            out["checkpoints"] = self.checkpoints
        if not self.ok:
            out |= {"bad_seq": self.bad_seq, "problem": self.problem}
        return out


def content_line(seq: int, time: str, actor: str, type: str, subject: str, payload: Any) -> bytes:
    """One event's contribution to the content digest (see the module docstring)."""
    return canonical(_event_fields(seq, time, actor, type, subject, payload)) + b"\n"


@dataclass(frozen=True, slots=True)
class Mark:
    """The chain as it stood at event ``seq``: its recomputed hash and the content digest of events 1..seq."""

    seq: int
    hash: str
    digest: str


@dataclass(frozen=True, slots=True)
class Walk:
    """The result of walking the chain: the check itself, the head row, and the requested marks.

    ``head_hash`` is ``None`` when the head row is missing. ``marks`` holds one :class:`Mark` per
    requested sequence number the walk reached (0 is the empty chain); ``end`` is the mark at the last
    event that holds.
    """

    result: VerifyResult
    head_hash: str | None
    end: Mark
    marks: dict[int, Mark] = field(default_factory=dict)


def _head_or_none(tx: Any) -> tuple[int, str] | None:
    # A missing head row is a tampering (or a broken restore) to report, not a crash.
    from sqlalchemy.exc import NoResultFound

    try:
        return rows.head(tx)
    except NoResultFound:
        return None


def walk(store: Store, marks: Collection[int] = ()) -> Walk:
    """Walk the whole chain in one read transaction; stop at the first event that does not hold.

    Each event is checked for its place in the sequence, its link to the one before and its own hash;
    then the head row is checked against the end of the chain. The sequence numbers in ``marks`` get
    a :class:`Mark` when the walk reaches them.
    """
    wanted = set(marks)
    digest = hashlib.sha256()
    with store.read() as tx:
        head_row = _head_or_none(tx)
        head_seq, head_hash = head_row if head_row is not None else (0, None)
        prev, expected, count = GENESIS, 1, 0
        found: dict[int, Mark] = {0: Mark(0, GENESIS, digest.hexdigest())} if 0 in wanted else {}

        def broken(bad: int, problem: str) -> Walk:
            end = Mark(count, prev, digest.hexdigest())
            return Walk(VerifyResult(False, count, head_seq, bad, problem), head_hash, end, found)

        for row in rows.iter_all(tx):
            seq = row.seq
            if seq != expected:
                return broken(expected, f"event {expected} is missing (the next stored event is {seq})")
            if row.prev_hash != prev:
                return broken(seq, f"event {seq} does not point to the hash of event {seq - 1}")
            try:
                payload = orjson.loads(row.payload)
            except orjson.JSONDecodeError:
                return broken(seq, f"event {seq} has a payload that is not JSON")
            if event_hash(seq, row.time, row.actor, row.type, row.subject, payload, prev) != row.hash:
                return broken(seq, f"event {seq} ({row.type} {row.subject}) was changed after it was written")
            digest.update(content_line(seq, row.time, row.actor, row.type, row.subject, payload))
            prev, expected, count = row.hash, seq + 1, count + 1
            if seq in wanted:
                found[seq] = Mark(seq, prev, digest.hexdigest())
        if head_row is None:
            last = f"event {count}" if count else "no event (the chain is empty)"
            return broken(count + 1, f"the audit head row is missing, so event {count + 1} cannot be appended "
                                     f"(the head should record {last}): the table audit_head was emptied or "
                                     "not restored")
        if head_seq != count:
            return broken(count + 1,
                          f"the chain ends at event {count} but the head says {head_seq}: events were deleted")
        if head_hash != prev:
            return broken(count, f"event {count} does not match the hash the head recorded: it was rewritten")
        return Walk(VerifyResult(True, count, head_seq), head_hash, Mark(count, prev, digest.hexdigest()), found)


def verify(store: Store) -> VerifyResult:
    """Walk the whole chain; stop at the first event that does not hold (see :func:`walk`)."""
    return walk(store).result
