"""Webhook endpoints, the delivery outbox, and the dead-letter table, as typed records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Sequence

from sqlalchemy import delete, select, update

from .db import Tx
from .schema import webhook_dead_letters, webhook_deliveries, webhooks

__all__ = [
    "Webhook",
    "Subscriber",
    "NewDelivery",
    "WebhookDelivery",
    "DeadLetter",
    "insert_webhook",
    "list_webhooks",
    "deactivate_webhook",
    "subscribers",
    "enqueue",
    "due_deliveries",
    "mark_delivered",
    "mark_failed",
    "bury",
    "list_dead_letters",
    "replay_dead_letter",
]

_PENDING, _DELIVERED = "pending", "delivered"  # the states of a delivery row


def _events(stored: str) -> tuple[str, ...]:
    """The ``events`` column is comma-separated (``decision,appeal``)."""
    return tuple(e for e in stored.split(",") if e)


@dataclass(frozen=True, slots=True)
class Webhook:
    """An endpoint (without its secret, which is shown once when it is created)."""

    id: int
    url: str
    events: tuple[str, ...]
    active: bool
    created_at: str

    def public(self) -> dict[str, object]:
        """As ``GET /v1/webhooks`` shows it."""
        return {"id": self.id, "url": self.url, "events": list(self.events), "active": bool(self.active),
                "created_at": self.created_at}


@dataclass(frozen=True, slots=True)
class Subscriber:
    """An active endpoint and the events it takes (what the outbox needs on the hot path)."""

    id: int
    events: frozenset[str]


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """One event body to queue for one endpoint."""

    webhook_id: int
    event: str
    body: str


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """A queued delivery joined with its endpoint's URL and secret (what the deliverer POSTs)."""

    id: int
    webhook_id: int
    event: str
    body: str
    attempts: int
    next_attempt_ts: float
    state: str
    created_at: str
    url: str
    secret: str = field(repr=False)
    last_error: str | None = None
    delivered_at: str | None = None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A delivery that ran out of attempts; an admin may replay it once."""

    id: int
    delivery_id: int
    webhook_id: int
    event: str
    body: str
    attempts: int
    last_error: str | None
    died_at: str
    replayed_at: str | None = None

    def public(self) -> dict[str, object]:
        """As ``GET /v1/webhooks/dead-letters`` shows it."""
        return {"id": self.id, "delivery_id": self.delivery_id, "webhook_id": self.webhook_id, "event": self.event,
                "body": self.body, "attempts": self.attempts, "last_error": self.last_error,
                "died_at": self.died_at, "replayed_at": self.replayed_at}


def _fields(row: object) -> dict[str, object]:
    return {str(k): v for k, v in row._mapping.items()}  # type: ignore[attr-defined]


def insert_webhook(tx: Tx, *, url: str, secret: str, events: Sequence[str], created_at: str) -> Webhook:
    joined = ",".join(events)
    result = tx.conn.execute(webhooks.insert().values(url=url, secret=secret, events=joined, active=True,
                                                      created_at=created_at))
    return Webhook(int(result.inserted_primary_key[0]), url, _events(joined), True, created_at)


def list_webhooks(tx: Tx) -> list[Webhook]:
    rows = tx.conn.execute(select(webhooks.c.id, webhooks.c.url, webhooks.c.events, webhooks.c.active,
                                  webhooks.c.created_at).order_by(webhooks.c.id))
    return [Webhook(r.id, r.url, _events(r.events), bool(r.active), r.created_at) for r in rows]


def deactivate_webhook(tx: Tx, webhook_id: int) -> bool:
    result = tx.conn.execute(update(webhooks).where(webhooks.c.id == webhook_id, webhooks.c.active.is_(True))
                             .values(active=False))
    return result.rowcount == 1


def subscribers(tx: Tx) -> list[Subscriber]:
    """Active endpoints with the events they take."""
    rows = tx.conn.execute(select(webhooks.c.id, webhooks.c.events).where(webhooks.c.active.is_(True)))
    return [Subscriber(r.id, frozenset(_events(r.events))) for r in rows]


def enqueue(tx: Tx, deliveries: Sequence[NewDelivery], *, now: float, when: str) -> None:
    """Queue deliveries due at once (``now``), created at ``when``."""
    if deliveries:
        tx.conn.execute(webhook_deliveries.insert(), [
            {"webhook_id": d.webhook_id, "event": d.event, "body": d.body, "attempts": 0, "next_attempt_ts": now,
             "state": _PENDING, "created_at": when}
            for d in deliveries
        ])


def due_deliveries(tx: Tx, now: float, limit: int, *, skip_webhooks: Collection[int] = ()) -> list[WebhookDelivery]:
    """Pending deliveries due at ``now``, oldest first, leaving out those for ``skip_webhooks``
    (endpoints the deliverer is busy with or backing off from, so they cannot crowd out the others)."""
    stmt = (
        select(webhook_deliveries, webhooks.c.url, webhooks.c.secret)
        .join(webhooks, webhooks.c.id == webhook_deliveries.c.webhook_id)
        .where(webhook_deliveries.c.state == _PENDING, webhook_deliveries.c.next_attempt_ts <= now)
        .order_by(webhook_deliveries.c.next_attempt_ts, webhook_deliveries.c.id)
        .limit(limit)
    )
    if skip_webhooks:
        stmt = stmt.where(webhook_deliveries.c.webhook_id.not_in(sorted(skip_webhooks)))
    return [WebhookDelivery(**_fields(r)) for r in tx.conn.execute(stmt)]  # type: ignore[arg-type]


def mark_delivered(tx: Tx, delivery_id: int, *, attempts: int, when: str) -> None:
    tx.conn.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
                    .values(state=_DELIVERED, attempts=attempts, delivered_at=when, last_error=None))


def mark_failed(tx: Tx, delivery_id: int, *, attempts: int, next_attempt_ts: float, error: str) -> None:
    tx.conn.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
                    .values(attempts=attempts, next_attempt_ts=next_attempt_ts, last_error=error[:2000]))


def bury(tx: Tx, delivery: WebhookDelivery, *, attempts: int, error: str, when: str) -> int:
    """Move a delivery that ran out of attempts to the dead-letter table; returns the dead letter's id."""
    result = tx.conn.execute(webhook_dead_letters.insert().values(
        delivery_id=delivery.id, webhook_id=delivery.webhook_id, event=delivery.event, body=delivery.body,
        attempts=attempts, last_error=error[:2000], died_at=when,
    ))
    tx.conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.id == delivery.id))
    return int(result.inserted_primary_key[0])


def list_dead_letters(tx: Tx, *, include_replayed: bool = False) -> list[DeadLetter]:
    stmt = select(webhook_dead_letters).order_by(webhook_dead_letters.c.id)
    if not include_replayed:
        stmt = stmt.where(webhook_dead_letters.c.replayed_at.is_(None))
    return [DeadLetter(**_fields(r)) for r in tx.conn.execute(stmt)]  # type: ignore[arg-type]


def replay_dead_letter(tx: Tx, dead_id: int, *, now: float, when: str) -> int | None:
    """Queue a dead letter again with fresh attempts; returns the new delivery id (None if unknown/replayed)."""
    row = tx.conn.execute(select(webhook_dead_letters).where(
        webhook_dead_letters.c.id == dead_id, webhook_dead_letters.c.replayed_at.is_(None))).first()
    if row is None:
        return None
    result = tx.conn.execute(webhook_deliveries.insert().values(
        webhook_id=row.webhook_id, event=row.event, body=row.body, attempts=0, next_attempt_ts=now,
        state=_PENDING, created_at=when,
    ))
    tx.conn.execute(update(webhook_dead_letters).where(webhook_dead_letters.c.id == dead_id).values(replayed_at=when))
    return int(result.inserted_primary_key[0])
