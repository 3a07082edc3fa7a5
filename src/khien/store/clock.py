"""Wall-clock time as the store records it (kept for callers not yet given a clock; see ``khien.clock``)."""

from __future__ import annotations

from ..clock import SYSTEM
from ..clock import iso as _iso

__all__ = ["now_ts", "iso"]


def now_ts() -> float:
    return SYSTEM.now()


def iso(ts: float | None = None) -> str:
    return _iso(SYSTEM.now() if ts is None else ts)
