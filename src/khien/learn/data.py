"""Labelled text data for training and evaluation: CSV, JSONL or Parquet in, clear errors out.

Labels may be names (``clean``, ``hate``) or integers (``0``, ``2``); integer labels keep their
numeric order. A missing label (empty cell, ``null``, ``NaN``) is an error that names the row,
because silently dropping rows changes what a model learns. Optional spans are character offsets
into the text of the parts that carry the label (ViHOS style ``[9, 10, 11]``, or ``[[9, 12]]``
pairs), used for evidence.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ..errors import InputError

__all__ = ["Dataset", "read_dataset", "FORMATS"]

FORMATS = ("csv", "jsonl", "parquet")
_MISSING = {"", "nan", "none", "null", "na", "n/a"}


@dataclass(frozen=True)
class Dataset:
    """Texts, their labels (as strings), and optional evidence spans per text."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    spans: tuple[tuple[tuple[int, int], ...], ...] | None = None
    source: str = ""
    label_order: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def classes(self) -> tuple[str, ...]:
        """Distinct labels: numeric order when every label is an integer, else sorted by name."""
        if self.label_order:
            return self.label_order
        return sort_labels(set(self.labels))

    def digest(self) -> str:
        """sha256 of the texts, labels and spans, in order: the model records it as provenance."""
        h = hashlib.sha256()
        for i, (text, label) in enumerate(zip(self.texts, self.labels)):
            spans = self.spans[i] if self.spans is not None else ()
            h.update(json.dumps([text, label, [list(s) for s in spans]], ensure_ascii=False).encode("utf-8"))
            h.update(b"\n")
        return h.hexdigest()

    def concat(self, other: "Dataset") -> "Dataset":
        spans = None
        if self.spans is not None or other.spans is not None:
            spans = (self.spans or tuple(() for _ in self.texts)) + (other.spans or tuple(() for _ in other.texts))
        return Dataset(self.texts + other.texts, self.labels + other.labels, spans, f"{self.source}+{other.source}")


def sort_labels(labels: Iterable[str]) -> tuple[str, ...]:
    labels = set(labels)
    if all(_is_int(x) for x in labels):
        return tuple(sorted(labels, key=int))
    return tuple(sorted(labels))


def _is_int(s: str) -> bool:
    try:
        int(s)
        return True
    except ValueError:
        return False


def _label(value: Any, where: str) -> str:
    if value is None or isinstance(value, bool):
        if value is None:
            raise InputError(f"{where} has no label", hint="Every row needs a label; remove or label it.")
        return str(value).lower()
    if isinstance(value, float):
        if math.isnan(value):
            raise InputError(f"{where} has no label (NaN)", hint="Every row needs a label; remove or label it.")
        if value.is_integer():
            return str(int(value))
        raise InputError(f"{where} has label {value!r}; labels must be names or integers")
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    if text.lower() in _MISSING:
        raise InputError(f"{where} has no label ({value!r})", hint="Every row needs a label; remove or label it.")
    if text.endswith(".0") and _is_int(text[:-2]):
        text = text[:-2]
    return text


def _text(value: Any, where: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where}: the text must be a string, found {type(value).__name__}")
    return value


