"""Engine child processes for long texts: the server's event loop and threads keep the GIL.

The engine holds the GIL for long stretches (a regex over a long text does not release it), so a
1 MB text decided in a server thread would stall ``/healthz`` and every other request of that
process. :class:`ChildPool` decides such items in separate processes instead:

- started lazily with the ``spawn`` context (never ``fork`` from a threaded server); each child
  builds the engine once from an :class:`EngineRecipe` (the policy path and, for a service engine
  that matches fact-checks, the database URL), never a pickled engine or store,
  and runs at a lower CPU priority (``CHILD_NICE``) than the server it serves;
- a child whose engine fingerprint differs from the server's answers :class:`EngineMismatch`, so a
  server with an engine of its own (tests, embedding) never gets decisions from another engine;
- a child that dies (killed, out of memory) fails only the item it held, with
  :class:`DecideFailed` (503 problem+json); the next item gets a fresh child;
- :meth:`ChildPool.close` terminates the children, also those in the middle of a long decision:
  a server that stops never waits for them.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import queue
import signal
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable

from ..engine import Engine
from ..errors import KhienError
from ..model import Decision, Item

__all__ = ["EngineRecipe", "ChildPool", "DecideFailed", "EngineMismatch"]

log = logging.getLogger("khien.decide")

# The children run at a lower CPU priority than the server: on a busy host the API's short
# requests and /healthz are scheduled before a long text's decision (which may take seconds anyway).
CHILD_NICE = 10

# How long close() lets a terminated child go before it is killed.
_TERMINATE_GRACE_S = 1.0


@dataclass(frozen=True, slots=True)
class EngineRecipe:
    """What a child process needs to build the server's engine, as plain values (it is pickled).

    ``policy``: the policy file (None: packaged). ``database_url``: the service's database, when the
    server's engine matches posts against the store's live fact-checks (``claims.v1`` with
    :class:`~khien.review.claims_live.LiveClaims`); the child then opens a store of its own and its own
    ``LiveClaims`` over it, so a long text is matched against the same fact-checks as a short one.
    None: an engine without fact-checks (``claims.v1`` emits nothing), as ``Engine.from_policy``.
    The context is not part of the engine's fingerprint, so the fingerprint check is unchanged.
    """

    policy: str | None = None
    database_url: str | None = None
    dense: bool = True  # claims.v1 with the dense model too (the server's ``claims_dense`` setting)

    @classmethod
    def with_live_claims(cls, policy: str | None, database_url: str, *, dense: bool = True) -> "EngineRecipe | None":
        """The recipe of a service engine that reads the store's fact-checks; None when the database
        lives only in the server's memory (``sqlite://``): a child could not open it, so no recipe
        (long texts are decided in threads) rather than a child deciding without the fact-checks."""
        if database_url in _PROCESS_LOCAL_URLS:
            return None
        return cls(policy, database_url, dense)

    def build(self) -> Engine:
        if self.database_url is None:
            return Engine.from_policy(self.policy)
        from ..detect.context import DetectorContext
        from ..review.claims_live import LiveClaims
        from ..review.services import open_store

        # The child's own store and its own refreshing view of the fact-checks (a store, its
        # connections and a matcher are never sent over the pipe). Never migrated here: the server did.
        store = open_store(self.database_url)
        return Engine.from_policy(self.policy, context=DetectorContext(claims=LiveClaims(store, dense=self.dense)))


# Database URLs another process cannot open (SQLite in memory belongs to the process that made it).
_PROCESS_LOCAL_URLS = frozenset({"sqlite://", "sqlite:///:memory:"})


class DecideFailed(KhienError):
    """The process deciding the item stopped (killed, out of memory, server stopping)."""

    code = "khien.decide_failed"
    status = 503
    retry_after = 1


class EngineMismatch(Exception):
    """A child built an engine whose fingerprint is not the server's (never used for decisions)."""


# Characters of text per message to a child: encoding a 1 MB text at once would hold the GIL for
# tens of milliseconds (page faults included); in pieces, other threads run between them.
_CHUNK_CHARS = 32_768


def _send_item(conn: Connection, item: Item) -> None:
    """Send ``item`` as its fields without the text, then the text in UTF-8 pieces, then ``b""``."""
    conn.send(dataclasses.replace(item, text=""))
    text = item.text
    for start in range(0, len(text), _CHUNK_CHARS):
        conn.send_bytes(text[start:start + _CHUNK_CHARS].encode("utf-8", "surrogatepass"))
    conn.send_bytes(b"")


def _receive_item(conn: Connection) -> Item:
    shell: Item = conn.recv()
    pieces = []
    while piece := conn.recv_bytes():
        pieces.append(piece)
    return dataclasses.replace(shell, text=b"".join(pieces).decode("utf-8", "surrogatepass"))


