"""Wall-clock time as the store records it: ISO-8601 UTC text and epoch seconds."""

from __future__ import annotations

import time
from datetime import datetime, timezone

__all__ = ["now_ts", "iso"]


def now_ts() -> float:
    return time.time()


def iso(ts: float | None = None) -> str:
    ts = now_ts() if ts is None else ts
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
