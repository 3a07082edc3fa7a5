"""Webhook endpoints, the delivery outbox, and the dead-letter table."""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import delete, select, update

from .db import Tx, as_dict
from .schema import webhook_dead_letters, webhook_deliveries, webhooks

__all__ = [
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


def insert_webhook(tx: Tx, *, url: str, secret: str, events: str, created_at: str) -> int:
    result = tx.conn.execute(webhooks.insert().values(url=url, secret=secret, events=events, active=True,
                                                      created_at=created_at))
    return int(result.inserted_primary_key[0])


def list_webhooks(tx: Tx) -> list[dict[str, Any]]:
    rows = tx.conn.execute(select(webhooks.c.id, webhooks.c.url, webhooks.c.events, webhooks.c.active,
                                  webhooks.c.created_at).order_by(webhooks.c.id))
    return [as_dict(r) for r in rows]


def deactivate_webhook(tx: Tx, webhook_id: int) -> bool:
    result = tx.conn.execute(update(webhooks).where(webhooks.c.id == webhook_id, webhooks.c.active.is_(True))
                             .values(active=False))
    return result.rowcount == 1


def subscribers(tx: Tx) -> list[dict[str, Any]]:
    """Active endpoints with the events they take."""
    rows = tx.conn.execute(select(webhooks.c.id, webhooks.c.events).where(webhooks.c.active.is_(True)))
    return [{"id": r.id, "events": set(r.events.split(","))} for r in rows]


def enqueue(tx: Tx, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        tx.conn.execute(webhook_deliveries.insert(), list(rows))


def due_deliveries(tx: Tx, now: float, limit: int) -> list[dict[str, Any]]:
    stmt = (
        select(webhook_deliveries, webhooks.c.url, webhooks.c.secret)
        .join(webhooks, webhooks.c.id == webhook_deliveries.c.webhook_id)
        .where(webhook_deliveries.c.state == "pending", webhook_deliveries.c.next_attempt_ts <= now)
        .order_by(webhook_deliveries.c.next_attempt_ts, webhook_deliveries.c.id)
        .limit(limit)
    )
    return [as_dict(r) for r in tx.conn.execute(stmt)]


def mark_delivered(tx: Tx, delivery_id: int, *, attempts: int, when: str) -> None:
    tx.conn.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
                    .values(state="delivered", attempts=attempts, delivered_at=when, last_error=None))


def mark_failed(tx: Tx, delivery_id: int, *, attempts: int, next_attempt_ts: float, error: str) -> None:
    tx.conn.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
                    .values(attempts=attempts, next_attempt_ts=next_attempt_ts, last_error=error[:2000]))


def bury(tx: Tx, delivery: dict[str, Any], *, attempts: int, error: str, when: str) -> int:
    """Move a delivery that ran out of attempts to the dead-letter table."""
    result = tx.conn.execute(webhook_dead_letters.insert().values(
        delivery_id=delivery["id"], webhook_id=delivery["webhook_id"], event=delivery["event"], body=delivery["body"],
        attempts=attempts, last_error=error[:2000], died_at=when,
    ))
    tx.conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.id == delivery["id"]))
    return int(result.inserted_primary_key[0])


def list_dead_letters(tx: Tx, *, include_replayed: bool = False) -> list[dict[str, Any]]:
    stmt = select(webhook_dead_letters).order_by(webhook_dead_letters.c.id)
    if not include_replayed:
        stmt = stmt.where(webhook_dead_letters.c.replayed_at.is_(None))
    return [as_dict(r) for r in tx.conn.execute(stmt)]


def replay_dead_letter(tx: Tx, dead_id: int, *, now: float, when: str) -> int | None:
    """Queue a dead letter again with fresh attempts; returns the new delivery id (None if unknown/replayed)."""
    row = tx.conn.execute(select(webhook_dead_letters).where(
        webhook_dead_letters.c.id == dead_id, webhook_dead_letters.c.replayed_at.is_(None))).first()
    if row is None:
        return None
    result = tx.conn.execute(webhook_deliveries.insert().values(
        webhook_id=row.webhook_id, event=row.event, body=row.body, attempts=0, next_attempt_ts=now,
        state="pending", created_at=when,
    ))
    tx.conn.execute(update(webhook_dead_letters).where(webhook_dead_letters.c.id == dead_id).values(replayed_at=when))
    return int(result.inserted_primary_key[0])
