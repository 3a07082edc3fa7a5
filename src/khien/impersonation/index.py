"""The candidate index: which protected names a key could be, without looking at every entity.

Three structures over the keys of every protected name, handle and domain label:

- an exact dictionary (``key → entries``): one probe;
- a deletion neighbourhood for long coined names (every key with one letter deleted): a key
  within one edit of a protected key (omission, doubling, substitution, adjacent swap) shares an
  entry with it, so ``len(key) + 1`` probes find every such candidate, which is then verified with
  rapidfuzz's optimal-string-alignment distance;
- an Aho–Corasick automaton for containment (``vaynhanhtechcombank`` contains ``techcombank``):
  one pass over the key, whatever the number of entities.

The cost of a lookup grows with the length of the key, not with the size of the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import ahocorasick

from .affixes import affix_class, lure_words
from .context import Reading, glued_cleanly, has_english_word, read_around
from .keys import NameKey, name_key
from .syllables import is_syllabic

__all__ = ["Entry", "KeyHit", "NameIndex", "NEAR_MIN", "lookup"]

NEAR_MIN = 6  # shortest protected key matched at one edit; shorter ones collide with ordinary words
NEAR_MIN_SYLLABIC = 16  # a run of Vietnamese syllables shorter than this is a name, not a typo
_NEAR_STAGES = 6  # stripping stages tried for one-edit matches, after the most stripped one

_OSA = None


def _osa(a: str, b: str, cutoff: int) -> int:
    """Optimal-string-alignment distance (rapidfuzz, imported on first use)."""
    global _OSA
    if _OSA is None:
        from rapidfuzz.distance import OSA

        _OSA = OSA.distance
    return _OSA(a, b, score_cutoff=cutoff)


def _width(length: int) -> int:
    """How many letters of each end of a protected key of this length are indexed: fewer than
    half, so that one edit leaves one end whole (a gap of one letter absorbs a swap)."""
    return 3 if length <= 8 else 4 if length <= 12 else 5


_WIDTHS = [_width(n) for n in range(400)]


@dataclass(frozen=True, slots=True)
class Entry:
    """One protected key: the entity (its position in the registry), the text it came from."""

    key: str
    entity: int
    text: str
    strength: str  # strong | weak | person
    source: str  # name | handle | domain
    distinctive: bool = True  # a proper name even among everyday words (see context.is_distinctive)


class NameIndex:
    """Exact, one-edit and containment lookups over protected keys."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._exact: dict[str, list[int]] = {}
        self._dels: dict[str, list[int]] = {}
        # The first and last letters (see _width) of every one-edit key, with its length: a key
        # one edit from a protected key of seven letters or more keeps one end whole and is at
        # most one letter longer or shorter, so most look-ups stop at six set probes.
        self._ends: set[tuple[str, int]] = set()
        # The same for long runs of syllables (official names of agencies), the only keys a
        # plain run of syllables is compared with at one edit.
        self._ends_syllabic: set[tuple[str, int]] = set()
        self._syllabic: set[int] = set()
        self._seen: set[tuple[str, int]] = set()
        self._automaton = ahocorasick.Automaton()
        # Every protected key and affix word: a name in which none occurs and that cannot be one
        # edit from a protected key is dismissed with one pass (see ``may_match``).
        self._probe = ahocorasick.Automaton()
        # Everyday and short names ("tuoitre", "mb") and strong family words: a name holding one
        # of each may be such a name dressed in affixes ("Tin nóng Tuổi Trẻ").
        self._weak_probe = ahocorasick.Automaton()
        self._family_probe = ahocorasick.Automaton()
        self._weak_exact: set[str] = set()
        self._built = False

    def add(self, key: str, entity: int, text: str, strength: str, source: str, distinctive: bool = True) -> None:
        if not key or (key, entity) in self._seen:
            return
        self._seen.add((key, entity))
        ident = len(self.entries)
        self.entries.append(Entry(key, entity, text, strength, source, distinctive))
        self._exact.setdefault(key, []).append(ident)
        if strength == "strong" and len(key) >= NEAR_MIN:
            for variant in {key} | {key[:i] + key[i + 1 :] for i in range(len(key))}:
                self._dels.setdefault(variant, []).append(ident)
            if len(key) >= 7:
                syllabic = len(key) >= NEAR_MIN_SYLLABIC and is_syllabic(key)
                if syllabic:
                    self._syllabic.add(ident)
                w = _width(len(key))
                for ends in (self._ends, self._ends_syllabic) if syllabic else (self._ends,):
                    ends.add((key[:w], len(key)))
                    ends.add(("$" + key[-w:], len(key)))
        if strength != "strong":
            self._weak_exact.add(key)
            if key not in self._weak_probe:
                self._weak_probe.add_word(key, None)
        if (strength == "strong" or (distinctive and len(key) >= 3)) and key not in self._probe:
            # A short coined name ("vtv", "momo") can be dressed in any ordinary words
            # ("VTV Góc nhìn"), so it is probed for too; an everyday one needs a family word.
            self._probe.add_word(key, None)
        if len(key) >= 3:
            if key in self._automaton:
                self._automaton.get(key).append(ident)
            else:
                self._automaton.add_word(key, [ident])
        self._built = False

    def build(self) -> None:
        if not self._built:
            if len(self._automaton):
                self._automaton.make_automaton()
            for word in lure_words():
                if word not in self._probe:
                    self._probe.add_word(word, None)
            self._probe.make_automaton()
            for word in lure_words(strong=True):
                if word not in self._family_probe:
                    self._family_probe.add_word(word, None)
            self._family_probe.make_automaton()
            if len(self._weak_probe):
                self._weak_probe.make_automaton()
            self._built = True

    def may_match(self, compact: str, text: str | None = None) -> bool:
        """False only when ``compact`` can match nothing: no strong or coined protected key nor
        lure word occurs in it; it is not a short, everyday or person's protected name, nor
        holds one beside a family word, a number or an English word of ``text`` (those count only
        whole or with an affix); and no one-edit match is possible (see ``_near_mode``)."""
        if not self._built:
            self.build()
        for _ in self._probe.iter(compact):
            return True
        key = compact.rstrip("0123456789h") if compact[-1:].isdigit() else compact
        if key in self._weak_exact or compact in self._weak_exact:
            return True
        if len(self._weak_probe):
            for _ in self._weak_probe.iter(compact):
                for _ in self._family_probe.iter(compact):
                    return True
                if text is not None and has_english_word(text):
                    return True
                break
        n = len(key)
        if n < NEAR_MIN - 1:
            return False
        if n > 7:
            # Inlined _ends_match: this is the path of almost every ordinary name.
            ends = self._ends
            w0, w1, w2 = _WIDTHS[n - 1], _WIDTHS[n], _WIDTHS[n + 1]
            if not ((key[:w0], n - 1) in ends or ("$" + key[-w0:], n - 1) in ends
                    or (key[:w1], n) in ends or ("$" + key[-w1:], n) in ends
                    or (key[:w2], n + 1) in ends or ("$" + key[-w2:], n + 1) in ends):
                return False
        return self._near_possible(key, allow_syllabic=False)

    def _near_possible(self, key: str, *, allow_syllabic: bool) -> bool:
        return self._near_mode(key, allow_syllabic=allow_syllabic) is not None

    def _near_mode(self, key: str, *, allow_syllabic: bool) -> str | None:
        """``None`` if no one-edit match is possible; else ``"all"`` or ``"syllabic"`` (only
        long syllabic protected keys can match: ``key`` is itself a run of syllables)."""
        n = len(key)
        if n < NEAR_MIN - 1 or not self._dels:
            return None
        if n > 7 and not self._ends_match(key, self._ends):
            return None
        if not allow_syllabic and is_syllabic(key):
            if n < NEAR_MIN_SYLLABIC - 1 or not self._ends_match(key, self._ends_syllabic):
                return None
            return "syllabic"
        return "all"

    @staticmethod
    def _ends_match(key: str, ends: set[tuple[str, int]]) -> bool:
        n = len(key)
        for length in (n - 1, n, n + 1):
            w = _width(length)
            if (key[:w], length) in ends or ("$" + key[-w:], length) in ends:
                return True
        return False

    def __len__(self) -> int:
        return len(self.entries)

    def exact(self, key: str) -> list[Entry]:
        found = self._exact.get(key)
        return [self.entries[i] for i in found] if found else []

    def near(self, key: str, *, allow_syllabic: bool = False) -> list[tuple[Entry, int]]:
        """Strong entries within one edit of ``key`` (not equal to it), with the distance.

        A short run of real Vietnamese syllables (``vietpham``, ``dinhthanhhoa``) is a person's
        or a place's name, not a typo of a coined brand (``Vietpharm``): it is only matched at
        one edit when ``allow_syllabic`` (the caller found an affix or a disguise as well).
        """
        plain = key.rstrip("0123456789h") if key[-1:].isdigit() else key
        mode = self._near_mode(plain, allow_syllabic=allow_syllabic)
        if mode is None:
            return []
        dels = self._dels
        hits: set[int] = set()
        got = dels.get(key)
        if got:
            hits.update(got)
        for i in range(len(key)):
            got = dels.get(key[:i] + key[i + 1 :])
            if got:
                hits.update(got)
        out = []
        for i in hits:
            if mode == "syllabic" and i not in self._syllabic:
                continue
            entry = self.entries[i]
            if entry.key != key:
                d = _osa(key, entry.key, 1)
                if d <= 1:
                    out.append((entry, d))
        if len(out) > 1:
            # Equally near names ("tienfood": Thienfood or Lienfood): the one sharing the
            # beginning first (Jaro-Winkler), as readers do.
            from rapidfuzz.distance import JaroWinkler

            out.sort(key=lambda t: (t[1], -JaroWinkler.similarity(key, t[0].key)))
        return out

    def contained(self, key: str) -> Iterator[tuple[Entry, int, int]]:
        """Entries whose key occurs inside ``key`` (not equal to it): (entry, start, end)."""
        if not self._built:
            self.build()
        if not len(self._automaton) or len(key) < 4:
            return
        n = len(key)
        for end, idents in self._automaton.iter(key):
            for i in idents:
                entry = self.entries[i]
                k = len(entry.key)
                if k == n:
                    continue
                yield entry, end - k + 1, end + 1


