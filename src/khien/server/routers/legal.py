"""The legal-request ledger."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ...review import legal
from ...review.actor import Actor
from ..auth import require
from ..deps import json_response, raw_body
from ..problems import body_schema, parse_model
from ..schemas import LegalRequestIn

router = APIRouter(tags=["legal requests"])


@router.post("/v1/legal-requests", status_code=201, summary="Record a request from an authority",
             openapi_extra=body_schema(LegalRequestIn))
def create(request: Request, actor: Actor = Depends(require("admin")), raw: bytes = Depends(raw_body)) -> Response:
    body = parse_model(raw, LegalRequestIn)
    with request.app.state.store.write() as tx:
        entry = legal.create(tx, actor, authority=body.authority, legal_basis=body.legal_basis,
                             items=[(i.platform or "", i.id) for i in body.items],
                             requested_action=body.requested_action, deadline=body.deadline,
                             reference=body.reference, clock=request.app.state.clock)
    return json_response(entry.public(), status=201)


@router.get("/v1/legal-requests", summary="The ledger, newest first")
def list_requests(request: Request, actor: Actor = Depends(require("auditor")),
                  limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)) -> Response:
    with request.app.state.store.read() as tx:
        found = legal.list_requests(tx, limit=limit, offset=offset)
    return json_response({"legal_requests": [r.public() for r in found]})


@router.get("/v1/legal-requests/{request_id}", summary="A request and what was done on each item")
def get_request(request: Request, request_id: int, actor: Actor = Depends(require("auditor"))) -> Response:
    with request.app.state.store.read() as tx:
        return json_response(legal.get_request(tx, request_id).public())
