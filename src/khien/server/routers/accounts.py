"""Accounts: an account's standing and history on one platform, the accounts under an action, and
account cases opened by hand. Decided through ``/v1/cases/{id}/decision``; appealed through
``/v1/appeals`` with ``account``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import Field

from ...enums import AccountStatus, values
from ...review import accounts
from ...review.actor import Actor
from ..auth import require
from ..deps import json_response, raw_body
from ..problems import body_schema, parse_model
from ..schemas import MAX_ID, MAX_PLATFORM, _Body

router = APIRouter(tags=["accounts"])
StatusFilter = Literal[values(AccountStatus)]  # type: ignore[valid-type]


class AccountCaseIn(_Body):
    note: str = Field(..., min_length=1, max_length=4000, description="Why the account needs review.")
    category: str | None = Field(None, max_length=40, description="The policy category at stake, if one.")


@router.get("/v1/accounts", summary="Accounts by the status in force, most followed first")
def list_accounts(request: Request, actor: Actor = Depends(require("moderator", "auditor")),
                  status: StatusFilter | None = None,
                  platform: str | None = Query(None, max_length=MAX_PLATFORM),
                  limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)) -> Response:
    clock = request.app.state.clock
    with request.app.state.store.read() as tx:
        found = accounts.list_accounts(tx, status=status, platform=platform, limit=limit, offset=offset, clock=clock)
    now = clock.now()
    return json_response({"accounts": [a.public(now) for a in found], "limit": limit, "offset": offset})


@router.get("/v1/accounts/{platform}/{author_id}", summary="An account: status, active strikes, history on its platform")
def get_account(request: Request, platform: str = Path(..., max_length=MAX_PLATFORM),
                author_id: str = Path(..., max_length=MAX_ID),
                actor: Actor = Depends(require("moderator", "auditor"))) -> Response:
    with request.app.state.store.read() as tx:
        view = accounts.get_account(tx, request.app.state.engine.policy, platform, author_id,
                                    clock=request.app.state.clock)
    return json_response(view.public())


@router.post("/v1/accounts/{platform}/{author_id}/cases", status_code=201, summary="Open a case on an account",
             openapi_extra=body_schema(AccountCaseIn))
def open_case(request: Request, platform: str = Path(..., max_length=MAX_PLATFORM),
              author_id: str = Path(..., max_length=MAX_ID), actor: Actor = Depends(require("moderator")),
              raw: bytes = Depends(raw_body)) -> Response:
    body = parse_model(raw, AccountCaseIn)
    clock = request.app.state.clock
    with request.app.state.store.write() as tx:
        case = accounts.open_manual_case(tx, request.app.state.engine.policy, actor, platform, author_id,
                                         note=body.note, category=body.category, clock=clock)
    return json_response(case.public(clock.now()), status=201)
