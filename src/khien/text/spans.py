"""Evidence spans as a reader sees them: whole words, and one span per match."""

from __future__ import annotations

from typing import Iterable, TypeVar

__all__ = ["widen_to_words", "drop_contained"]

T = TypeVar("T")


def _inside_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_\u0300\u0301\u0303\u0309\u0323"


def widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` grown to whole words of ``text`` (a match found in a normalised view may start
    or end inside a word of the original, e.g. after a look-alike letter was folded)."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    if end == start:
        return start, end
    while start > 0 and _inside_word(text[start - 1]) and _inside_word(text[start]):
        start -= 1
    while end < len(text) and _inside_word(text[end]) and _inside_word(text[end - 1]):
        end += 1
    return start, end


def drop_contained(items: Iterable[tuple[int, int, T]]) -> list[tuple[int, int, T]]:
    """Keep one span per place: a span inside a longer (or equal, earlier) one is dropped."""
    ordered = sorted(items, key=lambda t: (t[0], -(t[1] - t[0])))
    kept: list[tuple[int, int, T]] = []
    for s, e, v in ordered:
        if any(ks <= s and e <= ke for ks, ke, _ in kept):
            continue
        kept.append((s, e, v))
    return kept
