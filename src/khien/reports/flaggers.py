"""Trusted flaggers (DSA Art. 22): organisations whose notices go first and are answered in time.

An admin adds one with a name (normalised like key names, :mod:`khien.access.names`), its
organisation, an optional contact and ``respond_hours``: a report case holding its report is due
that many hours after it. Its accuracy is upheld / answered over its reports. Removing a flagger
keeps its row (its past reports still name it); a removed name may be added again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..access.names import clean_name, name_key
from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..clock import SYSTEM, Clock, iso
from ..errors import ConflictError, InputError, NotFoundError
from ..review.actor import Actor
from ..store import Tx
from ..store import reports as rows
from ..store.records_reports import Flagger, FlaggerAccuracy

__all__ = ["FlaggerView", "add", "list_flaggers", "remove", "MAX_RESPOND_HOURS"]

MAX_RESPOND_HOURS = 24 * 90
MAX_TEXT = 300


@dataclass(frozen=True, slots=True)
class FlaggerView:
    flagger: Flagger
    accuracy: FlaggerAccuracy

    def public(self) -> dict[str, Any]:
        f, a = self.flagger, self.accuracy
        return {"name": f.name, "organisation": f.organisation, "contact": f.contact,
                "respond_hours": f.respond_hours, "created_by": f.created_by, "created_at": f.created_at,
                "removed_at": f.removed_at, "reports": a.reports, "upheld": a.upheld, "rejected": a.rejected,
                "accuracy": a.accuracy}


def _text(value: str | None, field: str, *, required: bool) -> str | None:
    if value is None or not value.strip():
        if required:
            raise InputError(f"field '{field}' is required", field=field)
        return None
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise InputError(f"field '{field}' must be at most {MAX_TEXT} characters, found {len(value)}", field=field)
    return value


def add(tx: Tx, actor: Actor, *, name: str, organisation: str, respond_hours: int, contact: str | None = None,
        clock: Clock = SYSTEM) -> FlaggerView:
    """Register a trusted flagger. 409 when a live flagger has the same (normalised) name."""
    name = clean_name(name, field="name")
    if len(name) > 100:
        raise InputError(f"field 'name' must be at most 100 characters, found {len(name)}", field="name")
    org = _text(organisation, "organisation", required=True) or ""
    contact = _text(contact, "contact", required=False)
    if not isinstance(respond_hours, int) or isinstance(respond_hours, bool) or not 1 <= respond_hours <= MAX_RESPOND_HOURS:
        raise InputError(f"field 'respond_hours' must be a whole number of hours from 1 to {MAX_RESPOND_HOURS}, "
                         f"found {respond_hours!r}", field="respond_hours")
    if rows.live_flagger(tx, name_key(name)) is not None:
        raise ConflictError(f"a trusted flagger named {name!r} exists", hint="Remove it first, or pick another name.")
    when = iso(clock.now())
    fid = rows.insert_flagger(tx, name=name, name_key=name_key(name), organisation=org, contact=contact,
                              respond_hours=respond_hours, created_by=actor.name, created_at=when)
    record_many(tx, [AuditEvent(actor.name, f"flagger:{fid}", ev.FlaggerAdded(
        name=name, organisation=org, respond_hours=respond_hours))], time=when)
    flagger = rows.flaggers_by_id(tx, [fid])[fid]
    return FlaggerView(flagger, FlaggerAccuracy(0, 0, 0))


def list_flaggers(tx: Tx, *, include_removed: bool = False) -> list[FlaggerView]:
    """Flaggers with their accuracy, oldest first."""
    found = rows.list_flaggers(tx, include_removed=include_removed)
    acc = rows.flagger_accuracy(tx, [f.id for f in found])
    return [FlaggerView(f, acc[f.id]) for f in found]


def remove(tx: Tx, actor: Actor, name: str, *, clock: Clock = SYSTEM) -> FlaggerView:
    """Remove a live flagger (its row and past reports stay). 404 when there is none of that name."""
    found = rows.live_flagger(tx, name_key(name.strip()))
    if found is None:
        raise NotFoundError(f"no trusted flagger named {name!r}")
    when = iso(clock.now())
    if not rows.remove_flagger(tx, found.id, when):
        raise ConflictError(f"trusted flagger {name!r} was removed a moment ago")
    record_many(tx, [AuditEvent(actor.name, f"flagger:{found.id}", ev.FlaggerRemoved(name=found.name))], time=when)
    return FlaggerView(rows.flaggers_by_id(tx, [found.id])[found.id], rows.flagger_accuracy(tx, [found.id])[found.id])