@dataclass(frozen=True, slots=True)
class KeyHit:
    """A protected entry a key could be, and how.

    ``how`` is ``exact`` (equal after stripping ``affixes``), ``near`` (one edit, ``distance``) or
    ``contains`` (the entry occurs inside the key; ``remainder`` is what is left around it and
    ``affix_only`` says whether that is only affixes: family words, numbers and ordinary words,
    as ``reading`` found).
    """

    entry: Entry
    how: str
    affixes: tuple[str, ...] = ()
    affix_class: str = ""
    distance: int = 0
    remainder: str = ""
    affix_only: bool = False
    reading: Reading | None = None


def _replaces_a_short_word(key: str, entry: Entry) -> bool:
    """Whether the one edit from ``entry`` to ``key`` falls inside a word of the protected name
    of three letters or fewer: that changes the word ("Ví VNPay" → "Vũ VNPay", "Báo Kimtv" →
    "Cao Kimtv"), it does not misspell the name."""
    if entry.source != "name":
        return False
    at = 0
    while at < min(len(key), len(entry.key)) and key[at] == entry.key[at]:
        at += 1
    pos = 0
    for token in name_key(entry.text).tokens:
        if pos <= at < pos + len(token) or (at == pos + len(token) and at == len(entry.key)):
            return len(token) <= 3
        pos += len(token)
    return False


