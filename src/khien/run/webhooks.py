"""Webhook delivery: POST each queued event, HMAC-signed, with retries and a dead-letter table.

Signature: header ``Khien-Signature: t=<unix seconds>,v1=<hex>`` where ``v1`` is
HMAC-SHA256(secret, ``"<t>." + body``). A receiver recomputes it (:func:`verify_signature`) and
rejects old timestamps. A delivery that fails (non-2xx, timeout, refused) is retried after
``backoff × 2^(attempt-1)`` seconds; after ``max_attempts`` it moves to the dead-letter table,
from which an admin can replay it (``POST /v1/webhooks/dead-letters/{id}/replay``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import Any

import httpx

from ..audit import events, record
from ..store import Store
from ..store import webhooks as rows
from ..store.clock import iso, now_ts
from .loop import BackgroundLoop

__all__ = ["Dispatcher", "sign", "verify_signature", "SIGNATURE_HEADER"]

log = logging.getLogger("khien.webhooks")
SIGNATURE_HEADER = "Khien-Signature"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, body: bytes, header: str, *, tolerance_s: float = 300.0,
                     now: float | None = None) -> bool:
    """Check a ``Khien-Signature`` header against the body (and that it is recent)."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)


class Dispatcher(BackgroundLoop):
    """A daemon thread that delivers due webhook events until stopped."""

    name = "khien-webhooks"

    def __init__(self, store: Store, *, max_attempts: int = 5, backoff_s: float = 2.0, timeout_s: float = 5.0,
                 idle_s: float = 0.5, batch: int = 50) -> None:
        super().__init__()
        self.store = store
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.idle_s = idle_s
        self.batch = batch
        self.delivered = 0
        self.dead = 0
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False)

    def stop(self, timeout: float = 10.0) -> None:
        super().stop(timeout)
        self._client.close()

    def _attempt(self, delivery: dict[str, Any]) -> str | None:
        """POST once; None on success, else what went wrong."""
        body = delivery["body"].encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "khien-webhooks/1",
            "Khien-Event": delivery["event"],
            "Khien-Delivery": str(delivery["id"]),
            SIGNATURE_HEADER: sign(delivery["secret"], body, int(time.time())),
        }
        try:
            response = self._client.post(delivery["url"], content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"

    def run_once(self) -> int:
        """Attempt every due delivery once; returns how many were attempted."""
        with self.store.read() as tx:
            due = rows.due_deliveries(tx, now_ts(), self.batch)
        for delivery in due:
            error = self._attempt(delivery)
            attempts = delivery["attempts"] + 1
            with self.store.write() as tx:
                if error is None:
                    rows.mark_delivered(tx, delivery["id"], attempts=attempts, when=iso())
                    self.delivered += 1
                elif attempts >= self.max_attempts:
                    dead_id = rows.bury(tx, delivery, attempts=attempts, error=error, when=iso())
                    record(tx, "system:webhooks", f"dead_letter:{dead_id}", events.WebhookDeadLetter(
                        webhook=delivery["webhook_id"], event=delivery["event"], attempts=attempts,
                        error=error[:500],
                    ))
                    self.dead += 1
                else:
                    delay = self.backoff_s * (2 ** (attempts - 1))
                    rows.mark_failed(tx, delivery["id"], attempts=attempts, next_attempt_ts=now_ts() + delay,
                                     error=error)
        return len(due)