def _spans(value: Any, where: str) -> tuple[tuple[int, int], ...]:
    """Offsets (``[9, 10, 11]``) or pairs (``[[9, 12]]``) to sorted ``(start, end)`` runs."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: spans must be a JSON list of offsets or [start, end] pairs, found {value[:40]!r}") from exc
    if not isinstance(value, (list, tuple)):
        raise InputError(f"{where}: spans must be a list, found {type(value).__name__}")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        runs: list[tuple[int, int]] = []
        for off in sorted(set(value)):
            if runs and off == runs[-1][1]:
                runs[-1] = (runs[-1][0], off + 1)
            else:
                runs.append((off, off + 1))
        return tuple(runs)
    pairs = []
    for v in value:
        if not (isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, int) for x in v) and v[0] <= v[1]):
            raise InputError(f"{where}: each span must be [start, end], found {v!r}")
        pairs.append((int(v[0]), int(v[1])))
    return tuple(sorted(pairs))


def _format(path: Path, explicit: str | None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise InputError(f"unknown data format {explicit!r}; valid formats: {', '.join(FORMATS)}")
        return explicit
    name = path.name.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".parquet") or name.endswith(".pq"):
        return "parquet"
    if name.endswith(".jsonl") or name.endswith(".json") or name.endswith(".ndjson"):
        return "jsonl"
    raise InputError(f"cannot tell the format of {path}", hint="Use a .csv, .jsonl or .parquet file name.")


def _rows_csv(raw: bytes, path: Path) -> tuple[list[str], Iterable[tuple[int, Mapping[str, Any]]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text (byte {exc.start} cannot be decoded)",
                         hint="Save the file as UTF-8.") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = list(reader.fieldnames or [])
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num} is not valid CSV: {exc}") from exc
    return header, rows


def _rows_jsonl(raw: bytes, path: Path) -> tuple[list[str], Iterable[tuple[int, Mapping[str, Any]]]]:
    rows = []
    header: dict[str, None] = {}
    for lineno, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: line {lineno} is not UTF-8 text", hint="Save the file as UTF-8.") from exc
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {lineno} is not valid JSON: {exc.msg}") from exc
        if not isinstance(obj, dict):
            raise InputError(f"{path}: line {lineno} must be a JSON object, found {type(obj).__name__}")
        header.update(dict.fromkeys(obj))
        rows.append((lineno, obj))
    return list(header), rows


def _rows_parquet(path: Path) -> tuple[list[str], Iterable[tuple[int, Mapping[str, Any]]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise InputError("reading Parquet needs pyarrow", hint="Install it with: pip install 'khien[learn]'.") from exc
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises many kinds; all mean "not a readable Parquet file"
        raise InputError(f"{path} is not a readable Parquet file: {exc}") from exc
    header = list(table.column_names)
    data = table.to_pylist()
    return header, [(i + 1, row) for i, row in enumerate(data)]


def read_dataset(
    path: str | Path,
    *,
    text_column: str = "text",
    label_column: str = "label",
    spans_column: str | None = None,
    format: str | None = None,
    label_names: Mapping[str, str] | None = None,
    require_labels: bool = True,
) -> Dataset:
    """Read a labelled file. Raises :class:`InputError` naming the file, row and column at fault.

    ``label_names`` renames labels (``{"0": "clean"}``) after reading.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"data file {p} does not exist")
    if p.is_dir():
        raise InputError(f"{p} is a directory; give a CSV, JSONL or Parquet file")
    fmt = _format(p, format)
    if fmt == "parquet":
        header, rows = _rows_parquet(p)
    else:
        raw = p.read_bytes()
        if not raw.strip():
            raise InputError(f"data file {p} is empty", hint="It needs a header (CSV) and at least one row.")
        header, rows = _rows_csv(raw, p) if fmt == "csv" else _rows_jsonl(raw, p)
    wanted = [text_column] + ([label_column] if require_labels else []) + ([spans_column] if spans_column else [])
    for col in wanted:
        if col not in header:
            raise InputError(
                f"{p} has no column {col!r}; its columns are: {', '.join(map(str, header)) or '(none)'}",
                hint="Name the right ones with --text-column and --label-column.",
            )
    texts: list[str] = []
    labels: list[str] = []
    spans: list[tuple[tuple[int, int], ...]] = []
    unit = "line" if fmt != "parquet" else "row"
    for lineno, row in rows:
        where = f"{p}: {unit} {lineno}"
        texts.append(_text(row.get(text_column), f"{where}, column {text_column!r}"))
        if require_labels:
            label = _label(row.get(label_column), f"{where}, column {label_column!r},")
            labels.append(label_names.get(label, label) if label_names else label)
        if spans_column:
            spans.append(_spans(row.get(spans_column), f"{where}, column {spans_column!r}"))
    if not texts:
        raise InputError(f"data file {p} has a header but no rows")
    return Dataset(tuple(texts), tuple(labels), tuple(spans) if spans_column else None, str(p))


def parse_label_names(pairs: Sequence[str]) -> dict[str, str]:
    """``["0=clean", "1=offensive"]`` → ``{"0": "clean", "1": "offensive"}``."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"label name {pair!r} must look like VALUE=NAME, e.g. 0=clean")
        out[key.strip()] = value.strip()
    return out
