"""The review queue: list cases by priority, claim one (an expiring lock), decide it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ...review import cases
from ...review.actor import Actor
from ..auth import require
from ..deps import json_response, raw_body
from ..problems import body_schema, parse_model
from ..schemas import MAX_PLATFORM, CaseDecisionIn, CaseStateFilter

router = APIRouter(tags=["cases"])
moderator = require("moderator")


@router.get("/v1/cases", summary="Cases by priority (severity × reach × age)")
def list_cases(request: Request, actor: Actor = Depends(moderator),
               state: CaseStateFilter = "open",
               category: str | None = Query(None, max_length=40),
               platform: str | None = Query(None, max_length=MAX_PLATFORM),
               mine: bool = Query(False, description="Only cases I hold a live claim on."),
               unclaimed: bool = Query(False, description="Only cases nobody holds a live claim on."),
               limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)) -> Response:
    with request.app.state.store.read() as tx:
        found = cases.list_cases(tx, state=None if state == "all" else state, category=category, platform=platform,
                                 claimed_by=actor.name if mine else None, unclaimed=unclaimed, limit=limit,
                                 offset=offset, clock=request.app.state.clock)
    return json_response({"cases": [c.public() for c in found], "limit": limit, "offset": offset})


@router.get("/v1/cases/{case_id}", summary="A case with its item and the decision under review")
def get_case(request: Request, case_id: int, actor: Actor = Depends(moderator)) -> Response:
    with request.app.state.store.read() as tx:
        return json_response(cases.get_case(tx, case_id, clock=request.app.state.clock).public())


@router.post("/v1/cases/{case_id}/claim", summary="Claim a case (an expiring lock)")
def claim(request: Request, case_id: int, actor: Actor = Depends(moderator)) -> Response:
    with request.app.state.store.write() as tx:
        claimed = cases.claim(tx, actor, case_id, ttl=request.app.state.settings.claim_ttl_s,
                              clock=request.app.state.clock)
    return json_response(claimed.public())


@router.post("/v1/cases/{case_id}/decision", summary="Decide a claimed case",
             openapi_extra=body_schema(CaseDecisionIn))
def decide(request: Request, case_id: int, actor: Actor = Depends(moderator),
           raw: bytes = Depends(raw_body)) -> Response:
    body = parse_model(raw, CaseDecisionIn)
    with request.app.state.store.write() as tx:
        decided = cases.decide(tx, request.app.state.engine.policy, actor, case_id, action=body.action,
                               clause=body.clause, note=body.note, duration_days=body.duration_days,
                               clock=request.app.state.clock)
    return json_response(decided.public())
