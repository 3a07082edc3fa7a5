"""Webhooks: who subscribes to what, what becomes of each delivery, and how bodies are signed.

The outbox that queues events in the transaction of the change they announce is
``khien.review.outbox``; the thread that POSTs them is ``khien.run.webhooks``. Event names come from
:class:`khien.enums.WebhookEvent`.
"""

from .delivery import Backoff, Outcome, WebhookDelivery, due, settle
from .signing import SIGNATURE_HEADER, sign, verify_signature
from .subscriptions import (
    CreatedWebhook,
    DeadLetter,
    Webhook,
    create_webhook,
    delete_webhook,
    list_dead_letters,
    list_webhooks,
    replay_dead_letter,
)

__all__ = ["Webhook", "CreatedWebhook", "DeadLetter", "WebhookDelivery", "create_webhook", "list_webhooks",
           "delete_webhook", "list_dead_letters", "replay_dead_letter", "Backoff", "Outcome", "due", "settle",
           "SIGNATURE_HEADER", "sign", "verify_signature"]