def lookup(index: NameIndex, nk: NameKey, *, aligned: bool) -> list[KeyHit]:
    """Every protected entry ``nk`` could imitate.

    Exact on the whole key first, then on each affix-stripping stage, then one edit away; and
    containment in any case (for entities not already found). Whatever surrounds a name found in
    a stage or inside the key is read word by word (:func:`~.context.read_around`): a name
    dressed only in family words, places, numbers or (around a distinctive name) any ordinary
    words is an affix hit (``affix_only``); a name beside a person's name, a business or a
    community ("Bích Ngọc ACB Shop", "Hội những người yêu Vietcombank") is only contained.
    ``aligned`` requires a contained name to cover whole words (display names), so ``Kim Bảo``
    does not contain ``MB``.
    """
    hits: list[KeyHit] = []
    for entry in index.exact(nk.compact):
        hits.append(KeyHit(entry, "exact"))
    demoted: list[tuple[int, int, KeyHit]] = []
    if not hits:
        for (key, affixes), (start, end) in zip(nk.stages, nk.spans):
            got = index.exact(key)
            if got:
                for e in got:
                    reading = read_around(nk, start, end, distinctive=e.distinctive)
                    if reading.generic:
                        hits.append(KeyHit(e, "exact", reading.affixes or affixes, reading.klass, reading=reading))
                    else:
                        # Stripped words that are not affixes after all ("Tín", a given name):
                        # the name is one part of another identity.
                        remainder = nk.compact[:start] + nk.compact[end:]
                        demoted.append((start, end, KeyHit(e, "contains", (), reading.klass, remainder=remainder,
                                                           reading=reading)))
                break
    if not hits:
        # The whole key (a typo inside a full official name), then the stripped cores, least
        # stripped first: "Bảo hiểm xã hội thnh phố …" begins with affix-like words of its own.
        for key, affixes in ((nk.compact, ()),) + nk.stages[-1:] + nk.stages[:_NEAR_STAGES]:
            klass = affix_class(affixes)
            allow = bool(nk.disguises) or affix_class(nk.affixes) == "strong"
            for entry, distance in index.near(key, allow_syllabic=allow):
                if not _replaces_a_short_word(key, entry):
                    hits.append(KeyHit(entry, "near", affixes, klass, distance))
            if hits:
                break
    found = {h.entry.entity for h in hits}
    covering = [h.entry.key for h in hits]
    compact = nk.compact
    spans: list[tuple[int, int, KeyHit]] = []
    bounds: frozenset[int] | None = None
    for start, end, hit in demoted:
        if hit.affix_class == "strong" or hit.entry.strength == "strong":
            spans.append((start, end, hit))
    candidates = []
    for entry, start, end in index.contained(compact):
        if entry.entity in found or any(entry.key in key for key in covering):
            continue  # inside a protected name already matched whole ("Saofin" in "Saofinbank")
        if aligned:
            if bounds is None:
                bounds = nk.bounds
            if start not in bounds or end not in bounds:
                continue
        candidates.append((entry, start, end))
    for entry, start, end in candidates:
        # Only the longest protected names found: "Lý Tổng cục Thuế" is read as "Tổng cục Thuế"
        # after a person's name, not as "Cục Thuế" after the words "Lý Tổng".
        if any(s <= start and end <= e and (e - s) > (end - start) for _, s, e in candidates):
            continue
        if entry.strength != "strong" and not glued_cleanly(nk, start, end):
            continue  # a short or everyday name glued inside another word ("quocbinh" ∌ "ocb")
        remainder = compact[:start] + compact[end:]
        reading = read_around(nk, start, end, distinctive=entry.distinctive)
        only = reading.generic
        # Evidence for a name among other words: the strong family words read around it.
        klass = reading.klass
        if not only and klass != "strong" and entry.strength != "strong":
            continue  # a short or everyday name among other words: no evidence at all
        affixes = reading.affixes if only else ()
        spans.append((start, end, KeyHit(entry, "contains", affixes, klass, remainder=remainder, affix_only=only,
                                         reading=reading)))
    best: dict[int, KeyHit] = {}
    for start, end, hit in spans:
        # Only the longest protected names found: "Cổng Dịch vụ công Bộ Công an" is read as one
        # name, not as "Dịch vụ công" with the words "Bộ Công an" around it.
        if any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans):
            continue
        old = best.get(hit.entry.entity)
        if old is None or (hit.affix_only, len(hit.entry.key)) > (old.affix_only, len(old.entry.key)):
            best[hit.entry.entity] = hit
    hits.extend(best.values())
    return hits
