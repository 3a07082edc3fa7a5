"""Files of a batch run (``khien scan --engine ray``): which inputs, where their outputs go, how
rows are read and decisions written.

Nothing here imports Ray: the distributed part is :mod:`khien.run.ray`; this module is plain
pyarrow, so its contracts can be checked without a cluster.

- **Inputs** (:func:`expand_inputs`): a file, a directory (every ``*.parquet``, ``*.jsonl`` and
  ``*.jsonl.gz`` under it) or a glob (``**`` recurses), in sorted order.
- **Rows** (:func:`read_rows`): a JSONL line is passed on as its raw bytes, exactly as ``khien scan``
  reads it; a Parquet row becomes the JSON object of its columns (nested structs for ``author`` and
  ``reach``, a list for ``media``) with null fields left out, as a missing JSON key is. Rows are
  numbered from 1 in file order (a JSONL row number is its line number).
- **Outputs** (:func:`output_path`, :class:`DecisionWriter`): one Parquet file per input, written
  under a temporary name and renamed when the input is complete, so an output that exists is
  finished, and a crashed run leaves at most a ``.partial`` file that the next run overwrites.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import orjson

from ..errors import InputError
from .sources import LineTooLong, line_bound, read_records

__all__ = ["DecisionRow", "DecisionWriter", "RowBatch", "OUTPUT_COLUMNS", "expand_inputs", "input_format",
           "output_path", "partial_path", "read_rows"]

_SUFFIXES = (".parquet", ".jsonl", ".jsonl.gz")
PARTIAL = ".partial"

# The output schema, documented in docs/scale.md: one row per decided item, in input order.
OUTPUT_COLUMNS = ("row", "id", "action", "categories", "decision")


def input_format(path: Path) -> str:
    """``parquet`` or ``jsonl``, from the file name."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".jsonl", ".jsonl.gz")):
        return "jsonl"
    raise InputError(f"{path}: not a Parquet or JSONL file (names end in {', '.join(_SUFFIXES)})")


def expand_inputs(spec: str) -> list[Path]:
    """The input files a spec names, sorted: a file, a directory (searched recursively) or a glob."""
    p = Path(spec)
    if p.is_dir():
        found = sorted(f for f in p.rglob("*") if f.is_file() and f.name.lower().endswith(_SUFFIXES))
    elif p.is_file():
        found = [p]
    else:
        found = sorted(Path(f) for f in glob.glob(spec, recursive=True) if Path(f).is_file())
    for f in found:
        input_format(f)
    if not found:
        raise InputError(f"no Parquet or JSONL input matches {spec!r}")
    return found


def _root(inputs: Sequence[Path]) -> Path:
    parents = [str(f.resolve().parent) for f in inputs]
    return Path(os.path.commonpath(parents))


def output_path(inputs: Sequence[Path], outdir: Path) -> list[Path]:
    """The output of each input: its path below the inputs' common folder, under ``outdir``, with
    the input's suffix replaced by ``.parquet``. Two inputs that would share an output are refused."""
    root = _root(inputs)
    outs = []
    for f in inputs:
        rel = f.resolve().relative_to(root)
        name = rel.name
        for suffix in _SUFFIXES:
            if name.lower().endswith(suffix):
                name = name[: -len(suffix)]
                break
        outs.append(outdir / rel.parent / f"{name}.parquet")
    seen: dict[Path, Path] = {}
    for f, out in zip(inputs, outs):
        if out in seen:
            raise InputError(f"{seen[out]} and {f} would both write {out}; rename one of them")
        seen[out] = f
    return outs


def partial_path(out: Path) -> Path:
    return out.with_name(out.name + PARTIAL)


@dataclass(slots=True)
class RowBatch:
    """Rows of one input file: ``rows[i]`` is the 1-based row (line) number of ``payloads[i]``, the
    raw JSON of one item; ``errors`` are rows refused before decoding (a JSONL line over the bound)."""

    rows: list[int]
    payloads: list[bytes]
    errors: list[tuple[int, str]]


def _without_nulls(value: Any) -> Any:
    """A Parquet struct has every field on every row; a null one is a JSON key that is absent."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def read_rows(path: Path, batch_size: int, max_text: int) -> Iterator[RowBatch]:
    """The rows of ``path`` in order, ``batch_size`` at a time (see the module docstring)."""
    if input_format(path) == "jsonl":
        batch = RowBatch([], [], [])
        for lineno, raw in read_records(str(path), "jsonl", max_line_bytes=line_bound(max_text)):
            if isinstance(raw, LineTooLong):
                batch.errors.append((lineno, str(raw)))
            else:
                batch.rows.append(lineno)
                batch.payloads.append(raw)
            if len(batch.rows) + len(batch.errors) >= batch_size:
                yield batch
                batch = RowBatch([], [], [])
        if batch.rows or batch.errors:
            yield batch
        return
    import pyarrow.parquet as pq

    try:
        reader = pq.ParquetFile(path)
    except Exception as exc:  # a truncated or foreign file: the run reports it and goes on
        raise InputError(f"{path}: not a readable Parquet file: {exc}") from exc
    row = 0
    for record_batch in reader.iter_batches(batch_size=batch_size):
        rows = record_batch.to_pylist()
        numbers = list(range(row + 1, row + 1 + len(rows)))
        row += len(rows)
        yield RowBatch(numbers, [orjson.dumps(_without_nulls(r), default=str) for r in rows], [])


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """One decided item of an output file."""

    row: int
    id: str
    action: str
    categories: tuple[str, ...]
    decision: str  # the JSON object `khien scan` writes for the item, without the newline


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema([
        pa.field("row", pa.int64(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("action", pa.string(), nullable=False),
        pa.field("categories", pa.list_(pa.string()), nullable=False),
        pa.field("decision", pa.string(), nullable=False),
    ])


class DecisionWriter:
    """The decisions of one input file, appended in order to ``<out>.partial``; :meth:`commit`
    renames it to ``out`` (atomic on one filesystem), :meth:`abort` removes it."""

    def __init__(self, out: Path) -> None:
        import pyarrow.parquet as pq

        self.out = out
        self.partial = partial_path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self._writer = pq.ParquetWriter(self.partial, self.schema, compression="zstd")
        self.written = 0

    def write(self, rows: Sequence[DecisionRow]) -> None:
        import pyarrow as pa

        if not rows:
            return
        table = pa.Table.from_pydict({
            "row": [r.row for r in rows],
            "id": [r.id for r in rows],
            "action": [r.action for r in rows],
            "categories": [list(r.categories) for r in rows],
            "decision": [r.decision for r in rows],
        }, schema=self.schema)
        self._writer.write_table(table)
        self.written += len(rows)

    def commit(self) -> None:
        self._writer.close()
        os.replace(self.partial, self.out)

    def abort(self) -> None:
        self._writer.close()
        self.partial.unlink(missing_ok=True)
