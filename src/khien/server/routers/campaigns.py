"""Coordinated campaigns: read one (its cluster, members and case) and decide its members together."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import Field

from ...clock import iso
from ...review import campaigns
from ...review.actor import Actor
from ..auth import require
from ..deps import json_response, raw_body
from ..problems import body_schema, parse_model
from ..schemas import MAX_PLATFORM, _Body

router = APIRouter(tags=["campaigns"])
moderator = require("moderator")


class CampaignDecisionIn(_Body):
    action: Literal[campaigns.ACTIONS] = Field(..., description="remove, label or allow, for every member item.")  # type: ignore[valid-type]
    clause: str | None = Field(None, max_length=20, description="The policy clause the content breaks, e.g. '2.1'.")
    reason: str = Field(..., max_length=campaigns.REASON_MAX,
                        description="Why (required): each member's statement of reasons carries it.")
    platform: str = Field("", max_length=MAX_PLATFORM)


def _public(view: campaigns.CampaignView) -> dict[str, Any]:
    row = view.campaign.row
    return {
        "key": row.key, "platform": row.platform, "campaign": row.campaign, "size": row.size,
        "accounts": list(row.accounts), "first_seen": iso(row.first_seen), "last_seen": iso(row.last_seen),
        "signals": list(row.signals), "shared_entities": list(row.shared_entities),
        "timeline": [[iso(t), n] for t, n in row.timeline], "score": row.score, "sample": row.sample,
        "confirmed_scam": view.campaign.confirmed_scam,
        "case": view.case.id if view.case else None, "case_state": view.case.state.value if view.case else None,
        "members": [{"item": m.item_id, "account": m.account, "stored": m.text is not None,
                     "decision": m.decision.id if m.decision else None,
                     "action": m.decision.action if m.decision else None} for m in view.members],
    }


@router.get("/v1/campaigns/{key}", summary="A campaign: its cluster, members and case")
def get_campaign(request: Request, key: str, actor: Actor = Depends(moderator),
                 platform: str = Query("", max_length=MAX_PLATFORM)) -> Response:
    with request.app.state.store.read() as tx:
        return json_response(_public(campaigns.get_campaign(tx, platform, key, clock=request.app.state.clock)))


@router.post("/v1/campaigns/{key}/decision", summary="Decide every member of a campaign, each on its own",
             openapi_extra=body_schema(CampaignDecisionIn))
def decide(request: Request, key: str, actor: Actor = Depends(moderator), raw: bytes = Depends(raw_body)) -> Response:
    body = parse_model(raw, CampaignDecisionIn)
    with request.app.state.store.write() as tx:
        done = campaigns.decide_in(tx, request.app.state.engine.policy, key, body.action, body.reason, actor,
                                   clause=body.clause, platform=body.platform, clock=request.app.state.clock)
    if done.confirmed_scam:  # this process's campaign stage acts on the campaign's later members
        request.app.state.engine.confirm_campaign(done.key)
    return json_response({"key": done.key, "platform": done.platform, "case": done.case_id, "action": done.action,
                          "decided": [{"item": i, "decision": d} for i, d in done.decided],
                          "skipped": list(done.skipped), "accounts": done.accounts})
