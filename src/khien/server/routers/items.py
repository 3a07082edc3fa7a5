"""Items: moderate one now, or store a batch for the worker, read an item's state; admins list and
retry the items the worker quarantined."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ...errors import InputError, NotFoundError
from ...model import Decision, Item
from ...review import intake
from ...review.actor import Actor
from ..auth import require
from ..deps import json_response, raw_body
from ..problems import body_schema, parse_json
from ..schemas import BATCH_SCHEMA, ITEM_SCHEMA, MAX_PLATFORM

router = APIRouter(tags=["items"])


def _item(request: Request, data: Any, where: str | None = None) -> Item:
    """Parse one item as ``khien scan`` does, strictly; errors name the field (``items[3].text``).

    A text over ``max_text_chars`` is a 413 naming the field and the limit; the error keeps its
    class (and so its status) when the field is prefixed.
    """
    try:
        # the limits ITEM_SCHEMA publishes, from the same table, and the configured text limit
        item = Item.from_dict(data, strict=True, max_text=request.app.state.settings.max_text_chars)
    except InputError as exc:
        if where is None:
            raise
        raise type(exc)(f"{where}: {exc.message}", field=f"{where}.{exc.field}" if exc.field else where,
                        hint=exc.hint) from None
    return item


def _commit(store: Any, engine: Any, item: Item, decision: Decision, clock: Any) -> intake.Moderated:
    """Write one decision made outside the group committer (the app is not in its lifespan)."""
    with store.write() as tx:
        return intake.moderate_many(tx, engine.policy, [(item, decision)], clock=clock, campaigns=intake.campaign_lookup(engine))[0]


@router.post("/v1/moderate", summary="Decide one item now",
             openapi_extra=body_schema(ITEM_SCHEMA) | {"responses": {"200": {
                 "description": "The decision, as `khien scan` writes it, with `item_version`: the version of "
                                "the item it is about (also in the `Khien-Item-Version` header). "
                                "`Khien-Replayed: true` when the same content was decided before."}}})
async def moderate(request: Request, actor: Actor = Depends(require("ingest")), raw: bytes = Depends(raw_body),
                   dsa: bool = Query(False, description="Add the DSA statement-of-reasons fields.")) -> Response:
    """Decide one item. Idempotent on (platform, id) and content: the same item again returns the
    decision in force on its version (``Khien-Replayed: true``); the same id with other content is
    a new version of the item, stored and decided now. The answer names the version
    (``Khien-Item-Version`` and the body's ``item_version``).

    The engine runs in the app's decide pool, never on the event loop, so a long text does not
    hold up other requests; when the pool's queue is full the answer is 503 with Retry-After.
    The write goes to the group committer, so concurrent requests share a transaction.
    """
    item = _item(request, parse_json(raw))
    decision = await request.app.state.decider.decide(item)
    committer = request.app.state.committer
    if committer is not None and committer.running:
        result: intake.Moderated = await committer.submit_async(item, decision)
    else:
        state = request.app.state
        result = await run_in_threadpool(_commit, state.store, state.engine, item, decision, state.clock)
    headers = {"Khien-Item-Version": str(result.version)}
    if not result.created:
        headers["Khien-Replayed"] = "true"
    return json_response(result.decision.to_dict(dsa=dsa) | {"item_version": result.version}, headers=headers)


@router.post("/v1/items", status_code=202, summary="Store a batch for the worker",
             openapi_extra=body_schema(BATCH_SCHEMA) | {"responses": {"202": {
                 "description": "Stored durably: `{\"accepted\", \"duplicates\", \"edited\"}`, the counts of new "
                                "items, repeats of an item's current content, and new versions of stored items."}}})
def submit_items(request: Request, actor: Actor = Depends(require("ingest")),
                 raw: bytes = Depends(raw_body)) -> Response:
    """Store items durably (committed before the 202) for the worker to decide. All or nothing:
    one bad item rejects the batch, naming it (``items[3].text``). An item already stored with the
    same content is a duplicate; with other content it is a new version (``edited``), decided
    again by the worker."""
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise InputError(f"the body must be an object {{\"items\": [...]}}, found {type(data).__name__}", field="body")
    unknown = sorted(set(data) - {"items"})
    if unknown:
        raise InputError(f"unknown field '{unknown[0]}'; the body has one field, 'items'", field=unknown[0])
    batch = data.get("items")
    if not isinstance(batch, list) or not batch:
        raise InputError("field 'items' is required and must be a non-empty list of items", field="items")
    limit = request.app.state.settings.max_batch_items
    if len(batch) > limit:
        raise InputError(f"field 'items' has {len(batch)} items; the limit is {limit} a batch", field="items")
    items = [_item(request, entry, f"items[{n}]") for n, entry in enumerate(batch)]
    store = request.app.state.store
    with store.write() as tx:
        result = intake.ingest(tx, items, actor, clock=request.app.state.clock)
    request.app.state.wake_worker()
    return json_response(result.public(), status=202)


@router.get("/v1/items/{item_id}", summary="An item's state and decision")
def get_item(request: Request, item_id: str, actor: Actor = Depends(require("ingest", "moderator")),
             platform: str | None = Query(None, max_length=MAX_PLATFORM),
             version: int | None = Query(None, ge=1, le=2**31 - 1,
                                         description="Show this version's text and decision (default: current)."),
             dsa: bool = Query(False)) -> Response:
    """The item's current version (or ``version``), its text and the decision in force on it, and
    ``versions``: every version, oldest first, with its content hash and a summary of its decision."""
    with request.app.state.store.read() as tx:
        state = intake.item_state(tx, platform or "", item_id, version)
    if state is None:
        raise NotFoundError(f"item {item_id!r}{' on ' + platform if platform else ''} is not stored")
    return json_response(state.public(dsa=dsa))


@router.get("/v1/items", summary="Quarantined items (status=failed), oldest first")
def list_items(request: Request, actor: Actor = Depends(require("admin")),
               status: Literal["failed"] = Query(..., description="Only `failed` (quarantined) items are listed."),
               limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)) -> Response:
    """Items the worker could not decide, each with its error and how many times it failed."""
    with request.app.state.store.read() as tx:
        found = intake.failed_items(tx, limit=limit, offset=offset)
    return json_response({"items": [i.public() for i in found], "limit": limit, "offset": offset})


@router.post("/v1/items/{item_id}/retry", summary="Send a quarantined item back to the worker")
def retry_item(request: Request, item_id: str, actor: Actor = Depends(require("admin")),
               platform: str | None = Query(None, max_length=MAX_PLATFORM)) -> Response:
    """failed → pending; 409 when the item is not failed. The worker is woken at once."""
    with request.app.state.store.write() as tx:
        state = intake.retry(tx, actor, platform or "", item_id, clock=request.app.state.clock)
    request.app.state.wake_worker()
    return json_response(state.public())
