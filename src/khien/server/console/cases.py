"""The queue and one case: claim, preview the statement of reasons, decide."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...enums import Action
from ...enums import values as values_of
from ...errors import KhienError
from ...model import Decision
from ...review import campaigns, cases, legal, queries
from ...review.views import CaseView
from ..problems import status_of
from . import account_cases, campaign_cases, factchecks, reports
from .accounts import summary_of
from .explain import gaps_of, rules_of, status_of as engine_status
from .present import evidence_of, highlight, impersonation, links, preview, signal_records
from .web import (
    claim_ttl,
    clauses_of,
    clock,
    clock_of,
    lang_of,
    error_page,
    json_page,
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
QUEUE_PAGE = 100
ACTIONS = values_of(Action)


# ---- queue -----------------------------------------------------------------------------------

def _filters(request: Request) -> dict[str, str | None]:
    q = request.query_params
    policy = policy_of(request)
    category = q.get("category") if q.get("category") in policy.categories else None
    action = q.get("action") if q.get("action") in ACTIONS else None
    source = q.get("source") if q.get("source") in queries.SOURCES else None
    return {"category": category, "action": action, "source": source}


def _snippet(body: str | None) -> tuple[str, dict[str, Any]]:
    item = orjson.loads(body) if body else {}
    text = " ".join(str(item.get("text", "")).split())
    return (text[:160] + "…" if len(text) > 160 else text), item


@router.get("/queue")
def queue(request: Request) -> Response:
    actor = require_role(request, "moderator")
    filters = _filters(request)
    try:
        page_no = max(1, min(10_000, int(request.query_params.get("page", "1"))))
    except ValueError:
        page_no = 1
    now = clock_of(request)
    with request.app.state.store.read() as tx:
        found = queries.queue(tx, clock=now, **filters, limit=QUEUE_PAGE + 1, offset=(page_no - 1) * QUEUE_PAGE)
        mine = queries.queue(tx, clock=now, claimed_by=actor.name, limit=20)
        held = queries.case_accounts(tx, [*found[:QUEUE_PAGE], *mine], clock=now)
        marks = reports.queue_marks(tx, found[:QUEUE_PAGE], clock=now)
        grouped = campaigns.campaign_cases(tx, [(c.id, c.platform, c.item_id) for c in [*found[:QUEUE_PAGE], *mine]
                                                if c.item_body is None and c.source == "campaign"])
    more = len(found) > QUEUE_PAGE
    rows = []
    for case in found[:QUEUE_PAGE]:
        snippet, item = _snippet(case.item_body)
        account = held.get(case.id)  # an account case: its name and followers instead of a text snippet
        rows.append({"id": case.id, "priority": case.priority, "category": case.category,
                     "subject": "account" if account else ("campaign" if case.id in grouped else "item"),
                     "campaign": grouped[case.id].row if case.id in grouped else None,
                     "account": summary_of(account, now.now()) if account else None,
                     "proposed_action": case.proposed_action, "source": case.source, "snippet": snippet,
                     "reach": case.reach, "created_at": case.created_at, "lock": case.holder,
                     "lock_until": clock(case.claim_expires_ts) if case.holder else None,
                     "platform_name": item.get("platform"), "report": marks.get(case.id)})
    mine_rows = [{"id": c.id, "category": c.category, "proposed_action": c.proposed_action, "source": c.source,
                  "account": summary_of(held[c.id], now.now()) if c.id in held else None,
                  "campaign": grouped[c.id].row if c.id in grouped else None} for c in mine]
    return page(request, "queue.html", rows=rows, mine=mine_rows, filters=filters, sources=list(queries.SOURCES),
                categories=list(policy_of(request).categories), actions=ACTIONS, msg=message_of(request),
                page_no=page_no, more=more, first=(page_no - 1) * QUEUE_PAGE,
                query={k: v for k, v in filters.items() if v})


@router.get("/queue/locks")
def queue_locks(request: Request) -> Response:
    """Who holds which open case right now (the queue's script refreshes its lock column with it)."""
    require_role(request, "moderator")
    with request.app.state.store.read() as tx:
        found = queries.queue(tx, clock=clock_of(request), limit=1000)
    locks = {str(c.id): {"who": c.holder, "until": clock(c.claim_expires_ts)} for c in found if c.holder}
    return json_page({"locks": locks, "open": [c.id for c in found]})


@router.post("/queue/claim-next")
@posted()
def claim_next(request: Request, form: dict[str, str]) -> Response:
    actor = require_role(request, "moderator")
    policy = policy_of(request)
    filters = {"category": form.get("category") if form.get("category") in policy.categories else None,
               "action": form.get("action") if form.get("action") in ACTIONS else None,
               "source": form.get("source") if form.get("source") in queries.SOURCES else None}
    store = request.app.state.store
    with store.read() as tx:
        candidates = queries.next_unclaimed(tx, clock=clock_of(request), **filters)
    for case_id in candidates:  # someone may take one between the read and the claim: try the next
        try:
            with store.write() as tx:
                cases.claim(tx, actor, case_id, ttl=claim_ttl(request), clock=clock_of(request))
            return redirect(f"/cases/{case_id}?msg=claimed")
        except KhienError:
            continue
    return redirect("/queue?msg=nothing_to_claim")


# ---- one case --------------------------------------------------------------------------------

def _published(case: CaseView) -> dict[str, Any]:
    """The decision under review as published with its signal records (``{}`` when there is none).

    The explainers (``explain``, ``present``) and the templates read this one form, the same the
    API publishes, so the page shows what an API client sees; it is built once per page, here.
    """
    return case.decision.public(provenance=True) if case.decision else {}


def _under_review(case: CaseView) -> Decision | None:
    return case.decision.decision if case.decision else None


def _case_view(request: Request, case_id: int) -> dict[str, Any]:
    store = request.app.state.store
    policy = policy_of(request)
    with store.read() as tx:
        case = cases.get_case(tx, case_id, clock=clock_of(request))
        panel = reports.panel_of(tx, case, clock=clock_of(request)) if reports.is_report_case(case) else {}
        if account_cases.is_account_case(case):
            return account_cases.view_of(tx, request, case) | panel
        if campaign_cases.is_campaign_case(case):
            return campaign_cases.view_of(tx, request, case)
        item = case.content or {}
        author = item.get("author") or {}
        history = []
        if author.get("id"):
            history = queries.author_history(tx, platform=case.platform, author_id=str(author["id"]),
                                              exclude_item=case.item_id)
        entry = legal.get_request(tx, case.legal_request_id) if case.legal_request_id else None
        decision = _published(case)
        text = str(item.get("text", ""))
        fact_checks = factchecks.view_of(tx, case.id, decision, text)
    lang = lang_of(request)
    return {
        "case": case, "item": item, "author": author, "history": history, "decision": decision,
        "outcome": case.outcome.decision if case.outcome else None,
        # Everything below explains the decision from what was stored with it; the engine is not run again.
        "rules": rules_of(decision, policy, lang), "engine_status": engine_status(decision),
        "gaps": gaps_of(decision, policy), "signal_records": signal_records(decision),
        "current_policy": policy.version,
        "segments": highlight(text, evidence_of(decision)),
        "links": links(text) if text else [], "impersonation": impersonation(item, decision),
        "media": [str(m) for m in item.get("media") or []], "legal_request": entry.request if entry else None,
        "clauses": clauses_of(policy), "actions": ACTIONS, "factchecks": fact_checks, **panel,
    }


def _decision_form(view: dict[str, Any], form: dict[str, str] | None = None) -> dict[str, str]:
    """The form's values: the engine's proposal and clause by default, or what was posted.

    Keeping content (``allow``) names no clause: a kept post broke no rule, so the statement the user
    receives must not name a category or clause either (a clause left selected is dropped).
    """
    case: CaseView = view["case"]
    decision = _under_review(case)
    default_clause = (decision.clause if decision else None) or ""
    if not default_clause and case.category:
        default_clause = next((c["clause"] for c in view["clauses"] if c["category"] == case.category), "")
    values = {"action": case.proposed_action or (decision.action if decision else None) or "review",
              "clause": default_clause, "note": ""}
    if form:
        values.update({k: form.get(k, "") for k in ("action", "clause", "note")})
    if values["action"] == Action.ALLOW:
        values["clause"] = ""
    values["note"] = values["note"][:2000]
    return values


def _preview(request: Request, view: dict[str, Any], values: dict[str, str]) -> tuple[dict[str, str] | None, str | None]:
    try:
        case: CaseView = view["case"]
        reasons = preview(policy_of(request), case.item_id, values["action"], values["clause"] or None,
                          values["note"] or None, _under_review(case))
        return reasons, None
    except KhienError as exc:
        return None, exc.message


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int) -> Response:
    require_role(request, "moderator")
    try:
        view = _case_view(request, case_id)
    except KhienError as exc:
        return error_page(request, exc)
    if view.get("account_case"):
        values = account_cases.form_values(view)
        with request.app.state.store.read() as tx:
            reasons, problem = account_cases.preview(tx, request, view["case"], values)
        return page(request, "case_account.html", **view, values=values, reasons=reasons, problem=problem,
                    msg=message_of(request))
    if view.get("campaign_case"):
        values = campaign_cases.form_values(view)
        with request.app.state.store.read() as tx:
            summary, problem = campaign_cases.preview(tx, view["case"], values)
        return page(request, "case_campaign.html", **view, values=values, summary=summary, problem=problem,
                    confirming=False, msg=message_of(request))
    values = _decision_form(view)
    reasons, problem = _preview(request, view, values)
    return page(request, "case.html", **view, values=values, reasons=reasons, problem=problem, msg=message_of(request))


