"""Input sources for the runners: JSONL and CSV files (``-`` is standard input), line-numbered.

A source yields ``(line_number, payload)``: the raw JSON text of a line, or a dict for a CSV row.
Decoding happens in the workers, so a malformed line is reported with its number and the other
lines go on.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any, Iterator

import orjson

from ..errors import InputError
from ..model import Item

__all__ = ["read_records", "decode_record", "detect_format"]

_INT_FIELDS = {"author.followers", "reach.views", "reach.shares", "reach.likes", "reach.comments"}


def detect_format(path: str, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in ("jsonl", "csv"):
            raise InputError(f"unknown input format {explicit!r}; valid formats: jsonl, csv")
        return explicit
    lower = path.lower()
    if lower.endswith(".csv") or lower.endswith(".csv.gz"):
        return "csv"
    return "jsonl"


def _open_binary(path: str):
    if path == "-":
        return sys.stdin.buffer
    p = Path(path)
    if not p.exists():
        raise InputError(f"input file {path} does not exist")
    if p.is_dir():
        raise InputError(f"input {path} is a directory; give a JSONL or CSV file")
    if path.endswith(".gz"):
        import gzip

        return gzip.open(p, "rb")
    return p.open("rb")


def read_records(path: str, fmt: str) -> Iterator[tuple[int, Any]]:
    """Line-numbered raw records. Undecodable bytes are kept for the worker to reject."""
    stream = _open_binary(path)
    try:
        if fmt == "jsonl":
            for lineno, raw in enumerate(stream, start=1):
                if raw.strip():
                    yield lineno, raw
            return
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="strict", newline="")
        try:
            reader = csv.DictReader(text)
            if reader.fieldnames is None:
                return
            missing = [c for c in ("id", "text") if c not in reader.fieldnames]
            if missing:
                raise InputError(
                    f"CSV header has no '{missing[0]}' column; found: {', '.join(reader.fieldnames)}",
                    hint="The header must name at least 'id' and 'text'.",
                )
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except (csv.Error, UnicodeDecodeError) as exc:
                    yield reader.line_num, exc
                    continue
                yield reader.line_num, row
        except UnicodeDecodeError as exc:
            raise InputError(f"{path} is not UTF-8 text: {exc}") from exc
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _from_csv_row(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            raise InputError("the row has more cells than the header")
        if value is None or value == "":
            continue
        if key in _INT_FIELDS:
            try:
                value = int(value)
            except ValueError as exc:
                raise InputError(f"column '{key}' must be an integer, found {value!r}", field=key) from exc
        if key == "author.verified":
            value = value.strip().lower() in ("1", "true", "yes")
        head, dot, tail = key.partition(".")
        if dot:
            out.setdefault(head, {})[tail] = value
        else:
            out[key] = value
    return out


def decode_record(payload: Any) -> Item:
    """Decode one raw record into an Item, or raise InputError saying why."""
    if isinstance(payload, Exception):
        raise InputError(f"unreadable CSV row: {payload}")
    if isinstance(payload, dict):
        return Item.from_dict(_from_csv_row(payload))
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        if isinstance(payload, bytes):
            try:
                payload.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError("line is not valid UTF-8") from None
        raise InputError(f"not valid JSON: {exc}") from None
    return Item.from_dict(data)
