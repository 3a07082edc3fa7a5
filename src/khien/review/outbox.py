"""Webhook events written in the same transaction as the change they announce (an outbox).

``run/webhooks.py`` delivers them. Subscribers are cached for a moment so the hot path (one
moderation call) does not pay a query when no webhook is configured.
"""

from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

import orjson

from ..clock import SYSTEM, Clock, iso
from ..store import Tx
from ..store import webhooks as rows

__all__ = ["publish", "wants", "invalidate", "EVENTS"]

EVENTS = ("decision", "appeal")
_TTL_S = 2.0
_cache: dict[str, Any] = {"at": -1e9, "subs": [], "key": None}


def invalidate() -> None:
    _cache["at"] = -1e9


def _subscribers(tx: Tx) -> list[dict[str, Any]]:
    key = (id(tx.conn.engine), str(tx.conn.engine.url))
    if _cache["key"] != key or time.monotonic() - _cache["at"] > _TTL_S:
        _cache.update(subs=rows.subscribers(tx), at=time.monotonic(), key=key)
    return _cache["subs"]


def wants(tx: Tx, event: str) -> bool:
    """Whether any active webhook takes ``event`` (cheap: cached)."""
    return any(event in s["events"] for s in _subscribers(tx))


def publish(tx: Tx, event: str, bodies: Sequence[Mapping[str, Any]], *, clock: Clock = SYSTEM) -> int:
    """Queue one delivery per (subscriber, body); returns how many were queued."""
    if not bodies:
        return 0
    subs = [s for s in _subscribers(tx) if event in s["events"]]
    if not subs:
        return 0
    now = clock.now()
    when = iso(now)
    queued = [
        {"webhook_id": s["id"], "event": event, "body": orjson.dumps({"event": event, **b}).decode(),
         "attempts": 0, "next_attempt_ts": now, "state": "pending", "created_at": when}
        for s in subs for b in bodies
    ]
    rows.enqueue(tx, queued)
    return len(queued)