@router.get("/cases/{case_id}/preview")
def case_preview(request: Request, case_id: int) -> Response:
    """The statement of reasons for the form's current values, as JSON (the form's script asks)."""
    require_role(request, "moderator")
    try:
        with request.app.state.store.read() as tx:  # only what the statement needs: it runs as the moderator types
            view = {"case": cases.get_case(tx, case_id, clock=clock_of(request)),
                    "clauses": clauses_of(policy_of(request))}
            if campaign_cases.is_campaign_case(view["case"]):
                asked = {"action": request.query_params.get("action", "")}
                summary, problem = campaign_cases.preview(tx, view["case"], campaign_cases.form_values(view, asked))
                return json_page({"preview": summary and {"items": summary.items, "accounts": summary.accounts,
                                                          "already": summary.already, "missing": summary.missing},
                                  "error": problem})
            if account_cases.is_account_case(view["case"]):
                asked = {k: request.query_params.get(k, "") for k in ("action", "clause", "note", "duration_days")}
                values = account_cases.form_values(view, asked)
                reasons, problem = account_cases.preview(tx, request, view["case"], values)
                return json_page({"reasons": reasons, "error": problem})
    except KhienError as exc:
        return json_page({"error": exc.message}, status_of(exc))
    values = _decision_form(view, {k: request.query_params.get(k, "") for k in ("action", "clause", "note")})
    reasons, problem = _preview(request, view, values)
    return json_page({"reasons": reasons, "error": problem})


