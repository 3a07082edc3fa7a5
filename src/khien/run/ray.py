"""Batch runner on Ray Data: ``khien scan INPUT --engine ray -o OUTDIR/``.

Pipeline: a dataset of the input files still to do → ``map_batches`` with :class:`Decider`, an actor
pool of ``workers`` actors, each loading one :class:`~khien.engine.Engine` once, reading one input
file at a time (:func:`khien.run.batchfiles.read_rows`) and deciding its rows through
:func:`khien.run.local.decide_records` (the function ``khien scan`` uses, so a decision is the same
JSON object) → this process, which writes each input's decisions to its own Parquet file.

Contracts:

- **Same decisions**: the output of an input file holds, in input order, exactly the decisions
  ``khien scan --engine local`` writes for that file (one row each, see docs/scale.md for the
  columns); refused rows are reported with the file and row number and left out, as ``khien scan``
  leaves out a bad line.
- **Resumable by file**: an output is written under ``<name>.partial`` and renamed when its input is
  complete; a run skips every input whose output exists. A crash loses at most the files in flight.
- **Order**: Ray Data runs with ``preserve_order``, so rows reach this process in input order and
  files complete one after another; only the file being written is open.

Ray is imported on first use: the core install does not need it (``pip install 'khien[ray]'``).
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import orjson

from ..engine import Engine
from ..errors import KhienError
from .batchfiles import DecisionRow, DecisionWriter, read_rows
from .local import decide_records, default_workers

__all__ = ["FileDone", "RayScanSummary", "Decider", "RAY_ENV", "import_ray", "start_ray", "run_ray_scan"]

# Every Ray listener on loopback, and no usage report sent home (docs/RECIPES: Ray).
RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}

_FILE_ERROR_ROW = 0  # an error on row 0 is about the whole file (unreadable): it gets no output


def import_ray() -> Any:
    """The ``ray`` module, or a :class:`KhienError` naming the extra that installs it."""
    for key, value in RAY_ENV.items():
        os.environ.setdefault(key, value)
    try:
        import ray
        import ray.data  # noqa: F401  (the Data library is the part this runner needs)
    except ModuleNotFoundError as exc:
        raise KhienError(f"--engine ray needs the optional 'ray' dependencies ({exc.name} is not installed): "
                         "pip install 'khien[ray]'") from None
    return ray


def start_ray(address: str | None, workers: int | None) -> tuple[bool, int]:
    """Connect to Ray: the cluster at ``address``, or (without one) a local Ray of ``workers`` CPUs on
    loopback. A Ray already initialised in this process is used as it is. Returns (started here,
    workers to run): without ``workers``, one per CPU of the cluster (locally, one per core)."""
    ray = import_ray()
    started = False
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
        else:
            ray.init(num_cpus=workers or default_workers(), include_dashboard=False, log_to_driver=False,
                     logging_level=logging.WARNING)
        started = True
    if workers is None:
        workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
    return started, workers


class Decider:
    """A Ray Data actor: one engine, loaded once in ``__init__``, reads the input files it is given
    and decides their rows.

    :meth:`decide` takes rows with the columns ``file``, ``row``, ``payload`` (raw JSON), ``error``
    (set when the row was refused while reading) and returns ``file``, ``row``, ``id``, ``action``,
    ``categories``, ``decision``, ``error`` — one row per input row, in the same order; a refused row
    has ``error`` and no decision.
    """

    def __init__(self, make_engine: Callable[[], Engine], dsa: bool, max_text: int, batch_size: int) -> None:
        self.engine = make_engine()
        self.dsa = dsa
        self.max_text = max_text
        self.batch_size = batch_size

    def __call__(self, files: Any) -> Iterator[Any]:
        """Each input file named in ``files`` (columns ``file``, ``path``), ``batch_size`` rows at a time."""
        for rows in _read_files(files, batch_size=self.batch_size, max_text=self.max_text):
            yield self.decide(rows)

    def decide(self, batch: Any) -> Any:
        import pyarrow as pa

        files = batch.column("file").to_pylist()
        rows = batch.column("row").to_pylist()
        payloads = batch.column("payload").to_pylist()
        errors: list[str | None] = batch.column("error").to_pylist()
        records = [(i, payloads[i]) for i in range(len(rows)) if errors[i] is None]
        result = decide_records(self.engine, records, dsa=self.dsa, max_text=self.max_text)
        for i, message in result.errors:
            errors[i] = message
        decided = [i for i, _ in records if errors[i] is None]
        ids: list[str | None] = [None] * len(rows)
        actions: list[str | None] = [None] * len(rows)
        categories: list[list[str] | None] = [None] * len(rows)
        lines: list[str | None] = [None] * len(rows)
        for i, line in zip(decided, result.lines):
            decision = orjson.loads(line)
            ids[i], actions[i] = decision["id"], decision["action"]
            categories[i] = [c["name"] for c in decision["categories"]]
            lines[i] = line.rstrip(b"\n").decode("utf-8")
        return pa.Table.from_pydict({
            "file": pa.array(files, pa.int32()), "row": pa.array(rows, pa.int64()),
            "id": pa.array(ids, pa.string()), "action": pa.array(actions, pa.string()),
            "categories": pa.array(categories, pa.list_(pa.string())),
            "decision": pa.array(lines, pa.string()), "error": pa.array(errors, pa.string()),
        })


def _read_files(batch: Any, *, batch_size: int, max_text: int) -> Iterator[Any]:
    """The rows of each input file named in ``batch`` (columns ``file``, ``path``), as tables."""
    import pyarrow as pa

    def table(file: int, rows: list[int], payloads: list[bytes | None], errors: list[str | None]) -> Any:
        return pa.Table.from_pydict({
            "file": pa.array([file] * len(rows), pa.int32()), "row": pa.array(rows, pa.int64()),
            "payload": pa.array(payloads, pa.binary()), "error": pa.array(errors, pa.string()),
        })

    for file, path in zip(batch.column("file").to_pylist(), batch.column("path").to_pylist()):
        try:
            for part in read_rows(Path(path), batch_size, max_text):
                numbered = sorted([(r, p, None) for r, p in zip(part.rows, part.payloads)]
                                  + [(r, None, m) for r, m in part.errors], key=lambda t: t[0])
                yield table(file, [n[0] for n in numbered], [n[1] for n in numbered], [n[2] for n in numbered])
        except Exception as exc:  # noqa: BLE001  a truncated or foreign file fails alone, the run goes on
            yield table(file, [_FILE_ERROR_ROW], [None], [str(exc)])


@dataclass(frozen=True, slots=True)
class FileDone:
    """One input file finished: its output written (``out``), or refused as a whole (``failed``)."""

    path: Path
    out: Path
    decided: int
    rejected: int
    failed: str | None = None


@dataclass(slots=True)
class RayScanSummary:
    files: int = 0  # inputs named
    skipped: int = 0  # inputs whose output existed already
    done: int = 0  # outputs written by this run
    failed: int = 0  # inputs that could not be read at all (no output; a re-run tries them again)
    decided: int = 0  # items in the outputs written by this run
    rejected: int = 0
    workers: int = 0
    actions: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    elapsed: float = 0.0


class _Files:
    """This process's side: routes decided rows, in order, to one :class:`DecisionWriter` at a time."""

    def __init__(self, todo: Sequence[tuple[Path, Path]], summary: RayScanSummary,
                 on_file: Callable[[FileDone], None], on_error: Callable[[Path, int, str], None]) -> None:
        self.todo = todo
        self.summary = summary
        self.on_file = on_file
        self.on_error = on_error
        self.next = 0  # the first file not finished yet
        self.writer: DecisionWriter | None = None
        self.decided = self.rejected = 0
        self.actions: Counter = Counter()
        self.categories: Counter = Counter()
        self.failed: str | None = None

    def _finish_through(self, last: int) -> None:
        """Finish every file up to ``last`` (inclusive): rows arrive in file order, so they are complete."""
        while self.next <= last:
            path, out = self.todo[self.next]
            if self.failed is not None:
                if self.writer is not None:
                    self.writer.abort()
                self.summary.failed += 1
            else:  # a file's decisions count once its output exists
                (self.writer or DecisionWriter(out)).commit()
                self.summary.done += 1
                self.summary.decided += self.decided
                self.summary.actions.update(self.actions)
                self.summary.categories.update(self.categories)
            self.on_file(FileDone(path, out, self.decided, self.rejected, self.failed))
            self.writer, self.decided, self.rejected, self.failed = None, 0, 0, None
            self.actions, self.categories = Counter(), Counter()
            self.next += 1

    def take(self, batch: Any) -> None:
        files = batch.column("file").to_pylist()
        rows = batch.column("row").to_pylist()
        errors = batch.column("error").to_pylist()
        ids, actions = batch.column("id").to_pylist(), batch.column("action").to_pylist()
        categories, lines = batch.column("categories").to_pylist(), batch.column("decision").to_pylist()
        start = 0
        while start < len(files):
            file = files[start]
            end = start
            while end < len(files) and files[end] == file:
                end += 1
            self._finish_through(file - 1)
            path, out = self.todo[file]
            decided = []
            for i in range(start, end):
                if errors[i] is not None:
                    if rows[i] == _FILE_ERROR_ROW:
                        self.failed = errors[i]
                    else:
                        self.rejected += 1
                        self.summary.rejected += 1
                    self.on_error(path, rows[i], errors[i])
                    continue
                decided.append(DecisionRow(rows[i], ids[i], actions[i], tuple(categories[i]), lines[i]))
                self.actions[actions[i]] += 1
                self.categories.update(categories[i])
            if decided and self.failed is None:
                if self.writer is None:
                    self.writer = DecisionWriter(out)
                self.writer.write(decided)
                self.decided += len(decided)
            start = end

    def close(self) -> None:
        self._finish_through(len(self.todo) - 1)

    def abandon(self) -> None:
        """A run that stopped: the file being written is not complete, so it keeps no output."""
        if self.writer is not None:
            self.writer.abort()


