"""The background worker: decides the items ``POST /v1/items`` stored, a batch at a time.

Each batch is read, decided by the engine outside any transaction, then written in one
transaction that inserts the decisions (unique per platform, item id and policy version), opens
their cases, appends their audit events and marks the items decided. Killed at any point, the
worker leaves either nothing or the whole batch; after a restart it re-reads what is still
pending, and any decision already written is skipped by the uniqueness, never written twice.

An item the worker cannot decide is quarantined (``failed``, with its error) by
:func:`khien.review.intake.decide_pending`, so it never holds up the batch or comes back on its own.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from ..clock import SYSTEM, Clock
from ..engine import Engine
from ..model import Decision
from ..review.intake import decide_pending, moderate_many
from ..store import Store
from ..store.db import StoreError
from .loop import BackgroundLoop

__all__ = ["Worker", "Committer"]

log = logging.getLogger("khien.worker")


class Worker(BackgroundLoop):
    """A daemon thread running :func:`decide_pending` until stopped. ``wake()`` skips the idle wait."""

    name = "khien-worker"

    def __init__(self, store: Store, engine: Engine, *, batch: int = 500, idle_s: float = 0.2,
                 clock: Clock = SYSTEM) -> None:
        super().__init__()
        self.store = store
        self.engine = engine
        self.batch = batch
        self.idle_s = idle_s
        self.clock = clock
        self.decided = 0

    def run_once(self) -> int:
        n = decide_pending(self.store, self.engine, self.batch, clock=self.clock)
        self.decided += n
        return n

    def is_idle(self, n: int) -> bool:
        return n < self.batch


class _Slot:
    __slots__ = ("item", "decision", "done", "result", "error", "loop", "future")

    def __init__(self, item: Any, decision: Any, loop: Any = None, future: Any = None) -> None:
        self.item = item
        self.decision = decision
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.loop = loop  # set when an asyncio caller awaits ``future`` instead of blocking on ``done``
        self.future = future

    def finish(self) -> None:
        self.done.set()
        if self.future is not None:
            self.loop.call_soon_threadsafe(self._resolve)

    def _resolve(self) -> None:
        if self.future.done():
            return
        if self.error is not None:
            self.future.set_exception(self.error)
        else:
            self.future.set_result(self.result)


class Committer:
    """Group commit for ``POST /v1/moderate``.

    Each request runs the engine in its own thread, then hands its (item, decision) here and waits.
    One thread writes whatever has queued up in one transaction (:func:`moderate_many`), so under
    load many requests share a commit, and at low load each request still gets its own at once.
    If a shared transaction fails, its requests are retried one by one, so one bad item cannot
    fail the others.
    """

    def __init__(self, store: Store, engine: Engine, *, max_batch: int = 64, clock: Clock = SYSTEM) -> None:
        self.store = store
        self.engine = engine
        self.clock = clock
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Slot] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Committer":
        self._thread = threading.Thread(target=self._run, name="khien-committer", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def submit(self, item: Any, decision: Any, timeout: float = 30.0) -> tuple[Decision, bool]:
        slot = _Slot(item, decision)
        self._queue.put(slot)
        if not slot.done.wait(timeout):
            raise StoreError(f"the database did not commit within {timeout:.0f} s")
        if slot.error is not None:
            raise slot.error
        return slot.result

    async def submit_async(self, item: Any, decision: Any, timeout: float = 30.0) -> tuple[Decision, bool]:
        """:meth:`submit` for an event loop: awaits the commit without holding a thread."""
        import asyncio

        loop = asyncio.get_running_loop()
        slot = _Slot(item, decision, loop, loop.create_future())
        self._queue.put(slot)
        try:
            return await asyncio.wait_for(slot.future, timeout)
        except asyncio.TimeoutError:
            raise StoreError(f"the database did not commit within {timeout:.0f} s") from None

    def _write(self, batch: list[_Slot]) -> None:
        with self.store.write() as tx:
            results = moderate_many(tx, self.engine.policy, [(s.item, s.decision) for s in batch], clock=self.clock)
        for slot, result in zip(batch, results):
            slot.result = result

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write(batch)
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting request
                if len(batch) == 1:
                    first.error = exc
                else:
                    for slot in batch:
                        try:
                            self._write([slot])
                        except BaseException as one:  # noqa: BLE001
                            slot.error = one
            finally:
                for slot in batch:
                    slot.finish()
