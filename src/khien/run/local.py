"""Local batch runner: decide records in a process pool, in input order.

The engine is built once in the parent and inherited by forked workers. Workers receive raw
records (a batch at a time), decode, decide and serialise them, and send back output lines plus
counts, so the parent only reads and writes. Asked for ``findings`` (``khien scan --db``), a batch
also carries back the few items whose author imitates a protected entity, as typed records.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence, Union

import orjson

from ..engine import Engine
from ..errors import InputError
from ..impersonation.findings import AuthorFinding, author_finding
from ..model import Decision, Item
from .sources import decode_record

__all__ = ["AuthorFinding", "BatchResult", "decide_records", "run_batches"]

_ENGINE: Engine | None = None
_DSA = False
_MAX_TEXT: int | None = None
_FINDINGS = False
_KEEP: "Keep" = False

# Which (item, decision) pairs a batch brings back: all (True), none (False), or those whose
# decision the predicate accepts (``khien scan --db`` keeps only the few fact-check decisions).
Keep = Union[bool, Callable[[Decision], bool]]


@dataclass(slots=True)
class BatchResult:
    lines: list[bytes] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    actions: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    records: int = 0
    # author impersonation, in input order; only when asked for, and an empty tuple costs nothing to send
    findings: tuple[AuthorFinding, ...] = ()
    decided: list[tuple[Item, Decision]] = field(default_factory=list)  # filled only with keep (see decide_records)


def decide_records(engine: Engine, records: Sequence[tuple[int, Any]], *, dsa: bool = False,
                   max_text: int | None = None, findings: bool = False, keep: Keep = False) -> BatchResult:
    """Decode and decide one batch; bad records (a text over ``max_text`` characters among them)
    become errors with their line numbers. ``findings`` also collects the items whose decision says
    their author imitates a protected entity (:func:`khien.impersonation.findings.author_finding`);
    ``keep`` also returns the (item, decision) pairs, in the order of the lines (for a runner that
    records decisions in the store too); a callable ``keep`` returns only the pairs whose decision
    it accepts (so a large scan sends back, and records, only those)."""
    result = BatchResult(records=len(records))
    items = []
    for lineno, payload in records:
        try:
            items.append(decode_record(payload, max_text))
        except InputError as exc:
            result.errors.append((lineno, str(exc)))
    if not items:
        return result
    decisions = engine.decide_batch(items)
    if callable(keep):
        result.decided = [(i, d) for i, d in zip(items, decisions) if keep(d)]
    elif keep:
        result.decided = list(zip(items, decisions))
    for decision in decisions:
        result.actions[decision.action] += 1
        for finding in decision.categories:
            result.categories[finding.name] += 1
        result.lines.append(orjson.dumps(decision.to_dict(dsa=dsa)) + b"\n")
    if findings:
        found = [f for f in map(author_finding, items, decisions) if f is not None]
        if found:
            result.findings = tuple(found)
    return result


def _worker(records: Sequence[tuple[int, Any]]) -> BatchResult:
    assert _ENGINE is not None
    return decide_records(_ENGINE, records, dsa=_DSA, max_text=_MAX_TEXT, findings=_FINDINGS, keep=_KEEP)


def _batches(records: Iterable[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run_batches(
    engine: Engine,
    records: Iterable[tuple[int, Any]],
    *,
    workers: int | None = None,
    batch_size: int = 512,
    dsa: bool = False,
    max_text: int | None = None,
    findings: bool = False,
    keep: Keep = False,
    on_result: Callable[[BatchResult], None] | None = None,
) -> Iterator[BatchResult]:
    """Decide every record, yielding batch results in input order.

    ``workers`` ≤ 1 runs in this process; more uses a forked pool that inherits ``engine`` (each
    worker then has its own copy of a stateful stage such as ``campaigns.v1``, which sees only that
    worker's batches: the default is one process when the engine has such a stage).
    ``max_text`` refuses longer texts as line errors (the setting ``max_text_chars``); ``findings``
    fills each result's ``findings`` and ``keep`` its ``decided`` (see :func:`decide_records`; a
    callable ``keep`` reaches the forked workers by inheritance, never pickled).
    """
    global _ENGINE, _DSA, _MAX_TEXT, _FINDINGS, _KEEP
    if workers is None:  # a stateful stage (campaigns.v1) must see every batch, in input order
        workers = 1 if engine.stateful else default_workers()
    batches = _batches(records, batch_size)
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        for batch in batches:
            yield decide_records(engine, batch, dsa=dsa, max_text=max_text, findings=findings, keep=keep)
        return
    _ENGINE, _DSA, _MAX_TEXT, _FINDINGS, _KEEP = engine, dsa, max_text, findings, keep
    ctx = mp.get_context("fork")
    window = workers * 4  # bounded read-ahead: memory stays flat on any input size
    with ctx.Pool(workers) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.apply_async(_worker, (batch,)))
            if len(pending) >= window:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
