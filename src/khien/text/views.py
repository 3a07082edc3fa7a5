"""Vietnamese text views with offset maps.

``views(text)`` returns the views every detector reads:

- ``nfc``: NFC, invisible format characters (zero-width space, soft hyphen, BOM) removed. Links,
  phone numbers and handles are read here.
- ``canonical``: ``nfc`` with look-alike letters of other scripts and fullwidth forms folded to
  Latin (Vietnamese letters are kept), lower case, one tone-mark placement (``hoà`` → ``hòa``),
  leetspeak inside words (``kh0ản``), separators and spaces inside words removed (``l.ừ.a``,
  ``T e c h``), elongations shortened (``nhaaaa``), teencode expanded (``ko`` → ``không``).
- ``folded``: ``canonical`` without diacritics (``lừa đảo`` → ``lua dao``), because much
  Vietnamese online text is typed without them.

Every view keeps an :class:`~khien.text.offsets.OffsetMap` to the original string, so evidence
found in any view is quoted in the user's own words. All functions are total: any Unicode input
gives views, never an exception, and ``views(v.canonical.text).canonical.text`` equals
``v.canonical.text`` (idempotence).
"""

from __future__ import annotations

import re
import unicodedata
from array import array

import ahocorasick
from dataclasses import dataclass
from functools import lru_cache

from . import tables
from .offsets import OffsetMap, Rewrite, map_span, rewrite

__all__ = ["View", "Views", "views", "fold_accents", "canonical_text", "VIEW_NAMES"]

VIEW_NAMES = ("original", "nfc", "canonical", "folded")

_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
_LETTER = r"[^\W\d_]"
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]+")


