"""The service's fact-checks for ``claims.v1``: a matcher over the store, refreshed while it runs.

Fact-checks are imported, retired and their publishers trusted while the service runs, so the
engine's context carries this callable instead of a fixed matcher: ``claims.v1`` calls it once per
batch; it re-reads the live fact-checks of trusted publishers at most every ``refresh_s`` seconds
and rebuilds the index only when they changed.
"""

from __future__ import annotations

import threading

from ..claims import Matcher
from ..clock import SYSTEM, Clock
from ..store import Store
from ..store import claims as rows

__all__ = ["LiveClaims", "REFRESH_S"]

REFRESH_S = 60.0


class LiveClaims:
    """``LiveClaims(store)()`` -> the current :class:`~khien.claims.Matcher` (None when none is live)."""

    def __init__(self, store: Store, *, refresh_s: float = REFRESH_S, clock: Clock = SYSTEM) -> None:
        self.store, self.refresh_s, self.clock = store, refresh_s, clock
        self._lock = threading.Lock()
        self._read_at: float | None = None
        self._matcher: Matcher | None = None

    def __call__(self) -> Matcher | None:
        now = self.clock.now()
        if self._read_at is not None and now - self._read_at < self.refresh_s:
            return self._matcher
        with self._lock:
            if self._read_at is None or now - self._read_at >= self.refresh_s:
                with self.store.read() as tx:
                    live = tuple(rows.matchable(tx))
                if self._matcher is None or self._matcher.fact_checks != live:
                    self._matcher = Matcher.calibrated(live, dense=False) if live else None
                self._read_at = now
        return self._matcher
