"""The legal-request ledger: who asked, on what legal basis, for which items, and what was done.

Every request becomes a ledger entry and one case per item (at the top of the queue); the
moderators' decisions on those cases are recorded against the request, which is ``completed``
when every case is decided. Nothing is removed merely because an authority asked: a person
decides each item under the published policy, and the transparency report counts the requests.
"""

from __future__ import annotations

from typing import Any, Sequence

import orjson

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..errors import InputError, NotFoundError
from ..model import ACTIONS
from ..store import Tx
from ..store import items as item_rows
from ..store import review as rows
from ..store.clock import iso, now_ts
from .actor import Actor
from .decisions import LEGAL_SEVERITY, priority_base

__all__ = ["create", "get_request", "list_requests", "case_decided"]


def _public(req: dict[str, Any], cases: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    out = {
        "id": req["id"], "authority": req["authority"], "legal_basis": req["legal_basis"],
        "requested_action": req["requested_action"], "deadline": req["deadline"], "reference": req["reference"],
        "items": orjson.loads(req["items"]), "created_by": req["created_by"], "created_at": req["created_at"],
        "status": req["status"],
    }
    if cases is not None:
        out["actions"] = [
            {"case": c["id"], "item": {"id": c["item_id"], "platform": c["platform"] or None}, "state": c["state"],
             "action": None, "decided_by": c["decided_by"], "decided_at": c["decided_at"],
             "_decision": c["outcome_decision_id"]}
            for c in cases
        ]
    return out


def create(tx: Tx, actor: Actor, *, authority: str, legal_basis: str, items: Sequence[tuple[str, str]],
           requested_action: str, deadline: str, reference: str | None = None) -> dict[str, Any]:
    if requested_action not in ACTIONS or requested_action == "allow":
        raise InputError(f"field 'requested_action' must be one of label, review, remove; found {requested_action!r}",
                         field="requested_action")
    if not items:
        raise InputError("field 'items' must name at least one item", field="items")
    when, now = iso(), now_ts()
    keys = list(dict.fromkeys((p or "", i) for p, i in items))
    request_id = rows.insert_legal_request(tx, {
        "authority": authority, "legal_basis": legal_basis, "requested_action": requested_action,
        "deadline": deadline, "reference": reference,
        "items": orjson.dumps([{"id": i, "platform": p or None} for p, i in keys]).decode(),
        "created_by": actor.name, "created_at": when, "status": "open",
    })
    case_rows = []
    for platform, item_id in keys:
        stored = item_rows.get_item(tx, platform, item_id)
        current = item_rows.latest_decision(tx, platform, item_id)
        reach = stored["reach"] if stored else 0
        case_rows.append({
            "platform": platform, "item_id": item_id, "origin": f"legal:{request_id}", "category": None,
            "proposed_action": requested_action, "decision_id": current["id"] if current else None,
            "legal_request_id": request_id, "severity": LEGAL_SEVERITY, "reach": reach,
            "priority_base": priority_base(LEGAL_SEVERITY, reach), "state": "open", "created_at": when,
            "created_ts": now,
        })
    case_ids = rows.insert_cases(tx, case_rows)
    events = [AuditEvent(actor.name, f"legal_request:{request_id}", ev.LegalRequestCreated(
        authority=authority, legal_basis=legal_basis, requested_action=requested_action,
        deadline=deadline, reference=reference, items=len(keys), cases=tuple(case_ids),
    ))]
    events += [AuditEvent(actor.name, f"case:{cid}", ev.CaseOpened(
        item=c["item_id"], platform=c["platform"], category=None, proposed_action=requested_action,
        origin=c["origin"],
    )) for cid, c in zip(case_ids, case_rows)]
    record_many(tx, events, time=when)
    return get_request(tx, request_id)


def get_request(tx: Tx, request_id: int) -> dict[str, Any]:
    req = rows.get_legal_request(tx, request_id)
    if req is None:
        raise NotFoundError(f"legal request {request_id} does not exist")
    out = _public(req, rows.cases_for_legal_request(tx, request_id))
    for entry in out["actions"]:
        decision_id = entry.pop("_decision")
        if decision_id:
            entry["action"] = item_rows.get_decision(tx, decision_id)["action"]
    return out


def list_requests(tx: Tx, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    return [_public(r) for r in rows.list_legal_requests(tx, limit=limit, offset=offset)]


def case_decided(tx: Tx, actor: Actor, request_id: int, case_id: int, action: str) -> None:
    """Record what was done on one of the request's items; complete the request when all are done."""
    req = rows.get_legal_request(tx, request_id)
    events = [AuditEvent(actor.name, f"legal_request:{request_id}", ev.LegalRequestAction(
        case=case_id, action=action, requested_action=req["requested_action"],
        complied=action == req["requested_action"],
    ))]
    remaining = [c for c in rows.cases_for_legal_request(tx, request_id) if c["state"] == "open"]
    if not remaining and req["status"] == "open":
        rows.set_legal_status(tx, request_id, "completed")
        events.append(AuditEvent(actor.name, f"legal_request:{request_id}", ev.LegalRequestCompleted()))
    record_many(tx, events)
