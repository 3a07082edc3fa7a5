"""The service's fact-checks for ``claims.v1``: a matcher over the store, refreshed while it runs.

Fact-checks are imported, retired and their publishers trusted while the service runs, so the
engine's context carries this callable instead of a fixed matcher: ``claims.v1`` calls it once per
batch; it re-reads the live fact-checks of trusted publishers at most every ``refresh_s`` seconds
and rebuilds the index only when they changed.

The dense model's vectors of the claims are kept in the store (``claim_embeddings``, through
:class:`StoreVectors`): a service start, or a refresh after an import, embeds only the claims no
process has embedded before.
"""

from __future__ import annotations

import logging
import threading
from typing import Sequence

import numpy as np

from ..claims import Matcher
from ..claims.dense import DIM, MODEL
from ..clock import SYSTEM, Clock, iso
from ..store.db import StoreError
from ..store import Store
from ..store import claims as rows

__all__ = ["LiveClaims", "REFRESH_S", "StoreVectors"]

REFRESH_S = 60.0

log = logging.getLogger("khien.claims")


class StoreVectors:
    """The claims' vectors in the store: a :class:`~khien.claims.dense.VectorCache`."""

    def __init__(self, store: Store, clock: Clock = SYSTEM) -> None:
        self.store, self.clock = store, clock

    def load(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        with self.store.read() as tx:
            found = rows.vectors(tx, list(keys))
        return {k: np.frombuffer(v, dtype="<f4").copy() for k, v in found.items() if len(v) == 4 * DIM}

    def save(self, vectors: dict[str, np.ndarray]) -> None:
        """Keep new vectors; best effort: they are a cache, and a database that refuses the write
        (busy, read-only) must not stop the posts being matched (the next start embeds them again)."""
        if not vectors:
            return
        data = {k: np.asarray(v, dtype="<f4").tobytes() for k, v in vectors.items()}
        try:
            with self.store.write() as tx:
                rows.put_vectors(tx, MODEL, DIM, data, when=iso(self.clock.now()))
        except StoreError as exc:
            log.warning("claim vectors not kept (%d): %s", len(data), exc)


class LiveClaims:
    """``LiveClaims(store)()`` -> the current :class:`~khien.claims.Matcher` (None when none is live)."""

    def __init__(self, store: Store, *, refresh_s: float = REFRESH_S, clock: Clock = SYSTEM,
                 dense: bool = True) -> None:
        self.store, self.refresh_s, self.clock, self.dense = store, refresh_s, clock, dense
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
                    self._matcher = Matcher.calibrated(
                        live, dense=self.dense, clock=self.clock,
                        embeddings_cache=StoreVectors(self.store, self.clock)) if live else None
                self._read_at = now
        return self._matcher
