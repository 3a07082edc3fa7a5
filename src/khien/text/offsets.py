"""Offset maps: every view of a text keeps the way back to the original string.

A map is two arrays of 64-bit integers, ``starts`` and ``ends``: view character ``i`` came from
original code points ``starts[i]:ends[i]``. Arrays, not lists: a list of ints costs ~36 bytes per
character (a pointer and an int object), an array 8, and a view of a long text keeps two maps. ``None`` stands for the identity map, which is the common case (most posts
are already NFC and need no deletions or expansions), so the fast path allocates nothing.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Callable, Iterable, Match, Pattern

__all__ = ["OffsetMap", "Rewrite", "rewrite", "map_span"]


@dataclass(frozen=True, slots=True)
class OffsetMap:
    starts: "array[int]"
    ends: "array[int]"
    length: int  # length of the original text

    @classmethod
    def identity(cls, n: int) -> "OffsetMap":
        return cls(array("q", range(n)), array("q", range(1, n + 1)), n)


def map_span(offsets: OffsetMap | None, start: int, end: int, original_length: int) -> tuple[int, int]:
    """Map the view span ``[start, end)`` to a span of the original text.

    Empty or out-of-range spans are clamped, so the result is always a valid slice.
    """
    if offsets is None:
        start = max(0, min(start, original_length))
        end = max(start, min(end, original_length))
        return start, end
    n = len(offsets.starts)
    if n == 0:
        return 0, 0
    start = max(0, min(start, n - 1))
    end = max(start + 1, min(end, n))
    o_start = offsets.starts[start]
    o_end = offsets.ends[end - 1]
    if o_end < o_start:
        o_end = o_start
    return o_start, o_end


class Rewrite:
    """Builds a new text piece by piece from an old one, composing the offset map as it goes."""

    __slots__ = ("_src", "_map", "_pieces", "_starts", "_ends", "_pos", "_changed", "_n")

    def __init__(self, src: str, offsets: OffsetMap | None, original_length: int) -> None:
        self._src = src
        self._map = offsets
        self._n = original_length
        self._pieces: list[str] = []
        self._starts = array("q")
        self._ends = array("q")
        self._pos = 0
        self._changed = False

    def _old_starts(self, a: int, b: int) -> "array[int]":
        return self._map.starts[a:b] if self._map is not None else array("q", range(a, b))

    def _old_ends(self, a: int, b: int) -> "array[int]":
        return self._map.ends[a:b] if self._map is not None else array("q", range(a + 1, b + 1))

    def keep_to(self, end: int) -> None:
        """Copy the old text up to ``end`` unchanged."""
        if end > self._pos:
            self._pieces.append(self._src[self._pos:end])
            self._starts += self._old_starts(self._pos, end)
            self._ends += self._old_ends(self._pos, end)
            self._pos = end

    def replace(self, start: int, end: int, new: str) -> None:
        """Replace old ``[start, end)`` with ``new``.

        Same-length replacements map character to character; others map every new character to
        the whole old span (so evidence never points at half a token).
        """
        self.keep_to(start)
        self._changed = True
        if new:
            self._pieces.append(new)
            if len(new) == end - start:
                self._starts += self._old_starts(start, end)
                self._ends += self._old_ends(start, end)
            else:
                if end > start:
                    o_start = self._old_starts(start, start + 1)[0]
                    o_end = self._old_ends(end - 1, end)[0]
                else:  # pure insertion: anchor to the previous character
                    anchor = max(start - 1, 0)
                    o_start = self._old_starts(anchor, anchor + 1)[0] if self._src else 0
                    o_end = self._old_ends(anchor, anchor + 1)[0] if self._src else 0
                self._starts += array("q", [o_start]) * len(new)
                self._ends += array("q", [o_end]) * len(new)
        self._pos = end

    def finish(self) -> tuple[str, OffsetMap | None]:
        if not self._changed:
            return self._src, self._map
        self.keep_to(len(self._src))
        return "".join(self._pieces), OffsetMap(self._starts, self._ends, self._n)


def rewrite(
    text: str,
    offsets: OffsetMap | None,
    original_length: int,
    pattern: Pattern[str],
    replacement: Callable[[Match[str]], str | None],
) -> tuple[str, OffsetMap | None]:
    """Apply ``replacement`` to every match of ``pattern``; ``None`` keeps the match as it is."""
    builder: Rewrite | None = None
    for match in pattern.finditer(text):
        new = replacement(match)
        if new is None or new == match.group(0):
            continue
        if builder is None:
            builder = Rewrite(text, offsets, original_length)
        builder.replace(match.start(), match.end(), new)
    if builder is None:
        return text, offsets
    return builder.finish()


def rewrite_chars(
    text: str, offsets: OffsetMap | None, original_length: int, edits: Iterable[tuple[int, int, str]]
) -> tuple[str, OffsetMap | None]:
    """Apply sorted, non-overlapping ``(start, end, new)`` edits."""
    builder = Rewrite(text, offsets, original_length)
    for start, end, new in edits:
        builder.replace(start, end, new)
    return builder.finish()