def run_ray_scan(
    inputs: Sequence[Path],
    outputs: Sequence[Path],
    make_engine: Callable[[], Engine],
    *,
    workers: int,
    batch_size: int = 512,
    dsa: bool = False,
    max_text: int,
    on_skip: Callable[[Path, Path], None] = lambda path, out: None,
    on_file: Callable[[FileDone], None] = lambda done: None,
    on_error: Callable[[Path, int, str], None] = lambda path, row, message: None,
) -> RayScanSummary:
    """Decide every input whose output does not exist yet, on the Ray this process is connected to
    (:func:`start_ray`), with ``workers`` :class:`Decider` actors. ``make_engine`` must be picklable
    (a module-level function or a ``functools.partial`` of one): each actor calls it once."""
    ray = import_ray()
    started = time.perf_counter()
    summary = RayScanSummary(files=len(inputs), workers=workers)
    todo: list[tuple[Path, Path]] = []
    for path, out in zip(inputs, outputs):
        if out.exists():
            summary.skipped += 1
            on_skip(path, out)
        else:
            todo.append((path, out))
    if todo:
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # the CLI prints its own progress
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # rows reach this process in input order
        context.enable_progress_bars = False
        files = ray.data.from_items([{"file": i, "path": str(p)} for i, (p, _) in enumerate(todo)],
                                    override_num_blocks=len(todo))
        # one task = one input file, read and decided by one actor (a separate read step would be
        # fused into the actors anyway, with the files bundled into one task); an actor takes one
        # file at a time, so the first actor up does not queue them all
        decided = files.map_batches(Decider, fn_constructor_kwargs={"make_engine": make_engine, "dsa": dsa,
                                                                    "max_text": max_text, "batch_size": batch_size},
                                    batch_size=1, batch_format="pyarrow", num_cpus=1,
                                    compute=ray.data.ActorPoolStrategy(size=workers, max_tasks_in_flight_per_actor=1))
        sink = _Files(todo, summary, on_file, on_error)
        try:
            for batch in decided.iter_batches(batch_size=None, batch_format="pyarrow"):
                sink.take(batch)
        except BaseException:
            sink.abandon()
            raise
        sink.close()
    summary.elapsed = time.perf_counter() - started
    return summary