@dataclass(frozen=True, slots=True)
class View:
    """One view of a text and its map back to the original."""

    name: str
    text: str
    offsets: OffsetMap | None
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` that view span ``[start, end)`` came from."""
        return map_span(self.offsets, start, end, len(self.original))

    def quote(self, start: int, end: int) -> tuple[int, int, str]:
        """Original span and the original text under it."""
        o_start, o_end = self.span(start, end)
        return o_start, o_end, self.original[o_start:o_end]


@dataclass(frozen=True, slots=True)
class Views:
    original: str
    nfc: View
    canonical: View
    folded: View

    def get(self, name: str) -> View:
        if name == "original":
            return View("original", self.original, None, self.original)
        return getattr(self, name)


def _split_tone(ch: str) -> tuple[str, str]:
    decomposed = unicodedata.normalize("NFD", ch)
    tone = "".join(c for c in decomposed if c in _TONES)
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return base, tone


@lru_cache(maxsize=1)
def _tables() -> dict[str, object]:
    """Translation tables and patterns, built once from the packaged data."""
    # One character to one character, so the offset map is untouched.
    width = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
    width[0x3000] = 0x20
    confusable = {ord(k): v for k, v in tables.confusables().items()}
    pre_lower = width | confusable

    fold: dict[int, str] = {}
    for cp in range(0xC0, 0x2000):
        ch = chr(cp)
        if not ch.isalpha():
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if len(base) == 1 and base.isascii() and base != ch:
            fold[cp] = base
    for src, dst in {"đ": "d", "Đ": "D", "ð": "d", "ı": "i", "ł": "l", "ø": "o"}.items():
        fold[ord(src)] = dst

    # Tone placement: put the tone of "oa", "oe", "uy" (open syllables, not after q) on the first
    # vowel: "hoà" -> "hòa", "thuỷ" -> "thủy". Lexicon terms go through the same rule.
    move: dict[str, str] = {}
    for first, seconds in (("o", "ae"), ("u", "y")):
        for second in seconds:
            for tone in _TONES:
                toned = unicodedata.normalize("NFC", second + tone)
                moved = unicodedata.normalize("NFC", first + tone)
                move[first + toned] = moved + second
    leet_chars = tables.leet()
    # A leet character counts as a letter when a letter stands before it and no digit touches it,
    # or (for symbols) when it starts a word before a letter.
    digits = "".join(re.escape(c) for c in leet_chars if c.isdigit())
    symbols = "".join(re.escape(c) for c in leet_chars if not c.isdigit())
    # Each alternative starts with its character class (so the scan is fast) and looks back after.
    leet_re = re.compile(
        rf"[{digits}](?<={_LETTER}[{digits}])(?![0-9])"
        rf"|[{symbols}](?<={_LETTER}[{symbols}])(?={_LETTER})"
        rf"|[$](?<![\w@$!][$])(?={_LETTER})"
    )
    tone_re = re.compile("(?:" + "|".join(sorted(move)) + f")(?<!q..)(?!{_LETTER})")
    teen = {k: tone_re.sub(lambda m: move[m.group(0)], v) for k, v in tables.teencode().items()}
    teen_ac = ahocorasick.Automaton()
    for short, expansion in teen.items():
        teen_ac.add_word(short, (len(short), expansion))
    teen_ac.make_automaton()
    pre_lower_re = re.compile("[" + "".join(re.escape(chr(c)) for c in pre_lower) + "]")
    return {
        "pre_lower": pre_lower,
        "fold": fold,
        "move": move,
        "tone_re": tone_re,
        "leet": leet_chars,
        "leet_re": leet_re,
        "teen": teen,
        "teen_longest": max(map(len, teen), default=0),
        "teen_ac": teen_ac,
        "pre_lower_re": pre_lower_re,
    }


_DOTTED = re.compile(rf"(?<![\w.])({_LETTER})(?:[.\-_*·•'’,]{_LETTER}){{2,}}(?![\w])")
_SPACED = re.compile(rf"(?<!\S)({_LETTER})(?: {_LETTER}){{2,}}(?!\S)")
_ELONGATED = re.compile(r"(\w)\1\1+")
_STRAY_MARKS = re.compile("[\u0300-\u036f]+")


def _mark_class() -> str:
    marks = [chr(cp) for cp in range(0x300, 0x10000) if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me")]
    return "[" + "".join(re.escape(m) for m in marks) + "]"


_MARK = _mark_class()
_ANY_MARK = re.compile(_MARK)
# Combining marks that follow no letter (a space, a digit, a symbol, the start) belong to nothing.
_STRAY_MARKS_AFTER_SPACE = re.compile(rf"(?:(?<![^\W\d_])(?<!{_MARK})){_MARK}+")
_CLUSTER = re.compile(rf"\w{_MARK}+")
_ANY_RUN = re.compile(r"[^\s]+")


def _nfc(text: str) -> tuple[str, OffsetMap | None]:
    n = len(text)
    text, offsets = rewrite(text, None, n, _INVISIBLE, lambda m: "")
    if not unicodedata.is_normalized("NFC", text):
        # Normalise cluster by cluster (a base and its marks), so offsets point at whole clusters.
        text, offsets = rewrite(text, offsets, n, _CLUSTER, lambda m: unicodedata.normalize("NFC", m.group(0)))
        if not unicodedata.is_normalized("NFC", text):  # marks with no base, or other compositions
            text, offsets = rewrite(text, offsets, n, _ANY_RUN, lambda m: unicodedata.normalize("NFC", m.group(0)))
    return text, offsets


def _lower(text: str, offsets: OffsetMap | None, n: int) -> tuple[str, OffsetMap | None]:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered, offsets
    # Rare: a character whose lower case is longer (e.g. "İ"). Map it character by character.
    pieces = []
    starts = array("q")
    ends = array("q")
    for i, ch in enumerate(text):
        low = ch.lower()
        pieces.append(low)
        s = offsets.starts[i] if offsets else i
        e = offsets.ends[i] if offsets else i + 1
        starts += array("q", [s]) * len(low)
        ends += array("q", [e]) * len(low)
    return "".join(pieces), OffsetMap(starts, ends, n)


def _teencode(text: str, offsets: OffsetMap | None, n: int) -> tuple[str, OffsetMap | None]:
    """Expand whole-token short forms (``ko`` → ``không``) found by one automaton pass."""
    builder: Rewrite | None = None
    last = 0
    size = len(text)
    for end_idx, (length, expansion) in _tables()["teen_ac"].iter_long(text):
        start, end = end_idx - length + 1, end_idx + 1
        if start < last:
            continue
        before = text[start - 1] if start else " "
        after = text[end] if end < size else " "
        if before.isalnum() or before in "_.@/" or after.isalnum() or after in "_@/" or unicodedata.combining(after):
            continue
        if after == "." and end + 1 < size and text[end + 1].isalnum():
            continue  # part of a domain or an abbreviation: "ko.vn"
        if builder is None:
            builder = Rewrite(text, offsets, n)
        builder.replace(start, end, expansion)
        last = end
    return builder.finish() if builder is not None else (text, offsets)


def _canonical(nfc_text: str, offsets: OffsetMap | None, n: int) -> tuple[str, OffsetMap | None]:
    t = _tables()
    text = nfc_text
    if t["pre_lower_re"].search(text):
        text = text.translate(t["pre_lower"])
    text, offsets = _lower(text, offsets, n)
    if _ANY_MARK.search(text):
        text, offsets = rewrite(text, offsets, n, _STRAY_MARKS_AFTER_SPACE, lambda m: "")
        if not unicodedata.is_normalized("NFC", text):  # a folded look-alike may compose with its mark
            text, offsets = rewrite(text, offsets, n, _CLUSTER, lambda m: unicodedata.normalize("NFC", m.group(0)))
    leet_chars = t["leet"]
    for _ in range(8):  # a run of leet characters ("h00") resolves left to right
        before = text
        text, offsets = rewrite(text, offsets, n, t["leet_re"], lambda m: leet_chars.get(m.group(0), "s"))
        if text is before:
            break
    text, offsets = rewrite(text, offsets, n, _DOTTED, lambda m: re.sub(r"[.\-_*·•'’,]", "", m.group(0)))
    text, offsets = rewrite(text, offsets, n, _SPACED, lambda m: m.group(0).replace(" ", ""))
    teen = t["teen"]
    longest = t["teen_longest"]

    def squeeze(m: re.Match[str]) -> str | None:
        if not m.group(1).isalpha():
            return None
        # A short form spelled with a repeated letter ("cccd") is a word, not an elongation.
        # The walk to the word's ends stops once the word is longer than every short form: a
        # longer word cannot be one, and an unbounded walk made a long run of letters quadratic.
        start, end = m.start(), m.end()
        floor = max(0, start - longest)
        while start > floor and m.string[start - 1].isalnum():
            start -= 1
        ceiling = min(len(m.string), end + longest)
        while end < ceiling and m.string[end].isalnum():
            end += 1
        if end - start > longest:
            return m.group(1)
        return None if m.string[start:end] in teen else m.group(1)

    text, offsets = rewrite(text, offsets, n, _ELONGATED, squeeze)
    # Tone placement last, so letters joined or de-leeted above are placed too.
    move = t["move"]
    text, offsets = rewrite(text, offsets, n, t["tone_re"], lambda m: move[m.group(0)])
    text, offsets = _teencode(text, offsets, n)
    if not unicodedata.is_normalized("NFC", text):
        # A letter made above (leet, look-alike) may now compose with a following mark.
        text, offsets = rewrite(text, offsets, n, _CLUSTER, lambda m: unicodedata.normalize("NFC", m.group(0)))
        text, offsets = rewrite(text, offsets, n, t["tone_re"], lambda m: move[m.group(0)])
    return text, offsets


def fold_accents(text: str) -> str:
    """Remove Vietnamese diacritics, one character for one (``đảo`` → ``dao``)."""
    folded = text.translate(_tables()["fold"])
    if _STRAY_MARKS.search(folded):
        folded = _STRAY_MARKS.sub("", folded)
    return folded


def views(text: str) -> Views:
    """All views of ``text``. Never raises on a ``str``."""
    n = len(text)
    nfc_text, nfc_map = _nfc(text)
    canon_text, canon_map = _canonical(nfc_text, nfc_map, n)
    folded_text = canon_text.translate(_tables()["fold"])
    folded_map = canon_map
    if _STRAY_MARKS.search(folded_text):
        folded_text, folded_map = rewrite(folded_text, canon_map, n, _STRAY_MARKS, lambda m: "")
    return Views(
        original=text,
        nfc=View("nfc", nfc_text, nfc_map, text),
        canonical=View("canonical", canon_text, canon_map, text),
        folded=View("folded", folded_text, folded_map, text),
    )


def canonical_text(text: str) -> str:
    """The canonical view's text alone (used to normalise lexicon terms and names)."""
    return views(text).canonical.text
