"""Keys and webhooks (admin only), including the webhook dead-letter table and its replay.

Every write goes through :mod:`khien.access` or :mod:`khien.hooks`, which emit the audit events;
this module only parses, authorises and renders.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ... import access, hooks
from ...enums import Role
from ...review.actor import Actor
from ..auth import require
from ..deps import json_response, raw_body
from ..problems import body_schema, parse_model
from ..schemas import KeyIn, WebhookIn

router = APIRouter(tags=["admin"])
admin = require(Role.ADMIN)


@router.post("/v1/keys", status_code=201, summary="Create an API key (shown once)", openapi_extra=body_schema(KeyIn))
def new_key(request: Request, actor: Actor = Depends(admin), raw: bytes = Depends(raw_body)) -> Response:
    body = parse_model(raw, KeyIn)
    with request.app.state.store.write() as tx:
        made = access.create_key(tx, role=body.role, name=body.name, actor=actor.name, clock=request.app.state.clock)
    return json_response(made.public(), status=201)


@router.get("/v1/keys", summary="API keys (never their secrets)")
def list_keys(request: Request, actor: Actor = Depends(admin)) -> Response:
    with request.app.state.store.read() as tx:
        keys = access.list_keys(tx)
    return json_response({"keys": [k.public() for k in keys]})


@router.delete("/v1/keys/{key_id}", status_code=204, summary="Revoke an API key")
def delete_key(request: Request, key_id: int, actor: Actor = Depends(admin)) -> Response:
    with request.app.state.store.write() as tx:
        access.revoke_key(tx, key_id, actor=actor.name, clock=request.app.state.clock)
    request.app.state.keys.clear()
    return Response(status_code=204)


@router.post("/v1/webhooks", status_code=201, summary="Send decision and appeal outcomes to a URL",
             openapi_extra=body_schema(WebhookIn))
def new_webhook(request: Request, actor: Actor = Depends(admin), raw: bytes = Depends(raw_body)) -> Response:
    """A URL whose host is or resolves to an internal address (loopback, private, link-local,
    metadata...) is refused with 422 on ``url`` unless ``webhook_allow_hosts`` names it."""
    body = parse_model(raw, WebhookIn)
    guard = hooks.AddressGuard(request.app.state.settings.webhook_allow_hosts)
    made = hooks.create_webhook(request.app.state.store, url=body.url, secret=body.secret, events=body.events,
                                actor=actor.name, clock=request.app.state.clock, guard=guard)
    return json_response(made.public(), status=201)


@router.get("/v1/webhooks", summary="Webhook endpoints (never their secrets)")
def list_webhooks(request: Request, actor: Actor = Depends(admin)) -> Response:
    return json_response({"webhooks": [h.public() for h in hooks.list_webhooks(request.app.state.store)]})


@router.delete("/v1/webhooks/{webhook_id}", status_code=204, summary="Stop sending to a webhook")
def delete_webhook(request: Request, webhook_id: int, actor: Actor = Depends(admin)) -> Response:
    hooks.delete_webhook(request.app.state.store, webhook_id, actor=actor.name, clock=request.app.state.clock)
    return Response(status_code=204)


@router.get("/v1/webhooks/dead-letters", summary="Deliveries that ran out of retries")
def dead_letters(request: Request, actor: Actor = Depends(admin)) -> Response:
    return json_response({"dead_letters": [d.public() for d in hooks.list_dead_letters(request.app.state.store)]})


@router.post("/v1/webhooks/dead-letters/{dead_id}/replay", status_code=202, summary="Queue a dead letter again")
def replay(request: Request, dead_id: int, actor: Actor = Depends(admin)) -> Response:
    delivery = hooks.replay_dead_letter(request.app.state.store, dead_id, actor=actor.name,
                                        clock=request.app.state.clock)
    request.app.state.wake_webhooks()
    return json_response({"dead_letter": dead_id, "delivery": delivery}, status=202)