def _child_main(conn: Connection, recipe: EngineRecipe, expected: str) -> None:
    """A child's life: build the engine once, then decide items sent over ``conn`` until EOF.

    Each answer is ``("ok", decision)``, ``("error", exception)`` or ``("mismatch", fingerprint)``.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    try:
        os.nice(CHILD_NICE)
    except OSError:  # pragma: no cover - a platform without nice: same priority as the server
        pass
    try:
        engine: Engine | None = recipe.build()
        build_error: BaseException | None = None
    except BaseException as exc:  # noqa: BLE001 - reported per item, not a silent exit
        engine, build_error = None, exc
    while True:
        try:
            item = _receive_item(conn)
        except (EOFError, OSError):
            return  # the server closed the pipe or died
        if engine is None:
            answer: tuple[str, Any] = ("error", RuntimeError(f"the engine could not be built: {build_error}"))
        elif engine.fingerprint != expected:
            answer = ("mismatch", engine.fingerprint)
        else:
            try:
                answer = ("ok", engine.decide(item))
            except Exception as exc:  # noqa: BLE001 - handed to the waiting request
                answer = ("error", exc)
        try:
            conn.send(answer)
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            conn.send(("error", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))


class _Child:
    """One child process and its end of the pipe; one item at a time."""

    def __init__(self, recipe: EngineRecipe, expected: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, theirs = ctx.Pipe()
        self.process = ctx.Process(target=_child_main, args=(theirs, recipe, expected),
                                   name="khien-decide-child", daemon=True)
        self.process.start()
        theirs.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def decide(self, item: Item) -> Decision:
        """The child's decision; :class:`DecideFailed` if it dies first, :class:`EngineMismatch`."""
        try:
            _send_item(self.conn, item)
            while True:
                ready = wait([self.conn, self.process.sentinel])
                if self.conn in ready or self.conn.poll():
                    kind, value = self.conn.recv()
                    break
                raise EOFError  # the sentinel fired and nothing was sent: the child is gone
        except (EOFError, OSError):
            code = self.process.exitcode
            raise DecideFailed(f"the process deciding item {item.id!r} stopped (exit code {code}) before "
                               "it answered", hint="Retry after the number of seconds in the Retry-After "
                               "header; a text that keeps failing may be too large for the engine.") from None
        if kind == "ok":
            return value
        if kind == "mismatch":
            raise EngineMismatch(value)
        raise value

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        """Terminate now (SIGTERM, then SIGKILL after a short grace); never waits for a decision.

        The pipe is left open: a thread waiting on it sees the child's death (EOF, broken pipe)
        instead of a handle closed under it; it is closed when the child is forgotten or collected.
        """
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(_TERMINATE_GRACE_S)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(_TERMINATE_GRACE_S)


class ChildPool:
    """``processes`` children, each deciding one item at a time; items queue for a free child.

    Started on first use and again after :meth:`close`. The waiting happens in a small thread
    pool of its own (one thread per child, blocked on the pipe with the GIL released), so long
    texts never hold the threads that decide short items.
    """

    def __init__(self, recipe: EngineRecipe, expected_fingerprint: str, *, processes: int = 1,
                 fallback: Callable[[Item], Decision]) -> None:
        self.recipe = recipe
        self.fallback = fallback  # decides in-process when a child's engine is not the server's
        self.mismatch = False
        self.expected = expected_fingerprint
        self.processes = processes
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._idle: queue.SimpleQueue[_Child | None] = queue.SimpleQueue()
        self._live: set[_Child] = set()
        self._generation = 0

    @property
    def pids(self) -> list[int]:
        """Process ids of the children alive now (for tests and the benchmark)."""
        with self._lock:
            return [c.pid for c in self._live if c.pid is not None and c.alive]

    def submit(self, item: Item) -> "Future[Decision]":
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.processes, thread_name_prefix="khien-decide-child")
                self._idle = queue.SimpleQueue()
                for _ in range(self.processes):
                    self._idle.put(None)  # a slot whose child starts when first needed
            executor, generation, idle = self._executor, self._generation, self._idle
        return executor.submit(self._decide, item, generation, idle)

    def _decide(self, item: Item, generation: int, idle: "queue.SimpleQueue[_Child | None]") -> Decision:
        child = idle.get()  # one thread per slot: never waits long
        try:
            if child is None:
                child = self._start(generation)
            return child.decide(item)
        except EngineMismatch as exc:
            if not self.mismatch:
                log.warning("decide child: its engine %s is not the server's %s (the server was given an engine "
                            "its policy setting does not build); long texts are decided in threads", exc,
                            self.expected)
            self.mismatch = True
            return self.fallback(item)
        except DecideFailed:
            self._forget(child)
            child = None  # the next item gets a fresh child
            raise
        finally:
            idle.put(child)

    def _start(self, generation: int) -> _Child:
        with self._lock:
            if generation != self._generation:
                raise DecideFailed("the server is stopping", hint="Retry after the number of seconds in "
                                   "the Retry-After header.")
            child = _Child(self.recipe, self.expected)
            self._live.add(child)
            return child

    def _forget(self, child: _Child | None) -> None:
        if child is None:
            return
        with self._lock:
            self._live.discard(child)
        child.stop()
        child.conn.close()  # by the thread that used it, now that nobody waits on it

    def close(self) -> None:
        """Terminate every child (also one mid-decision: its request gets :class:`DecideFailed`)."""
        with self._lock:
            executor, self._executor = self._executor, None
            children, self._live = list(self._live), set()
            self._generation += 1
        for child in children:
            child.stop()
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
