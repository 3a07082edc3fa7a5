"""A background loop in a daemon thread: the shape the worker and the webhook dispatcher share."""

from __future__ import annotations

import logging
import threading

__all__ = ["BackgroundLoop"]


class BackgroundLoop:
    """Calls :meth:`run_once` until stopped; waits ``idle_s`` (or until :meth:`wake`) when idle.

    Subclasses set ``name`` and implement ``run_once() -> int`` and ``is_idle(n) -> bool``. An
    exception in a round is logged and the loop retries after a second, so a transient database or
    network error never stops the service.
    """

    name = "khien-loop"
    idle_s = 0.2

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """One round of work; returns how many things it did."""
        return 0

    def is_idle(self, n: int) -> bool:
        return n == 0

    def start(self) -> "BackgroundLoop":
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        log = logging.getLogger(type(self).__module__)
        while not self._stop.is_set():
            try:
                n = self.run_once()
            except Exception:
                log.exception("%s round failed; retrying in 1 s", self.name)
                self._stop.wait(1.0)
                continue
            if self.is_idle(n):
                self._wake.wait(self.idle_s)
                self._wake.clear()
