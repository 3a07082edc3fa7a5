"""Trusted flaggers (admin): register, list with their accuracy, remove."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...enums import Role
from ...reports import flaggers
from ...review.actor import Actor
from ..auth import require
from ..deps import json_response, raw_body
from ..problems import body_schema, parse_model
from ..schemas import FlaggerIn

router = APIRouter(tags=["admin"])
admin = require(Role.ADMIN)


@router.post("/v1/flaggers", status_code=201, summary="Register a trusted flagger", openapi_extra=body_schema(FlaggerIn))
def add(request: Request, actor: Actor = Depends(admin), raw: bytes = Depends(raw_body)) -> Response:
    body = parse_model(raw, FlaggerIn)
    with request.app.state.store.write() as tx:
        made = flaggers.add(tx, actor, name=body.name, organisation=body.organisation,
                            respond_hours=body.respond_hours, contact=body.contact, clock=request.app.state.clock)
    return json_response(made.public(), status=201)


@router.get("/v1/flaggers", summary="Trusted flaggers with their accuracy (upheld / answered)")
def list_flaggers(request: Request, actor: Actor = Depends(admin), removed: bool = False) -> Response:
    with request.app.state.store.read() as tx:
        found = flaggers.list_flaggers(tx, include_removed=removed)
    return json_response({"flaggers": [f.public() for f in found]})


@router.delete("/v1/flaggers/{name}", summary="Remove a trusted flagger (its past reports keep its name)")
def remove(request: Request, name: str, actor: Actor = Depends(admin)) -> Response:
    with request.app.state.store.write() as tx:
        gone = flaggers.remove(tx, actor, name, clock=request.app.state.clock)
    return json_response(gone.public())
