"""Affixes: the family words scammers put around a protected name, and their stripping.

The affix vocabulary (docs/DOMAIN.md, "Affix vocabulary") is the affix families of
:mod:`.vocabulary` — support, service, recruitment, news, promotion, complaint, authority...
(strong) and channel, organisation, place and time words (weak) — accent-folded, matched as
whole words at either end of a name ("Vietcombank - CSKH 24h") and in compact form ("hotro",
"chamsockhachhang") inside handles and domain labels. In a name typed with diacritics a phrase
is stripped only if written as the vocabulary writes it: "Phan Anh" is a name, "Phản ánh" a
complaint word.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from .syllables import is_vietnamese_syllable
from .vocabulary import LURE_PLACES, vocabulary

__all__ = [
    "AFFIXES",
    "affix_class",
    "affix_only",
    "lure_words",
    "may_strip",
    "strip_affixes",
]

Written = Callable[[], "tuple[str, ...] | None"]

_VOCABULARY = vocabulary()
_PHRASES = _VOCABULARY.affix_phrases()
AFFIXES: frozenset[tuple[str, ...]] = frozenset(_PHRASES | {("".join(p),) for p in _PHRASES})
_AFFIX_MAX = max(len(a) for a in AFFIXES)
# Compact forms for handles and domain labels, which have no spaces.
_AFFIX_COMPACT = frozenset("".join(a) for a in AFFIXES)
_AFFIX_COMPACT_MAX = max(len(a) for a in _AFFIX_COMPACT)
_AFFIX_FIRST = frozenset(a[0] for a in AFFIXES)
_AFFIX_LAST = frozenset(a[-1] for a in AFFIXES)
_WEAK_PHRASES = _VOCABULARY.affix_phrases("weak") - _VOCABULARY.affix_phrases("strong")
_WEAK_SET = frozenset(" ".join(p) for p in _WEAK_PHRASES) | frozenset("".join(p) for p in _WEAK_PHRASES)
_NUMBER = re.compile(r"\d+h?")


def may_strip(tokens: tuple[str, ...]) -> bool:
    """Whether an affix or a number could be cut off either end of ``tokens`` (a cheap test)."""
    return bool(tokens) and (tokens[0] in _AFFIX_FIRST or tokens[-1] in _AFFIX_LAST or tokens[0][0].isdigit()
                             or tokens[-1][0].isdigit())


def _cuts(tokens: tuple[str, ...], from_end: bool, written_of: Written) -> list[tuple[int, list[str]]]:
    """Successive places where affix phrases or numbers can be cut off one end (longest first).

    ``written_of`` gives the tokens with their diacritics (``None`` for a name typed without
    any); it is asked only when a phrase is about to be cut.
    """
    n = len(tokens)
    cuts: list[tuple[int, list[str]]] = [(0, [])]
    pos, stripped = 0, []

    def pick(p: int, k: int, seq: tuple[str, ...] = tokens) -> tuple[str, ...]:
        return seq[n - p - k : n - p] if from_end else seq[p : p + k]

    first = _AFFIX_LAST if from_end else _AFFIX_FIRST
    while pos < n - 1:
        edge = tokens[n - 1 - pos] if from_end else tokens[pos]
        took = 0
        if edge in first:
            for k in range(min(_AFFIX_MAX, n - 1 - pos), 0, -1):
                phrase = pick(pos, k)
                if phrase not in AFFIXES:
                    continue
                written = written_of()
                if written is None or _VOCABULARY.read(phrase, pick(pos, k, written), accented=True) is not None:
                    took = k
                    break
        if not took and _NUMBER.fullmatch(edge):
            took = 1
        if not took:
            break
        stripped = stripped + [" ".join(pick(pos, took))]
        pos += took
        cuts.append((pos, stripped))
    return cuts


def strip_affixes(tokens: tuple[str, ...], written_of: Written = lambda: None
                  ) -> list[tuple[tuple[str, ...], tuple[str, ...], int, int]]:
    """Every way of stripping affix phrases and numbers off the ends, least stripped first.

    Returns (remaining tokens, affixes stripped, tokens cut from the head, from the tail) for
    each stage, so a protected name that itself starts or ends with an affix-like word
    ("Ngân hàng … Việt Nam", "Bộ Công an") is still found.
    """
    n = len(tokens)
    heads = _cuts(tokens, False, written_of)
    tails = _cuts(tokens, True, written_of)
    stages = []
    for h, head_affixes in heads:
        for t, tail_affixes in tails:
            if (h or t) and h + t < n:
                stages.append((h + t, tokens[h : n - t], tuple(head_affixes + tail_affixes), h, t))
    stages.sort(key=lambda s: s[0])
    return [(rest, affixes, h, t) for _, rest, affixes, h, t in stages]


def affix_class(affixes: tuple[str, ...] | list[str]) -> str:
    """``"strong"`` if any affix is a support, service or authority word; ``"weak"`` if the
    affixes only place or date the name; ``"number"`` for numbers alone; ``""`` for none."""
    if not affixes:
        return ""
    numbers = True
    for a in affixes:
        if _NUMBER.fullmatch(a):
            continue
        numbers = False
        if a not in _WEAK_SET and a.replace(" ", "") not in _WEAK_SET:
            return "strong"
    return "number" if numbers else "weak"


@lru_cache(maxsize=2)
def lure_words(strong: bool = False) -> frozenset[str]:
    """Affix words that mark a name as worth a full look on their own (a one-edit typo of a
    protected name may sit beside them): phrases of two syllables or more and acronyms of four
    letters or more, and the commonest lure words; not single syllables, which are inside too
    many ordinary names ("gia", "tin", "khoa"). ``strong``: only those of the strong families."""
    words = {"".join(p) for p in _PHRASES if len(p) > 1} | {
        p[0] for p in _PHRASES if len(p) == 1 and ((len(p[0]) >= 4 and not is_vietnamese_syllable(p[0]))
                                                   or p[0] in ("vay", "otp", "sms", "ctv", "pgd"))}
    return frozenset(a for a in words if (a not in _PLACES or a in _LURE_PLACES) and not (strong and a in _WEAK_SET))


# Place names are mostly name syllables ("An Giang", "Thanh Hóa" are in many people's names):
# only the places scammers add most are lure words by themselves.
_PLACES = frozenset("".join(p) for p, entries in _VOCABULARY.phrases.items()
                    if all(e.family.name == "place" for e in entries))
_LURE_PLACES = LURE_PLACES


@lru_cache(maxsize=65536)
def affix_only(compact: str) -> bool:
    """Whether a compact remainder (``"cskh24h"``, ``"hotro"``) is made only of affixes and digits."""
    n = len(compact)
    if n == 0:
        return True
    ok = [False] * (n + 1)
    ok[0] = True
    for i in range(n):
        if not ok[i]:
            continue
        if compact[i].isdigit() or (compact[i] == "h" and i and compact[i - 1].isdigit()):
            ok[i + 1] = True
            continue
        for j in range(i + 2, min(n, i + _AFFIX_COMPACT_MAX) + 1):
            if compact[i:j] in _AFFIX_COMPACT:
                ok[j] = True
    return ok[n]
