"""Appeals: the original decision, the user's statement, and a different moderator's decision."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...errors import KhienError
from ...model import ACTIONS
from ...review import appeals
from ...store import items as item_rows
from ..problems import status_of
from .present import evidence_of, highlight
from .web import (
    clauses_of,
    error_page,
    message_of,
    page,
    policy_of,
    posted,
    redirect,
    require_role,
    text_of,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/appeals")
def appeals_page(request: Request) -> Response:
    require_role(request, "moderator")
    state = request.query_params.get("state", "open")
    state = state if state in ("open", "decided") else "open"
    with request.app.state.store.read() as tx:
        found = appeals.list_appeals(tx, state=state, limit=200)
        for a in found:
            original = item_rows.get_decision(tx, a["original_decision"])
            a["original_action"] = original.action if original else None
            a["original_category"] = original.category if original else None
    return page(request, "appeals.html", rows=found, state=state, msg=message_of(request))


def _appeal_view(request: Request, appeal_id: int) -> dict[str, Any]:
    with request.app.state.store.read() as tx:
        appeal = appeals.get_appeal(tx, appeal_id)
        stored = item_rows.get_item(tx, appeal["item"]["platform"] or "", appeal["item"]["id"])
    item = stored.content() if stored else {}
    decision = appeal["decision"] or {}
    return {"appeal": appeal, "item": item, "decision": decision,
            "segments": highlight(str(item.get("text", "")), evidence_of(decision)),
            "clauses": clauses_of(policy_of(request)), "actions": ACTIONS,
            "media": [str(m) for m in item.get("media") or []]}


@router.get("/appeals/{appeal_id}")
def appeal_page(request: Request, appeal_id: int) -> Response:
    actor = require_role(request, "moderator")
    try:
        view = _appeal_view(request, appeal_id)
    except KhienError as exc:
        return error_page(request, exc)
    return page(request, "appeal.html", **view, values={"outcome": "", "action": "allow", "clause": "", "note": ""},
                own=view["appeal"]["original_decider"] == actor.name, problem=None, msg=message_of(request))


@router.post("/appeals/{appeal_id}/decide")
@posted()
def decide_appeal(request: Request, form: dict[str, str], appeal_id: int) -> Response:
    actor = require_role(request, "moderator")
    try:
        view = _appeal_view(request, appeal_id)
    except KhienError as exc:
        return error_page(request, exc)
    values = {k: form.get(k, "") for k in ("outcome", "action", "clause", "note")}
    values["note"] = values["note"][:2000]
    own = view["appeal"]["original_decider"] == actor.name
    if values["outcome"] not in appeals.OUTCOMES:
        return page(request, "appeal.html", status=422, **view, values=values, own=own,
                    problem=text_of(request, "appeal_pick_outcome"), msg=None)
    if form.get("confirm") != "1":
        return page(request, "appeal_confirm.html", **view, values=values, own=own, problem=None, msg=None)
    try:
        with request.app.state.store.write() as tx:
            appeals.decide(tx, policy_of(request), actor, appeal_id, outcome=values["outcome"],
                           note=values["note"] or None, action=values["action"] or "allow",
                           clause=values["clause"] or None)
    except KhienError as exc:
        return page(request, "appeal.html", status=status_of(exc), **view, values=values, own=own,
                    problem=exc.message, msg=None)
    return redirect(f"/appeals/{appeal_id}?msg=appeal_decided")


