"""Vietnamese syllables: what an accent-folded word of the language can look like.

A Vietnamese syllable is an onset, a vowel nucleus and an optional coda (``hoang``, ``tre``,
``nghieng``); a coined or foreign word usually is not (``momo`` is two, ``shopee`` none). These
shapes tell an everyday name (``Tuổi Trẻ``) from a coined brand (``Vietcombank``), and an
ordinary word around a protected name from another proper name. Spelling narrows the shape
further: ``k``, ``gh`` and ``ngh`` stand only before ``i``, ``y``, ``e``; ``c``, ``g`` and ``ng``
never do (``gi`` is an onset of its own); ``q`` is always ``qu`` — so ``taka`` or ``kaka`` are
words of another language, though their shape would pass.
"""

from __future__ import annotations

import re

__all__ = ["is_vietnamese_syllable", "is_syllabic", "syllable_count", "ordinary_syllable"]

# Vietnamese syllable: onset, vowel nucleus, optional coda (accent-folded).
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"(?:uye|uya|oai|oay|uay|uoi|uou|ieu|yeu|uoi|oeo|oa|oe|uy|ua|uo|ue|ui|ia|ie|ye|yu|iu|eo|ao|au|ay|ai|oi|ui|ue|eu|ou|ia|[aeiouy])"
    r"(?:ch|ng|nh|[cmnpt]|[iouy])?"
)
_SYLLABIC = re.compile("(?:(?>" + _SYLLABLE.pattern + "))++")


def is_vietnamese_syllable(token: str) -> bool:
    """Whether a folded token is a possible Vietnamese syllable (``hoang``, ``tre``; not ``momo``)."""
    return bool(_SYLLABLE.fullmatch(token))


# A syllable shape that breaks the spelling rules above (accent-folded).
_MISSPELT = re.compile(r"^(?:k[^hiye]|c[iye]|g[ey]|ng[iye]|gh[^iye]|ngh[^iye]|q[^u])")


def ordinary_syllable(folded: str) -> bool:
    """A folded syllable that Vietnamese spelling allows (``ve``, ``hoc``, ``kho``; not ``ka``)."""
    return is_vietnamese_syllable(folded) and not _MISSPELT.match(folded)


def is_syllabic(compact: str) -> bool:
    """Whether a compact key is a run of Vietnamese syllables (``dinhthanhhoa``), not a coined word.

    Greedy and possessive (no backtracking, so linear time): a rare real run of syllables may be
    missed, which only costs a one-edit look-up.
    """
    return _SYLLABIC.fullmatch(compact) is not None


def syllable_count(compact: str) -> int:
    """How many Vietnamese syllables ``compact`` splits into (99 if it does not: a coined name)."""
    n = len(compact)
    best = [99] * (n + 1)
    best[0] = 0
    for i in range(n):
        if best[i] == 99:
            continue
        for j in range(i + 1, min(n, i + 7) + 1):
            if best[i] + 1 < best[j] and _SYLLABLE.fullmatch(compact, i, j):
                best[j] = best[i] + 1
    return best[n]
