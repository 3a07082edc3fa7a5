"""Webhook events written in the same transaction as the change they announce (an outbox).

``run/webhooks.py`` delivers them. Subscribers are cached for a moment so the hot path (one
moderation call) does not pay a query when no webhook is configured; ``khien.hooks`` calls
:func:`invalidate` after it changes a subscription.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Mapping, Sequence

import orjson

from ..clock import SYSTEM, Clock, iso
from ..enums import WebhookEvent, values
from ..store import Tx
from ..store import webhooks as rows
from ..store.webhooks import NewDelivery, Subscriber

__all__ = ["publish", "wants", "invalidate", "EVENTS"]

EVENTS = values(WebhookEvent)
_TTL_S = 2.0  # how stale the subscriber list may be (monotonic time: a cache age, not a stored time)


class _Cache:
    """The subscriber list of one database, refreshed after ``_TTL_S`` seconds or an invalidation."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.at = -1e9
        self.key: tuple[int, str] | None = None
        self.subs: list[Subscriber] = []


_cache = _Cache()


def invalidate() -> None:
    with _cache.lock:
        _cache.at = -1e9


def _subscribers(tx: Tx) -> list[Subscriber]:
    key = (id(tx.conn.engine), str(tx.conn.engine.url))
    with _cache.lock:
        fresh = _cache.key == key and time.monotonic() - _cache.at <= _TTL_S
        if fresh:
            return _cache.subs
    subs = rows.subscribers(tx)
    with _cache.lock:
        _cache.subs, _cache.at, _cache.key = subs, time.monotonic(), key
    return subs


def wants(tx: Tx, event: str) -> bool:
    """Whether any active webhook takes ``event`` (cheap: cached)."""
    return any(event in s.events for s in _subscribers(tx))


def publish(tx: Tx, event: str, bodies: Sequence[Mapping[str, Any]], *, clock: Clock = SYSTEM) -> int:
    """Queue one delivery per (subscriber, body), due at ``clock``'s now; returns how many were queued."""
    if event not in EVENTS:
        raise ValueError(f"webhook event {event!r} is not a WebhookEvent ({', '.join(EVENTS)})")
    if not bodies:
        return 0
    subs = [s for s in _subscribers(tx) if event in s.events]
    if not subs:
        return 0
    now = clock.now()
    queued = [NewDelivery(s.id, event, orjson.dumps({"event": event, **b}).decode()) for s in subs for b in bodies]
    rows.enqueue(tx, queued, now=now, when=iso(now))
    return len(queued)
