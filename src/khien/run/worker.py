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

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable

from ..clock import SYSTEM, Clock
from ..engine import Engine
from ..errors import KhienError
from ..model import Decision, Item
from ..review.intake import DEFAULT_LEASE_S, Moderated, campaign_lookup, decide_pending, moderate_many, worker_id
from ..store import Store
from ..store.db import StoreError
from .children import ChildPool, EngineRecipe
from .loop import BackgroundLoop

__all__ = ["Worker", "Committer", "DecidePool", "QueueFull", "run_until_stopped"]

log = logging.getLogger("khien.worker")


class Worker(BackgroundLoop):
    """A daemon thread running :func:`decide_pending` until stopped. ``wake()`` skips the idle wait."""

    name = "khien-worker"

    def __init__(self, store: Store, engine: Engine, *, batch: int = 500, batch_bytes: int | None = None,
                 idle_s: float = 0.2, clock: Clock = SYSTEM, lease_s: float = DEFAULT_LEASE_S,
                 owner: str | None = None) -> None:
        super().__init__()
        self.owner = owner or worker_id()  # one name for every lease this worker takes
        self.lease_s = lease_s
        self.store = store
        self.engine = engine
        self.batch = batch
        self.batch_bytes = batch_bytes
        self.idle_s = idle_s
        self.clock = clock
        self.decided = 0

    def run_once(self) -> int:
        n = decide_pending(self.store, self.engine, self.batch, max_bytes=self.batch_bytes, clock=self.clock,
                           owner=self.owner, lease_s=self.lease_s)
        self.decided += n
        return n

    def is_idle(self, n: int) -> bool:
        # A batch cut short by its byte bound holds fewer than ``batch`` items while more wait, so
        # only an empty round means idle (one extra empty read when the backlog drains).
        return n == 0 if self.batch_bytes is not None else n < self.batch


def run_until_stopped(worker: Worker, stop: threading.Event, progress: Callable[[str], None]) -> int:
    """``khien worker``'s loop, in the calling thread: decide batches until ``stop`` is set.

    ``stop`` is checked between batches only, so a SIGTERM lets the batch in hand be decided and
    written (nothing is left leased to a process that is gone). A database that cannot be reached
    is reported and retried after the idle wait, never a crash. Returns how many items were handled.
    """
    progress(f"khien worker {worker.owner}: started (batch {worker.batch}, lease {worker.lease_s:g} s)")
    while not stop.is_set():
        try:
            n = worker.run_once()
        except StoreError as exc:
            progress(f"khien worker {worker.owner}: database unavailable ({exc}); retrying")
            stop.wait(max(worker.idle_s, 1.0))
            continue
        if n:
            progress(f"khien worker {worker.owner}: handled {n} items ({worker.decided} in all)")
        if worker.is_idle(n):
            stop.wait(worker.idle_s)
    progress(f"khien worker {worker.owner}: stopped after {worker.decided} items")
    return worker.decided


class QueueFull(KhienError):
    """Every slot for an engine call is taken: the API answers 503 with ``Retry-After``."""

    code = "khien.busy"
    status = 503
    retry_after = 1


