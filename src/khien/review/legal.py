"""The legal-request ledger: who asked, on what legal basis, for which items, and what was done.

Every request becomes a ledger entry and one case per item (at the top of the queue); the
moderators' decisions on those cases are recorded against the request, which is ``completed``
when every case is decided. Nothing is removed merely because an authority asked: a person
decides each item under the published policy, and the transparency report counts the requests.
"""

from __future__ import annotations

from typing import Sequence

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..clock import SYSTEM, Clock, iso
from ..enums import Action, CaseOrigin, CaseState, LegalStatus, values
from ..errors import InputError, NotFoundError
from ..store import Tx
from ..store import items as item_rows
from ..store import review as rows
from ..store.records import ItemKey, LegalRequest, NewCase
from .actor import Actor
from .decisions import LEGAL_SEVERITY, priority_base
from .views import LegalAction, LegalRequestView

__all__ = ["create", "get_request", "list_requests", "case_decided", "LegalRequestView", "LegalAction"]

REQUESTABLE = tuple(a for a in values(Action) if a != Action.ALLOW)


def _load(tx: Tx, request_id: int) -> LegalRequest:
    req = rows.get_legal_request(tx, request_id)
    if req is None:
        raise NotFoundError(f"legal request {request_id} does not exist")
    return req


def create(tx: Tx, actor: Actor, *, authority: str, legal_basis: str, items: Sequence[tuple[str, str]],
           requested_action: str, deadline: str, reference: str | None = None,
           clock: Clock = SYSTEM) -> LegalRequestView:
    """Record a request and open one case per item (deduplicated), at the top of the queue."""
    if requested_action not in REQUESTABLE:
        raise InputError(f"field 'requested_action' must be one of {', '.join(REQUESTABLE)}; "
                         f"found {requested_action!r}", field="requested_action")
    if not items:
        raise InputError("field 'items' must name at least one item", field="items")
    now = clock.now()
    when = iso(now)
    keys = [ItemKey(p, i) for p, i in dict.fromkeys((p or "", i) for p, i in items)]
    request_id = rows.insert_legal_request(
        tx, authority=authority, legal_basis=legal_basis, requested_action=requested_action, deadline=deadline,
        items_json=LegalRequest.items_json(keys), reference=reference, created_by=actor.name, created_at=when,
    )
    new_cases = []
    for key in keys:
        stored = item_rows.get_item(tx, key.platform, key.item_id)
        version = stored.version if stored else 1  # the request is about the text published now
        current = item_rows.decisions_in_force(tx, [(key.platform, key.item_id, version)]).get(
            (key.platform, key.item_id, version))
        reach = stored.reach if stored else 0
        new_cases.append(NewCase(
            platform=key.platform, item_id=key.item_id, origin=f"{CaseOrigin.LEGAL.value}:{request_id}",
            category=None, proposed_action=requested_action, decision_id=current.id if current else None,
            legal_request_id=request_id, severity=LEGAL_SEVERITY, reach=reach,
            priority_base=priority_base(LEGAL_SEVERITY, reach), created_at=when, created_ts=now,
            item_version=version,
        ))
    opened = rows.insert_cases(tx, new_cases)
    events = [AuditEvent(actor.name, f"legal_request:{request_id}", ev.LegalRequestCreated(
        authority=authority, legal_basis=legal_basis, requested_action=requested_action,
        deadline=deadline, reference=reference, items=len(keys), cases=tuple(opened),
    ))]
    events += [AuditEvent(actor.name, f"case:{cid}", ev.CaseOpened(
        item=c.item_id, platform=c.platform, category=None, proposed_action=requested_action, origin=c.origin,
    )) for cid, c in opened.items()]
    record_many(tx, events, time=when)
    return get_request(tx, request_id)


def get_request(tx: Tx, request_id: int) -> LegalRequestView:
    """A request and, per item, its case and what was done (``actions``). 404 unknown request."""
    req = _load(tx, request_id)
    return LegalRequestView(req, tuple(
        LegalAction(c, item_rows.get_decision(tx, c.outcome_decision_id) if c.outcome_decision_id else None)
        for c in rows.cases_for_legal_request(tx, request_id)
    ))


def list_requests(tx: Tx, *, limit: int = 50, offset: int = 0) -> list[LegalRequest]:
    """The ledger, newest first (without the per-item actions: :func:`get_request` reads those)."""
    return rows.list_legal_requests(tx, limit=limit, offset=offset)


def case_decided(tx: Tx, actor: Actor, request_id: int, case_id: int, action: str, *,
                 clock: Clock = SYSTEM) -> None:
    """Record what was done on one of the request's items; complete the request when all are done."""
    req = _load(tx, request_id)
    events = [AuditEvent(actor.name, f"legal_request:{request_id}", ev.LegalRequestAction(
        case=case_id, action=action, requested_action=req.requested_action,
        complied=action == req.requested_action,
    ))]
    remaining = [c for c in rows.cases_for_legal_request(tx, request_id) if c.state == CaseState.OPEN]
    if not remaining and req.status == LegalStatus.OPEN:
        rows.set_legal_status(tx, request_id, LegalStatus.COMPLETED)
        events.append(AuditEvent(actor.name, f"legal_request:{request_id}", ev.LegalRequestCompleted()))
    record_many(tx, events, time=iso(clock.now()))
