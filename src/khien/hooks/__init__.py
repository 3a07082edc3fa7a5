"""Webhooks: who subscribes to what, where we may send, what becomes of each delivery, and signing.

The outbox that queues events in the transaction of the change they announce is
``khien.review.outbox``; the thread that POSTs them is ``khien.run.webhooks``. Event names come from
:class:`khien.enums.WebhookEvent`.
"""

from .addresses import AddressGuard, RefusedAddress, Target
from .delivery import Backoff, Failure, Outcome, WebhookDelivery, due, http_status, settle
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
           "delete_webhook", "list_dead_letters", "replay_dead_letter", "Backoff", "Outcome", "Failure", "http_status",
           "due", "settle", "SIGNATURE_HEADER", "sign", "verify_signature", "AddressGuard", "RefusedAddress", "Target"]
