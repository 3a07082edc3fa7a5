"""Appeals: the original decision, the user's statement, and a different moderator's decision.

An appeal is filed by the item's author (against an action) or by a reporter (against a decision
not to act on their report, ``POST /v1/reports/{id}/contest``): the list and the page say which,
and a reporter's appeal shows the report it contests and offers to uphold it (remove by default,
under the report category's clause).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...enums import Action, AppealState
from ...enums import values as values_of
from ...errors import KhienError
from ...review import appeals, intake
from ...reports import reads as report_reads
from ...reports.views import ReportView
from ...review.views import Appeal
from ..problems import status_of
from .present import evidence_of, highlight
from .web import (
    clock_of,
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
ACTIONS = values_of(Action)


@dataclass(frozen=True, slots=True)
class AppealRow:
    """One line of the appeals list: the appeal, the action and category it contests, and the
    report it contests when a reporter filed it (None: the author's appeal)."""

    appeal: Appeal
    original_action: str | None
    original_category: str | None
    report: ReportView | None = None


@router.get("/appeals")
def appeals_page(request: Request) -> Response:
    require_role(request, "moderator")
    state = request.query_params.get("state", AppealState.OPEN)
    state = state if state in values_of(AppealState) else AppealState.OPEN
    clauses = policy_of(request).clauses()
    rows = []
    with request.app.state.store.read() as tx:
        for appeal in appeals.list_appeals(tx, state=state, limit=200):
            original = appeals.get_appeal(tx, appeal.id).decision
            action = original.action if original else None
            # The category an action was taken under is the one its clause names (none for "allow").
            category = (clauses.get(original.decision.clause or "")
                        if original and action != Action.ALLOW else None)
            rows.append(AppealRow(appeal, action, category,
                                  report_reads.contested_report(tx, appeal.id, clock=clock_of(request))))
    return page(request, "appeals.html", rows=rows, state=state, msg=message_of(request))


def _appeal_view(request: Request, appeal_id: int) -> dict[str, Any]:
    with request.app.state.store.read() as tx:
        found = appeals.get_appeal(tx, appeal_id)
        stored = intake.item_state(tx, found.appeal.platform, found.appeal.item_id)
        report = report_reads.contested_report(tx, appeal_id, clock=clock_of(request))
    content = stored.content if stored else None
    item = content if isinstance(content, dict) else {}
    # The template and the evidence marks read the contested decision in its published form.
    decision = found.decision.public(provenance=True) if found.decision else {}
    return {"appeal": found.appeal, "item": item, "decision": decision, "contested": found.decision,
            "new_decision": found.new_decision.decision if found.new_decision else None, "report": report,
            "segments": highlight(str(item.get("text", "")), evidence_of(decision)),
            "clauses": clauses_of(policy_of(request)), "actions": ACTIONS,
            "media": [str(m) for m in item.get("media") or []]}


def _defaults(view: dict[str, Any]) -> dict[str, str]:
    """The form's first values: an author's appeal reverses to ``allow`` (restore); a reporter's
    appeal contests a decision not to act, so upholding the report removes the item under the
    clause of the category reported."""
    report: ReportView | None = view["report"]
    if report is None:
        return {"outcome": "", "action": Action.ALLOW, "clause": "", "note": ""}
    clause = next((c["clause"] for c in view["clauses"] if c["category"] == report.report.category), "")
    return {"outcome": "", "action": Action.REMOVE, "clause": clause, "note": ""}


@router.get("/appeals/{appeal_id}")
def appeal_page(request: Request, appeal_id: int) -> Response:
    actor = require_role(request, "moderator")
    try:
        view = _appeal_view(request, appeal_id)
    except KhienError as exc:
        return error_page(request, exc)
    return page(request, "appeal.html", **view, values=_defaults(view), own=appeals.made_by(view["contested"], actor), problem=None, msg=message_of(request))


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
    if (values["action"] or Action.ALLOW) == Action.ALLOW:
        values["clause"] = ""  # restoring content names no clause (see cases._decision_form)
    own = appeals.made_by(view["contested"], actor)
    if values["outcome"] not in appeals.OUTCOMES:
        return page(request, "appeal.html", status=422, **view, values=values, own=own,
                    problem=text_of(request, "appeal_pick_outcome"), msg=None)
    if form.get("confirm") != "1":
        return page(request, "appeal_confirm.html", **view, values=values, own=own, problem=None, msg=None)
    try:
        with request.app.state.store.write() as tx:
            appeals.decide(tx, policy_of(request), actor, appeal_id, outcome=values["outcome"],
                           note=values["note"] or None, action=values["action"] or "allow",
                           clause=values["clause"] or None, clock=clock_of(request))
    except KhienError as exc:
        return page(request, "appeal.html", status=status_of(exc), **view, values=values, own=own,
                    problem=exc.message, msg=None)
    return redirect(f"/appeals/{appeal_id}?msg=appeal_decided")


