"""Keys and webhooks (admin only), including the webhook dead-letter table and its replay."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...audit import events as audit_events, record
from ...errors import NotFoundError
from ...review import outbox
from ...review.actor import Actor
from ...store import keys as key_rows
from ...store import webhooks as hook_rows
from ...store.clock import iso, now_ts
from ..auth import create_key, require, revoke_key
from ..deps import json_response, raw_body
from ..problems import body_schema, parse_model
from ..schemas import KeyIn, WebhookIn

router = APIRouter(tags=["admin"])
admin = require("admin")


@router.post("/v1/keys", status_code=201, summary="Create an API key (shown once)", openapi_extra=body_schema(KeyIn))
def new_key(request: Request, actor: Actor = Depends(admin), raw: bytes = Depends(raw_body)) -> Response:
    body = parse_model(raw, KeyIn)
    with request.app.state.store.write() as tx:
        return json_response(create_key(tx, role=body.role, name=body.name, actor=actor.name), status=201)


@router.get("/v1/keys", summary="API keys (never their secrets)")
def list_keys(request: Request, actor: Actor = Depends(admin)) -> Response:
    with request.app.state.store.read() as tx:
        return json_response({"keys": key_rows.list_keys(tx)})


@router.delete("/v1/keys/{key_id}", status_code=204, summary="Revoke an API key")
def delete_key(request: Request, key_id: int, actor: Actor = Depends(admin)) -> Response:
    with request.app.state.store.write() as tx:
        revoke_key(tx, key_id, actor=actor.name)
    request.app.state.keys.clear()
    return Response(status_code=204)


@router.post("/v1/webhooks", status_code=201, summary="Send decision and appeal outcomes to a URL",
             openapi_extra=body_schema(WebhookIn))
def new_webhook(request: Request, actor: Actor = Depends(admin), raw: bytes = Depends(raw_body)) -> Response:
    body = parse_model(raw, WebhookIn)
    secret = body.secret or secrets.token_urlsafe(32)
    events = ",".join(sorted(set(body.events)))
    with request.app.state.store.write() as tx:
        hook_id = hook_rows.insert_webhook(tx, url=body.url, secret=secret, events=events, created_at=iso())
        record(tx, actor.name, f"webhook:{hook_id}", audit_events.WebhookCreated(url=body.url, events=events))
    outbox.invalidate()
    return json_response({"id": hook_id, "url": body.url, "events": events.split(","), "secret": secret}, status=201)


@router.get("/v1/webhooks", summary="Webhook endpoints (never their secrets)")
def list_webhooks(request: Request, actor: Actor = Depends(admin)) -> Response:
    with request.app.state.store.read() as tx:
        hooks = hook_rows.list_webhooks(tx)
    return json_response({"webhooks": [h | {"events": h["events"].split(",")} for h in hooks]})


@router.delete("/v1/webhooks/{webhook_id}", status_code=204, summary="Stop sending to a webhook")
def delete_webhook(request: Request, webhook_id: int, actor: Actor = Depends(admin)) -> Response:
    with request.app.state.store.write() as tx:
        if not hook_rows.deactivate_webhook(tx, webhook_id):
            raise NotFoundError(f"webhook {webhook_id} does not exist or is already removed")
        record(tx, actor.name, f"webhook:{webhook_id}", audit_events.WebhookDeleted())
    outbox.invalidate()
    return Response(status_code=204)


@router.get("/v1/webhooks/dead-letters", summary="Deliveries that ran out of retries")
def dead_letters(request: Request, actor: Actor = Depends(admin)) -> Response:
    with request.app.state.store.read() as tx:
        return json_response({"dead_letters": hook_rows.list_dead_letters(tx)})


@router.post("/v1/webhooks/dead-letters/{dead_id}/replay", status_code=202, summary="Queue a dead letter again")
def replay(request: Request, dead_id: int, actor: Actor = Depends(admin)) -> Response:
    with request.app.state.store.write() as tx:
        delivery = hook_rows.replay_dead_letter(tx, dead_id, now=now_ts(), when=iso())
        if delivery is None:
            raise NotFoundError(f"dead letter {dead_id} does not exist or was already replayed")
        record(tx, actor.name, f"dead_letter:{dead_id}", audit_events.WebhookReplayed(delivery=delivery))
    request.app.state.wake_webhooks()
    return json_response({"dead_letter": dead_id, "delivery": delivery}, status=202)
