"""What auditors read: the legal-request ledger and the audit log; and the published policy."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...clock import iso
from ...review import legal, queries
from .web import (
    clauses_of,
    clock_of,
    page,
    policy_of,
    require_role,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
AUDIT_PAGE = 100


@router.get("/legal")
def legal_page(request: Request) -> Response:
    require_role(request, "auditor")
    with request.app.state.store.read() as tx:
        found = [legal.get_request(tx, r.id) for r in legal.list_requests(tx, limit=200)]
    return page(request, "legal.html", rows=found)


@router.get("/audit")
def audit_page(request: Request) -> Response:
    require_role(request, "auditor")

    store = request.app.state.store
    kind = (request.query_params.get("type") or "").strip()[:60] or None
    subject = (request.query_params.get("subject") or "").strip()[:400] or None
    try:
        before = max(0, int(request.query_params.get("before", "0")))
    except ValueError:
        before = 0
    with store.read() as tx:
        events = queries.audit_log(tx, before=before or None, limit=AUDIT_PAGE, type=kind, subject=subject)
        head = queries.audit_head(tx)
    result, checked_at = _verified(store, head, iso(clock_of(request).now()))
    return page(request, "audit.html", events=events, result=result, checked_at=checked_at, kind=kind or "",
                subject=subject or "", older=events[-1].seq if len(events) == AUDIT_PAGE else None,
                event_types=queries.EVENT_TYPES)


_VERIFIED: dict[str, tuple[tuple[int, str], float, Any, str]] = {}
VERIFY_TTL_S = 30.0


def _verified(store: Any, head: tuple[int, str], when: str) -> tuple[Any, str]:
    """The whole chain verified, at most every ``VERIFY_TTL_S`` seconds while nothing is appended.

    Walking the chain reads every event; a busy page must not do that on every load. A new event
    changes the head and so forces a fresh walk; an edit in the middle shows within the TTL.
    """
    from ...audit import verify

    cached = _VERIFIED.get(store.url)
    now = time.monotonic()
    if cached and cached[0] == tuple(head) and now - cached[1] < VERIFY_TTL_S:
        return cached[2], cached[3]
    result = verify(store)
    _VERIFIED[store.url] = (tuple(head), now, result, when)
    return result, _VERIFIED[store.url][3]


@router.get("/policy")
def policy_page(request: Request) -> Response:
    policy = policy_of(request)
    return page(request, "policy.html", policy=policy, clauses=clauses_of(policy))

