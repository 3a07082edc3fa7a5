"""Appeals: a user contests a decision; a different moderator decides."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ...errors import InputError
from ...review import appeals
from ...review.actor import Actor
from ..auth import require
from ..deps import json_response, raw_body
from ..problems import body_schema, parse_model
from ..schemas import AppealDecisionIn, AppealIn, AppealStateFilter

router = APIRouter(tags=["appeals"])


@router.post("/v1/appeals", status_code=201, summary="Appeal the decision in force on an item or an account",
             openapi_extra=body_schema(AppealIn))
def submit(request: Request, actor: Actor = Depends(require("ingest")), raw: bytes = Depends(raw_body)) -> Response:
    body = parse_model(raw, AppealIn)
    if (body.item is None) == (body.account is None):
        raise InputError("name either the item (field 'item') or the account (field 'account') whose decision "
                         "is appealed, not both", field="item" if body.item is None else "account")
    with request.app.state.store.write() as tx:
        appeal = appeals.submit(tx, actor, item_id=body.item, account=body.account, platform=body.platform,
                                statement=body.statement, clock=request.app.state.clock)
    return json_response(appeal.public(), status=201)


@router.get("/v1/appeals", summary="Appeals, oldest first")
def list_appeals(request: Request, actor: Actor = Depends(require("moderator")),
                 state: AppealStateFilter = "open",
                 limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)) -> Response:
    with request.app.state.store.read() as tx:
        found = appeals.list_appeals(tx, state=None if state == "all" else state, limit=limit, offset=offset)
    return json_response({"appeals": [a.public() for a in found], "limit": limit, "offset": offset})


@router.get("/v1/appeals/{appeal_id}", summary="An appeal with the decision it contests")
def get_appeal(request: Request, appeal_id: int, actor: Actor = Depends(require("moderator"))) -> Response:
    with request.app.state.store.read() as tx:
        return json_response(appeals.get_appeal(tx, appeal_id).public())


@router.post("/v1/appeals/{appeal_id}/decision", summary="Decide an appeal (not by the original decider)",
             openapi_extra=body_schema(AppealDecisionIn))
def decide(request: Request, appeal_id: int, actor: Actor = Depends(require("moderator")),
           raw: bytes = Depends(raw_body)) -> Response:
    body = parse_model(raw, AppealDecisionIn)
    with request.app.state.store.write() as tx:
        decided = appeals.decide(tx, request.app.state.engine.policy, actor, appeal_id, outcome=body.outcome,
                                 note=body.note, action=body.action, clause=body.clause,
                                 clock=request.app.state.clock)
    return json_response(decided.public())
