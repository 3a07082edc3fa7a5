"""What happens to a delivery after each attempt: delivered, retried after a back-off, or buried.

The deliverer in ``khien.run.webhooks`` does the HTTP; this module owns the writes. Time comes from
the ``clock`` the caller passes, so tests move a :class:`~khien.clock.FakeClock` through the back-off
instead of sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Collection

from ..audit import events, record
from ..clock import SYSTEM, Clock, iso
from ..store import Store
from ..store import webhooks as rows
from ..store.webhooks import WebhookDelivery

__all__ = ["WebhookDelivery", "Backoff", "Outcome", "Failure", "http_status", "due", "settle", "ACTOR"]

ACTOR = "system:webhooks"  # who the audit log names for a dead letter


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    DEAD = "dead"


class Failure(StrEnum):
    """What went wrong with an attempt, as stored in ``last_error`` and shown to admins.

    Only these fixed phrases (and :func:`http_status`, and the address guard's ``address not
    allowed (loopback)``) are recorded, never the client's or the resolver's message: those name
    internal addresses and ports, and an admin who can register URLs could map the network with them.
    """

    TIMEOUT = "timeout"
    REFUSED = "connection refused"
    UNREACHABLE = "connection failed"
    TLS = "TLS error"
    UNRESOLVED = "host did not resolve"
    PROTOCOL = "invalid HTTP response"
    OTHER = "request failed"


def http_status(code: int) -> str:
    """The error recorded for a non-2xx answer: ``HTTP 503``."""
    return f"HTTP {code}"


@dataclass(frozen=True, slots=True)
class Backoff:
    """Retry after ``base_s × 2^(attempt-1)`` seconds; after ``max_attempts`` the delivery is dead."""

    max_attempts: int = 5
    base_s: float = 2.0

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt (1-based)."""
        return self.base_s * (2 ** (attempts - 1))


def due(store: Store, *, limit: int, clock: Clock = SYSTEM, skip_webhooks: Collection[int] = ()) -> list[WebhookDelivery]:
    """Pending deliveries whose next attempt is due at ``clock``'s now, oldest first, except those
    for the endpoints in ``skip_webhooks``."""
    with store.read() as tx:
        return rows.due_deliveries(tx, clock.now(), limit, skip_webhooks=skip_webhooks)


def settle(store: Store, delivery: WebhookDelivery, error: str | None, *, backoff: Backoff,
           clock: Clock = SYSTEM) -> Outcome:
    """Record one attempt at ``delivery`` (``error`` is None when it succeeded) and say what became of it.

    A delivery out of attempts moves to the dead-letter table and writes ``webhook.dead_letter``.
    """
    attempts = delivery.attempts + 1
    now = clock.now()
    with store.write() as tx:
        if error is None:
            rows.mark_delivered(tx, delivery.id, attempts=attempts, when=iso(now))
            return Outcome.DELIVERED
        if attempts >= backoff.max_attempts:
            dead_id = rows.bury(tx, delivery, attempts=attempts, error=error, when=iso(now))
            record(tx, ACTOR, f"dead_letter:{dead_id}", events.WebhookDeadLetter(
                webhook=delivery.webhook_id, event=delivery.event, attempts=attempts, error=error[:500],
            ), time=iso(now))
            return Outcome.DEAD
        rows.mark_failed(tx, delivery.id, attempts=attempts, next_attempt_ts=now + backoff.delay(attempts), error=error)
        return Outcome.RETRY