@router.post("/cases/{case_id}/claim")
@posted()
def claim(request: Request, form: dict[str, str], case_id: int) -> Response:
    actor = require_role(request, "moderator")
    try:
        with request.app.state.store.write() as tx:
            cases.claim(tx, actor, case_id, ttl=claim_ttl(request), clock=clock_of(request))
    except KhienError as exc:
        return error_page(request, exc)
    return redirect(f"/cases/{case_id}?msg=claimed")


@router.post("/cases/{case_id}/decide")
@posted()
def decide(request: Request, form: dict[str, str], case_id: int) -> Response:
    actor = require_role(request, "moderator")
    try:
        view = _case_view(request, case_id)
    except KhienError as exc:
        return error_page(request, exc)
    if view.get("account_case"):
        return _decide_account(request, actor, view, form)
    if view.get("campaign_case"):
        return _decide_campaign(request, actor, view, form)
    values = _decision_form(view, form)
    reasons, problem = _preview(request, view, values)
    op = form.get("op", "decide")
    if problem or op == "preview" or form.get("confirm") != "1":
        status = 422 if problem else 200
        template = "confirm.html" if op == "decide" and not problem else "case.html"
        return page(request, template, status=status, **view, values=values, reasons=reasons, problem=problem,
                    msg=None)
    try:
        with request.app.state.store.write() as tx:
            cases.decide(tx, policy_of(request), actor, case_id, action=values["action"],
                         clause=values["clause"] or None, note=values["note"] or None, clock=clock_of(request))
    except KhienError as exc:
        return page(request, "case.html", status=status_of(exc), **view, values=values, reasons=reasons,
                    problem=exc.message, msg=None)
    return redirect(f"/cases/{case_id}?msg=decided")



