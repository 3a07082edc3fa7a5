"""Webhook delivery: POST each queued event, HMAC-signed, with retries and a dead-letter table.

Signature: see :mod:`khien.hooks.signing` (``Khien-Signature: t=<unix seconds>,v1=<hex>``). A
delivery that fails (non-2xx, timeout, refused) is retried after ``backoff × 2^(attempt-1)``
seconds; after ``max_attempts`` it moves to the dead-letter table, from which an admin can replay
it (``POST /v1/webhooks/dead-letters/{id}/replay``). What each attempt changes is written by
:func:`khien.hooks.settle`; this module only does the HTTP and the thread.
"""

from __future__ import annotations

import logging

import httpx

from ..clock import SYSTEM, Clock
from ..hooks import SIGNATURE_HEADER, Backoff, Outcome, WebhookDelivery, due, settle, sign, verify_signature
from ..store import Store
from .loop import BackgroundLoop

__all__ = ["Dispatcher", "sign", "verify_signature", "SIGNATURE_HEADER"]

log = logging.getLogger("khien.webhooks")


class Dispatcher(BackgroundLoop):
    """A daemon thread that delivers due webhook events until stopped.

    :meth:`run_once` is one step (every due delivery attempted once); tests call it directly with a
    :class:`~khien.clock.FakeClock` and move the clock through the back-off.
    """

    name = "khien-webhooks"

    def __init__(self, store: Store, *, max_attempts: int = 5, backoff_s: float = 2.0, timeout_s: float = 5.0,
                 idle_s: float = 0.5, batch: int = 50, clock: Clock = SYSTEM) -> None:
        super().__init__()
        self.store = store
        self.backoff = Backoff(max_attempts=max_attempts, base_s=backoff_s)
        self.idle_s = idle_s
        self.batch = batch
        self.clock = clock
        self.delivered = 0
        self.dead = 0
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False)

    def stop(self, timeout: float = 10.0) -> None:
        super().stop(timeout)
        self._client.close()

    def _attempt(self, delivery: WebhookDelivery) -> str | None:
        """POST once; None on success, else what went wrong."""
        body = delivery.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "khien-webhooks/1",
            "Khien-Event": delivery.event,
            "Khien-Delivery": str(delivery.id),
            SIGNATURE_HEADER: sign(delivery.secret, body, int(self.clock.now())),
        }
        try:
            response = self._client.post(delivery.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"

    def run_once(self) -> int:
        """Attempt every due delivery once; returns how many were attempted."""
        batch = due(self.store, limit=self.batch, clock=self.clock)
        for delivery in batch:
            outcome = settle(self.store, delivery, self._attempt(delivery), backoff=self.backoff, clock=self.clock)
            if outcome is Outcome.DELIVERED:
                self.delivered += 1
            elif outcome is Outcome.DEAD:
                self.dead += 1
        return len(batch)
