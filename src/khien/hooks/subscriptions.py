"""Webhook subscriptions, and the dead letters an admin may replay.

Each change commits in its own write transaction with its declared audit event, and then tells
the outbox to forget its cached subscriber list (after the commit, so no reader caches the old one).
"""

from __future__ import annotations

import secrets as _secrets
from dataclasses import dataclass
from typing import Iterable

from ..audit import events as audit_events
from ..audit import record
from ..clock import SYSTEM, Clock, iso
from ..enums import WebhookEvent, values
from ..errors import InputError, NotFoundError
from ..review import outbox
from ..store import Store
from ..store import webhooks as rows
from ..store.webhooks import DeadLetter, Webhook
from .addresses import AddressGuard

__all__ = ["Webhook", "DeadLetter", "CreatedWebhook", "create_webhook", "list_webhooks", "delete_webhook",
           "list_dead_letters", "replay_dead_letter"]


@dataclass(frozen=True, slots=True)
class CreatedWebhook:
    """A webhook just made, with its signing secret (shown this once)."""

    webhook: Webhook
    secret: str

    @property
    def id(self) -> int:
        return self.webhook.id

    def public(self) -> dict[str, object]:
        """As ``POST /v1/webhooks`` answers."""
        return {"id": self.webhook.id, "url": self.webhook.url, "events": list(self.webhook.events),
                "secret": self.secret}


def _event_names(chosen: Iterable[str] | None) -> tuple[str, ...]:
    """The distinct chosen events, sorted; all of them when none are chosen."""
    names = sorted(set(chosen)) if chosen is not None else sorted(values(WebhookEvent))
    unknown = [n for n in names if n not in values(WebhookEvent)]
    if unknown or not names:
        raise InputError(f"unknown webhook events {unknown}; valid events: {', '.join(values(WebhookEvent))}",
                         field="events")
    return tuple(names)


def create_webhook(store: Store, *, url: str, secret: str | None = None, events: Iterable[str] | None = None,
                   actor: str, clock: Clock = SYSTEM, guard: AddressGuard | None = None) -> CreatedWebhook:
    """Start sending ``events`` (default: every :class:`WebhookEvent`) to ``url`` (``webhook.created``).

    Without a ``secret`` a random one is made; either way it is returned once and never listed.
    ``url`` must pass ``guard`` (default: no allow-list, the system resolver), else
    :class:`~khien.hooks.addresses.RefusedAddress` (an InputError on ``url``) and nothing is written;
    the deliverer checks it again before every attempt, since DNS answers change.
    """
    names = _event_names(events)
    (guard or AddressGuard()).check(url)
    secret = secret or _secrets.token_urlsafe(32)
    when = iso(clock.now())
    with store.write() as tx:
        hook = rows.insert_webhook(tx, url=url, secret=secret, events=names, created_at=when)
        record(tx, actor, f"webhook:{hook.id}", audit_events.WebhookCreated(url=url, events=",".join(names)), time=when)
    outbox.invalidate()
    return CreatedWebhook(hook, secret)


def list_webhooks(store: Store) -> list[Webhook]:
    """Every endpoint, active or not, without secrets."""
    with store.read() as tx:
        return rows.list_webhooks(tx)


def delete_webhook(store: Store, webhook_id: int, *, actor: str, clock: Clock = SYSTEM) -> None:
    """Stop sending to an endpoint (``webhook.deleted``); its queued deliveries stay for the record."""
    with store.write() as tx:
        if not rows.deactivate_webhook(tx, webhook_id):
            raise NotFoundError(f"webhook {webhook_id} does not exist or is already removed")
        record(tx, actor, f"webhook:{webhook_id}", audit_events.WebhookDeleted(), clock=clock)
    outbox.invalidate()


def list_dead_letters(store: Store, *, include_replayed: bool = False) -> list[DeadLetter]:
    """Deliveries that ran out of attempts (by default only those not yet replayed)."""
    with store.read() as tx:
        return rows.list_dead_letters(tx, include_replayed=include_replayed)


def replay_dead_letter(store: Store, dead_id: int, *, actor: str, clock: Clock = SYSTEM) -> int:
    """Queue a dead letter again, due now, with fresh attempts (``webhook.replayed``); returns the delivery id."""
    now = clock.now()
    with store.write() as tx:
        delivery = rows.replay_dead_letter(tx, dead_id, now=now, when=iso(now))
        if delivery is None:
            raise NotFoundError(f"dead letter {dead_id} does not exist or was already replayed")
        record(tx, actor, f"dead_letter:{dead_id}", audit_events.WebhookReplayed(delivery=delivery), time=iso(now))
    return delivery