class DecidePool:
    """Runs the engine off the caller's event loop: short texts in threads, long ones in processes.

    Short items are micro-batched (:class:`_Batcher`): a thread that becomes free decides everything
    that queued meanwhile, up to ``batch`` items, in one call.

    An item whose text is longer than ``inline_chars`` goes to a :class:`~khien.run.children.ChildPool`
    of ``processes`` child processes (each built once from ``recipe``), so the engine holding the GIL
    on a long text never stalls ``/healthz`` or the short items; shorter items stay in the threads
    (no IPC cost). ``processes=0`` or no ``recipe``: threads only.

    At most ``limit`` calls are in flight (running or waiting, threads and processes together); one
    more raises :class:`QueueFull` at once, so a burst of long texts costs callers a 503 to retry,
    never an unbounded wait. A slot is freed when the engine call ends, even if the caller stopped
    waiting (a client that disconnects does not let more work pile up behind the threads).

    Threads and children are started on first use and again after :meth:`close`, so an app object
    outlives its lifespan (tests open it several times).
    """

    def __init__(self, engine: Engine, *, threads: int = 2, limit: int = 64, processes: int = 0,
                 inline_chars: int = 20_000, recipe: "EngineRecipe | None" = None, batch: int = 8) -> None:
        self.engine = engine
        self.threads = threads
        self.limit = limit
        self.inline_chars = inline_chars
        self.batch = max(1, batch)
        self._in_flight = 0
        self._lock = threading.Lock()
        self._executor: _Batcher | None = None
        self.children: ChildPool | None = None
        fingerprint = getattr(engine, "fingerprint", None)
        if processes > 0 and recipe is not None and fingerprint:
            self.children = ChildPool(recipe, fingerprint, processes=processes,
                                      fallback=lambda item: self.engine.decide(item))

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def _take(self) -> None:
        with self._lock:
            if self._in_flight >= self.limit:
                raise QueueFull(f"the server is deciding {self._in_flight} items already; try again shortly",
                                hint="Retry after the number of seconds in the Retry-After header.")
            self._in_flight += 1
            if self._executor is None:
                self._executor = _Batcher(self.engine, threads=self.threads, batch=self.batch)

    def _release(self, _future: Future | None = None) -> None:
        with self._lock:
            self._in_flight -= 1

    def _in_child(self, item: Item) -> bool:
        return (self.children is not None and not self.children.mismatch
                and len(item.text or "") > self.inline_chars)

    def submit(self, item: Item) -> "Future[Decision]":
        """Start deciding ``item``; :class:`QueueFull` when ``limit`` calls are in flight."""
        self._take()
        assert self._executor is not None
        try:
            if self._in_child(item):
                assert self.children is not None
                future = self.children.submit(item)
            else:
                future = self._executor.submit(item)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(self._release)
        return future

    async def decide(self, item: Item) -> Decision:
        """The decision on ``item``, awaited without blocking the event loop."""
        return await asyncio.wrap_future(self.submit(item))

    def close(self) -> None:
        """Stop the threads once the calls already running end, and terminate the child processes
        at once (a long decision in a child gets :class:`~khien.run.children.DecideFailed`; a server
        stopping never waits minutes for it). New calls start new threads and children."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown()
        if self.children is not None:
            self.children.close()


def _drain(q: "queue.SimpleQueue[Any]", first: Any, limit: int) -> list[Any]:
    """``first`` and what queued behind it, at most ``limit`` in all, without waiting: the batch a
    free thread takes (the decide pool's and the group committer's). A ``None`` met on the way is a
    stop for the threads: it is put back, for this thread after this batch or for another."""
    taken = [first]
    while len(taken) < limit:
        try:
            more = q.get_nowait()
        except queue.Empty:
            break
        if more is None:
            q.put(None)
            break
        taken.append(more)
    return taken


class _Batcher:
    """Short items decided by a few threads, each taking whatever has queued up (at most ``batch``)
    into one ``engine.decide_batch`` call.

    At low load every item is decided alone, at once; under load the items that arrived while the
    engine was busy share a call, which costs far less per item (the engine's fixed cost per call
    is most of a short post's), so the queue drains instead of growing. A decision depends only on
    its item, never on the batch it shared (tests/learn/test_batch_independence.py). When a batch
    raises, its items are decided one by one, so one bad item fails only its own request.
    """

    def __init__(self, engine: Engine, *, threads: int, batch: int) -> None:
        self.engine = engine
        self.batch = batch
        self._queue: queue.SimpleQueue[tuple[Item, Future] | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._run, name=f"khien-decide-{n}", daemon=True)
                         for n in range(max(1, threads))]
        for thread in self._threads:
            thread.start()

    def submit(self, item: Item) -> "Future[Decision]":
        future: Future[Decision] = Future()
        self._queue.put((item, future))
        return future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            taken = _drain(self._queue, first, self.batch)
            live = [(item, future) for item, future in taken if future.set_running_or_notify_cancel()]
            self._decide(live)

    def _decide(self, live: list[tuple[Item, Future]]) -> None:
        if not live:
            return
        try:
            decisions = self.engine.decide_batch([item for item, _ in live])
        except Exception:  # noqa: BLE001 - find the item that raises: each alone
            for item, future in live:
                try:
                    future.set_result(self.engine.decide(item))
                except Exception as exc:  # noqa: BLE001 - this request's error, not the others'
                    future.set_exception(exc)
            return
        for (_, future), decision in zip(live, decisions):
            future.set_result(decision)

    def shutdown(self) -> None:
        """Cancel what is still queued; each thread stops after the batch it holds."""
        while True:
            try:
                waiting = self._queue.get_nowait()
            except queue.Empty:
                break
            if waiting is not None:
                waiting[1].cancel()
        for _ in self._threads:
            self._queue.put(None)


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

    def submit(self, item: Any, decision: Any, timeout: float = 30.0) -> Moderated:
        slot = _Slot(item, decision)
        self._queue.put(slot)
        if not slot.done.wait(timeout):
            raise StoreError(f"the database did not commit within {timeout:.0f} s")
        if slot.error is not None:
            raise slot.error
        return slot.result

    async def submit_async(self, item: Any, decision: Any, timeout: float = 30.0) -> Moderated:
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
            results = moderate_many(tx, self.engine.policy, [(s.item, s.decision) for s in batch], clock=self.clock,
                                    campaigns=campaign_lookup(self.engine))
        for slot, result in zip(batch, results):
            slot.result = result

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            batch = _drain(self._queue, first, self.max_batch)
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