def _decide_account(request: Request, actor: Any, view: dict[str, Any], form: dict[str, str]) -> Response:
    """An account case's decision: preview (and, without the script, a confirmation page) first,
    then ``cases.decide`` with the duration; a refusal shows the form again with the reason."""
    case = view["case"]
    values = account_cases.form_values(view, form)
    with request.app.state.store.read() as tx:
        reasons, problem = account_cases.preview(tx, request, case, values)
    op = form.get("op", "decide")
    if problem or op == "preview" or form.get("confirm") != "1":
        template = "confirm.html" if op == "decide" and not problem else "case_account.html"
        return page(request, template, status=422 if problem else 200, **view, values=values, reasons=reasons,
                    problem=problem, msg=None)
    try:
        with request.app.state.store.write() as tx:
            cases.decide(tx, policy_of(request), actor, case.id, action=values["action"],
                         clause=values["clause"] or None, note=values["note"] or None,
                         duration_days=account_cases.duration_of(values), clock=clock_of(request))
    except KhienError as exc:
        return page(request, "case_account.html", status=status_of(exc), **view, values=values, reasons=reasons,
                    problem=exc.message, msg=None)
    return redirect(f"/cases/{case.id}?msg=decided")


def _decide_campaign(request: Request, actor: Any, view: dict[str, Any], form: dict[str, str]) -> Response:
    """A campaign case's bulk decision: the preview (items, accounts, already decided) first, then a
    confirmation, then ``campaigns.decide_in`` (each member its own decision); a refusal (no reason,
    no claim) shows the form again with the reason."""
    case = view["case"]
    values = campaign_cases.form_values(view, form)
    with request.app.state.store.read() as tx:
        summary, problem = campaign_cases.preview(tx, case, values)
    if not problem and not values["reason"].strip():
        problem = text_of(request, "campaign_reason_required")
    op = form.get("op", "decide")
    if problem or op == "preview" or form.get("confirm") != "1":
        return page(request, "case_campaign.html", status=422 if problem else 200, **view, values=values,
                    summary=summary, problem=problem, confirming=op == "decide" and not problem, msg=None)
    try:
        with request.app.state.store.write() as tx:
            campaign_cases.decide(tx, request, actor, case, values)
    except KhienError as exc:
        return page(request, "case_campaign.html", status=status_of(exc), **view, values=values, summary=summary,
                    problem=exc.message, confirming=False, msg=None)
    return redirect(f"/cases/{case.id}?msg=decided")
