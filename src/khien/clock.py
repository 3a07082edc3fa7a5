"""Time as services see it: a clock they are given, never the wall clock read in passing.

Services (``khien.review``, ``khien.access``, the webhook deliverer, the worker) take a ``clock``
argument. Production passes :data:`SYSTEM`; tests pass a :class:`FakeClock` and move it, so claim
expiry, session expiry and webhook back-off are tested without sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "SystemClock", "FakeClock", "SYSTEM", "iso", "parse_iso"]


@runtime_checkable
class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (UTC)."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> float:
        return time.time()

    def iso(self) -> str:
        return iso(self.now())


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def iso(self) -> str:
        return iso(self._now)

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, ts: float) -> None:
        with self._lock:
            self._now = float(ts)


SYSTEM = SystemClock()


def iso(ts: float) -> str:
    """ISO-8601 UTC with milliseconds and a ``Z``: the form every stored time takes."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
