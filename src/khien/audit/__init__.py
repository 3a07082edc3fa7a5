"""The audit log: append-only events, each chained by hash to the one before; and its verification."""

from . import events
from .chain import AuditEvent, VerifyResult, canonical, event_hash, record, record_many, verify
from .read import EventPage, StoredEvent, head, iter_events, list_events

__all__ = ["events", "AuditEvent", "VerifyResult", "canonical", "event_hash", "record", "record_many", "verify",
           "StoredEvent", "EventPage", "list_events", "iter_events", "head"]
