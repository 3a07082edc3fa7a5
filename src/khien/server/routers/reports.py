"""User reports: platforms send them (``ingest``), staff read them, reporters contest decisions not to act.

Who reads a report: an ``ingest`` key reads any report by id (keys are not scoped to a platform or
to the reports they sent; the platform's integration is one trust domain), without the mass-report
labels or the case's priority; ``auditor``, ``moderator`` and ``admin`` read everything and list.
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ...enums import Role
from ...reports import intake, outcomes, reads
from ...reports.desk import ReportDesk
from ...reports.rules import ReportRules
from ...review.actor import Actor
from ..auth import require
from ..deps import json_response, raw_body
from ..problems import body_schema, parse_json, parse_model
from ..schemas import MAX_PLATFORM, REPORTS_SCHEMA, ContestIn, ReportStateFilter

router = APIRouter(tags=["reports"])
_desk_lock = threading.Lock()


def _rules(request: Request) -> ReportRules:
    return ReportRules.from_settings(request.app.state.settings)


def _desk(request: Request) -> ReportDesk:
    """The app's ring detector (made on first use; :meth:`ReportDesk.load` rebuilds it from the store)."""
    state = request.app.state
    desk = getattr(state, "report_desk", None)
    if desk is None:
        with _desk_lock:
            desk = getattr(state, "report_desk", None)
            if desk is None:
                desk = state.report_desk = ReportDesk(rebuild_reports=_rules(request).rebuild_reports)
    return desk


@router.post("/v1/reports", status_code=201, summary="Report an item or an account",
             openapi_extra=body_schema(REPORTS_SCHEMA) | {"responses": {"201": {
                 "description": "Stored durably: `{\"id\", \"case\", \"state\"}`, or for a batch "
                                "`{\"ids\", \"cases\", \"accepted\"}` in the order sent."}}})
def submit(request: Request, actor: Actor = Depends(require("ingest")), raw: bytes = Depends(raw_body)) -> Response:
    """One report, or ``{"reports": [...]}`` (all or nothing; errors name the report). 404 an item
    not stored (send it first), 422 an unknown category (with the nearest one) or flagger, 429 a
    reporter limited after repeated rejected reports (until when and why)."""
    state = request.app.state
    rules = _rules(request)
    found, batch = intake.parse_body(parse_json(raw), state.engine.policy, rules)
    desk = _desk(request)
    with state.store.write() as tx:
        received = intake.submit(tx, desk, state.engine.policy, actor, found, batch=batch, clock=state.clock)
    return json_response(received.public(), status=201)


@router.get("/v1/reports", summary="Reports, newest first (staff)")
def list_reports(request: Request, actor: Actor = Depends(require(Role.AUDITOR, Role.MODERATOR)),
                 state: ReportStateFilter = "all", source: str | None = Query(None, pattern="^(user|flagger)$"),
                 suspicious: bool | None = None, platform: str | None = Query(None, max_length=MAX_PLATFORM),
                 subject: str | None = Query(None, max_length=320, description="item:<id> or account:<author id>"),
                 case: int | None = Query(None, ge=1, le=2**31 - 1),
                 limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)) -> Response:
    with request.app.state.store.read() as tx:
        found = reads.list_reports(tx, state=None if state == "all" else state, source=source,
                                   suspicious=suspicious, platform=platform, subject=subject, case=case,
                                   limit=limit, offset=offset, clock=request.app.state.clock)
    return json_response({"reports": [v.public() for v in found], "limit": limit, "offset": offset})


@router.get("/v1/reports/{report_id}", summary="A report, its state and the reporter's notice")
def get_report(request: Request, report_id: int, actor: Actor = Depends(require("ingest", "auditor", "moderator"))
               ) -> Response:
    with request.app.state.store.read() as tx:
        view = reads.get_report(tx, report_id, clock=request.app.state.clock)
    return json_response(view.public(staff=actor.role != Role.INGEST))


@router.post("/v1/reports/{report_id}/contest", status_code=201,
             summary="Contest a decision not to act on a report (an appeal by the reporter)",
             openapi_extra=body_schema(ContestIn))
def contest(request: Request, report_id: int, actor: Actor = Depends(require("ingest")),
            raw: bytes = Depends(raw_body)) -> Response:
    """Only a ``rejected`` report, once, within ``report_contest_days`` of its answer; a moderator
    other than the one who decided not to act decides it (``POST /v1/appeals/{id}/decision``)."""
    body = parse_model(raw, ContestIn)
    with request.app.state.store.write() as tx:
        appeal = outcomes.contest(tx, actor, report_id, statement=body.statement, rules=_rules(request),
                                  clock=request.app.state.clock)
    return json_response(appeal.public() | {"appellant": "reporter", "report": report_id}, status=201)
