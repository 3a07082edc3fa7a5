"""What the moderator console reads beyond the review API: the queue, counts, author history, the audit log.

The console (``khien.server.console``) never imports ``khien.store``: it calls these functions and
the review services (``cases``, ``appeals``, ``legal``, ``intake``). Each function takes an open
transaction and, where time matters, a :class:`~khien.clock.Clock`, and returns the store's frozen
records (``QueueRow``, ``HistoryRow``, ``Counts``) or the audit log's ``StoredEvent``. Nothing here writes.
"""

from __future__ import annotations

from typing import Sequence

from ..audit import events as declared
from ..audit.read import StoredEvent
from ..clock import SYSTEM, Clock
from ..store import Tx
from ..enums import SubjectKind
from ..store import accounts as account_rows
from ..store import audit as audit_rows
from ..store import console as rows
from ..store import review as review_rows
from ..store.console import Counts, HistoryRow, QueueRow
from ..store.records_accounts import AccountRecord

__all__ = ["SOURCES", "QueueRow", "HistoryRow", "Counts", "StoredEvent", "EVENT_TYPES", "queue", "next_unclaimed",
           "counts", "author_history", "audit_log", "audit_head", "AccountRecord", "case_accounts"]

# Where a case came from, as the queue's filter names it (the engine's cases are "automated").
SOURCES: tuple[str, ...] = tuple(rows.SOURCES)
# Every audit event type a reader may filter on: the declared ones, in declaration order.
EVENT_TYPES: tuple[str, ...] = tuple(declared.EVENTS)


def queue(tx: Tx, *, clock: Clock = SYSTEM, category: str | None = None, action: str | None = None,
          source: str | None = None, claimed_by: str | None = None, limit: int = 100,
          offset: int = 0) -> list[QueueRow]:
    """Open cases by priority at ``clock.now()``; ``claimed_by`` keeps only that person's live claims."""
    return rows.queue(tx, now=clock.now(), category=category, action=action, source=source, claimed_by=claimed_by,
                      limit=limit, offset=offset)


def next_unclaimed(tx: Tx, *, clock: Clock = SYSTEM, category: str | None = None, action: str | None = None,
                   source: str | None = None) -> list[int]:
    """The first few open cases nobody holds a live claim on, by priority: candidates for "claim next"."""
    return rows.next_unclaimed(tx, now=clock.now(), category=category, action=action, source=source)


def case_accounts(tx: Tx, found: Sequence[QueueRow], *, clock: Clock = SYSTEM) -> dict[int, AccountRecord]:
    """The account each ACCOUNT case among ``found`` is about, by case id (the queue shows the account's
    name and followers instead of a text snippet). Only cases without an item body can be account cases,
    so an ordinary queue page costs nothing more; the account is read on the case's own platform."""
    now = clock.now()
    out: dict[int, AccountRecord] = {}
    for row in found:
        if row.item_body is not None:
            continue
        case = review_rows.get_case(tx, row.id, now=now)
        if case is None or case.subject_kind != SubjectKind.ACCOUNT:
            continue
        account = account_rows.get_account(tx, case.platform, case.item_id)
        if account is not None:
            out[row.id] = account
    return out


def counts(tx: Tx, *, clock: Clock = SYSTEM, actor: str | None = None) -> Counts:
    """Open cases, open appeals, and the live claims ``actor`` holds."""
    return rows.counts(tx, now=clock.now(), actor=actor)


def author_history(tx: Tx, *, platform: str, author_id: str, exclude_item: str, limit: int = 20) -> list[HistoryRow]:
    """Decisions on the author's other items on the same platform (never their text), newest first."""
    return rows.author_history(tx, platform=platform, author_id=author_id, exclude_item=exclude_item, limit=limit)


def audit_log(tx: Tx, *, before: int | None = None, limit: int = 100, type: str | None = None,
              subject: str | None = None) -> list[StoredEvent]:
    """Audit events newest first (``seq < before`` when given), each read (tolerantly) through its
    declared class."""
    rows_ = audit_rows.recent(tx, before=before, limit=limit, type=type, subject=subject)
    return [StoredEvent.from_row(r, tolerant=True) for r in rows_]


def audit_head(tx: Tx) -> tuple[int, str]:
    """The chain's last sequence number and hash (a changed head means there is something new to verify)."""
    seq, last_hash = audit_rows.head(tx)
    return int(seq), str(last_hash)
