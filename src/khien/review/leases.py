"""Keeping a worker's lease alive while it decides the batch it leased.

A lease (``items.lease_owner`` / ``lease_until``) tells other workers to leave a batch alone until it
expires. A batch that takes longer than the lease to decide (long texts, a slow machine) would
otherwise be claimed and decided again by another worker: harmless, since decisions are
idempotent, but the work is done twice. :class:`LeaseKeeper` renews the lease from a background
thread every third of its length while the batch is in hand; a worker that dies stops renewing,
so its items come back after at most one lease.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Sequence

from ..clock import SYSTEM, Clock
from ..store import Store
from ..store import items as item_rows

__all__ = ["LeaseKeeper"]

log = logging.getLogger("khien.worker")


class LeaseKeeper:
    """``with LeaseKeeper(store, owner, pks, lease_s=...):`` renews the lease on ``pks`` until the
    block ends. Renewal only extends rows still pending and still held by ``owner``; a failed
    renewal is logged and tried again at the next tick (the lease then simply runs its course)."""

    def __init__(self, store: Store, owner: str, pks: Sequence[int], *, lease_s: float,
                 clock: Clock = SYSTEM) -> None:
        self.store = store
        self.owner = owner
        self.pks = list(pks)
        self.lease_s = lease_s
        self.clock = clock
        self.renewals = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        interval = max(self.lease_s / 3, 0.05)
        while not self._stop.wait(interval):
            try:
                with self.store.write() as tx:
                    item_rows.renew_leases(tx, self.owner, self.pks, until=self.clock.now() + self.lease_s)
                self.renewals += 1
            except Exception:  # noqa: BLE001 - a missed renewal only shortens the lease
                log.warning("could not renew the lease of %d items", len(self.pks), exc_info=True)

    def __enter__(self) -> "LeaseKeeper":
        if self.pks:
            self._thread = threading.Thread(target=self._run, name="khien-lease", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
