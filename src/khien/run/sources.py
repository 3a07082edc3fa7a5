"""Input sources for the runners: JSONL and CSV files (``-`` is standard input), line-numbered.

A source yields ``(line_number, payload)``: the raw JSON text of a line, or a dict for a CSV row.
Decoding happens in the workers, so a malformed line is reported with its number and the other
lines go on.

JSONL and CSV lines are read with a bound (:func:`line_bound`): the part of a line past it is
skipped in chunks, never held in memory, and the line becomes a :class:`LineTooLong` error
payload, so a 200 MB line costs a line error, not the machine's memory.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any, Iterator

import orjson

from ..errors import InputError
from ..model import Item, TextTooLong

__all__ = ["read_records", "decode_record", "detect_format", "line_bound", "LineTooLong"]

_CHUNK = 1 << 20  # how much of an over-long line is read at a time while skipping it


class LineTooLong(TextTooLong):
    """A JSONL line longer than any item within the text limit could be; skipped unread."""


def line_bound(max_text: int) -> int:
    """Bytes a JSONL line may hold when its text may hold ``max_text`` characters.

    A character takes at most 12 bytes of JSON (an escaped surrogate pair, ``\\ud83d\\ude00``);
    64 KiB more leave room for the id, the author and the other fields.
    """
    return 12 * max_text + 65_536


def _bounded_lines(stream: Any, bound: int | None) -> Iterator[tuple[int, Any]]:
    """``(line_number, bytes)`` for each line, or a :class:`LineTooLong` for a line over ``bound``."""
    if bound is None:
        yield from enumerate(stream, start=1)
        return
    lineno = 0
    while True:
        raw = stream.readline(bound + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) <= bound or raw.endswith(b"\n"):
            yield lineno, raw
            continue
        yield lineno, _too_long(len(raw) + _skip_rest(stream, b"\n"), bound, "bytes")


def _skip_rest(stream: Any, newline: Any) -> int:
    """Read the rest of an over-long line in chunks without keeping it; returns its size."""
    size = 0
    while True:
        more = stream.readline(_CHUNK)
        size += len(more)
        if not more or more.endswith(newline):
            return size


def _too_long(size: int, bound: int, unit: str) -> LineTooLong:
    return LineTooLong(f"the line has {size:,} {unit}, over the limit of {bound:,} for an item whose "
                       f"text is within the text limit.", field="text",
                       hint="Split the text, or raise the limit (setting max_text_chars).")


# A CSV line over the bound is replaced, for the csv module, by a row holding only this marker
# (a private-use character no real post starts a cell with): the row it ends up in, on its own or
# inside a quoted cell that spans lines, is dropped and the line error reported in its place.
_CUT = "\ue000khien:line-too-long\ue000"


def _bounded_text_lines(text: Any, bound: int, cut: dict[int, LineTooLong]) -> Iterator[str]:
    """The lines of a CSV text stream, each at most ``bound`` characters; an over-long line is
    skipped in chunks, recorded in ``cut`` under its line number, and replaced by the marker."""
    lineno = 0
    while True:
        line = text.readline(bound + 1)
        if not line:
            return
        lineno += 1
        if len(line) <= bound or line.endswith(("\n", "\r")):
            yield line
            continue
        cut[lineno] = _too_long(len(line) + _skip_rest(text, ("\n", "\r")), bound, "characters")
        yield _CUT + "\n"

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


def read_records(path: str, fmt: str, *, max_line_bytes: int | None = None) -> Iterator[tuple[int, Any]]:
    """Line-numbered raw records. Undecodable bytes are kept for the worker to reject.

    ``max_line_bytes`` bounds a JSONL line in bytes and a CSV line in characters (see
    :func:`line_bound`); a longer one is yielded as a :class:`LineTooLong` payload that
    :func:`decode_record` raises. A CSV row is a cell-bounded, line-bounded read too, so a row
    whose quoted text spans lines cannot grow past the bound either.
    """
    stream = _open_binary(path)
    try:
        if fmt == "jsonl":
            for lineno, raw in _bounded_lines(stream, max_line_bytes):
                if isinstance(raw, LineTooLong) or raw.strip():
                    yield lineno, raw
            return
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="strict", newline="")
        cut: dict[int, LineTooLong] = {}
        lines: Any = text
        if max_line_bytes is not None:
            # the same bound in characters: looser than bytes, still bounded
            lines = _bounded_text_lines(text, max_line_bytes, cut)
            if csv.field_size_limit() < max_line_bytes:
                csv.field_size_limit(max_line_bytes)  # a quoted text may span lines: one cell, bounded
        try:
            reader = csv.DictReader(lines)
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
                if cut and any(isinstance(v, str) and _CUT in v for v in row.values()):
                    for n in sorted(k for k in cut if k <= reader.line_num):
                        yield n, cut.pop(n)
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


def decode_record(payload: Any, max_text: int | None = None) -> Item:
    """Decode one raw record into an Item, or raise InputError saying why (:class:`TextTooLong`
    for a text over ``max_text`` characters or a line over the bound)."""
    if isinstance(payload, LineTooLong):
        raise payload
    if isinstance(payload, Exception):
        raise InputError(f"unreadable CSV row: {payload}")
    if isinstance(payload, dict):
        return Item.from_dict(_from_csv_row(payload), max_text=max_text)
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        if isinstance(payload, bytes):
            try:
                payload.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError("line is not valid UTF-8") from None
        raise InputError(f"not valid JSON: {exc}") from None
    return Item.from_dict(data, max_text=max_text)
