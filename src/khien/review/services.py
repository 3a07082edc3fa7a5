"""How the server and the CLI reach the store without importing it: opening it, and the service gauges.

``server/`` and ``cli/`` never import ``khien.store`` (an import-linter contract keeps it so); they
open the database with :func:`open_store` here and read queue sizes with :func:`queue_counts`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..enums import ItemStatus
from ..store import Store, Tx
from ..store import items as item_rows
from ..store import open_store as _open_store
from ..store import review as review_rows
from ..store import upgrade as _upgrade
from ..store.db import StoreError

__all__ = ["Store", "Tx", "StoreError", "open_store", "migrate", "QueueCounts", "queue_counts"]


def open_store(url: str | None = None, *, upgrade: bool = False) -> Store:
    """Open the store at ``url`` (``upgrade`` brings the schema to head first)."""
    return _open_store(url, upgrade=upgrade)


def migrate(store: Store) -> str:
    """Bring the schema to head; returns the revision."""
    return _upgrade(store)


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """What ``/healthz`` and ``/metrics`` report about the queues."""

    items_pending: int
    items_failed: int
    cases_open: int


def queue_counts(tx: Tx) -> QueueCounts:
    by_status = item_rows.count_by_status(tx)
    return QueueCounts(items_pending=by_status.get(ItemStatus.PENDING.value, 0),
                       items_failed=by_status.get(ItemStatus.FAILED.value, 0),
                       cases_open=review_rows.count_open_cases(tx))
