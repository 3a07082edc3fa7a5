"""The audit log, its verification, and the transparency report."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ...audit import list_events, verify
from ...enums import Role
from ...report import transparency_report
from ...review.actor import Actor
from ..auth import require
from ..deps import json_response

router = APIRouter(tags=["audit"])
auditor = require(Role.AUDITOR)


@router.get("/v1/audit", summary="Audit events in order, each chained by hash to the one before")
def events(request: Request, actor: Actor = Depends(auditor), after: int = Query(0, ge=0, le=2**62),
           limit: int = Query(100, ge=1, le=1000), type: str | None = Query(None, max_length=60),
           subject: str | None = Query(None, max_length=400)) -> Response:
    page = list_events(request.app.state.store, after=after, limit=limit, type=type, subject=subject)
    return json_response(page.to_dict())


@router.get("/v1/audit/verify", summary="Verify the whole hash chain")
def verify_chain(request: Request, actor: Actor = Depends(auditor)) -> Response:
    result = verify(request.app.state.store)
    return json_response(result.to_dict())


@router.get("/v1/reports/transparency", summary="Transparency report, from the audit log only")
def transparency(request: Request, actor: Actor = Depends(auditor),
                 since: str | None = Query(None, max_length=40, description="ISO-8601 UTC, inclusive"),
                 until: str | None = Query(None, max_length=40, description="ISO-8601 UTC, exclusive")) -> Response:
    return json_response(transparency_report(request.app.state.store, since=since, until=until))
