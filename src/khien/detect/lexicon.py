"""Lexicon detector: weighted terms matched on token boundaries over the canonical and folded views.

Each lexicon is a TSV file (see ``khien/data/lexicons``) with a header naming its ``lexicon``,
``version`` and ``category``, then rows ``term, weight, tag, fold``. Terms go through the same
normalisation as the text, so ``việc nhẹ lương cao`` also matches ``viec nhe luong cao``,
``v!ệc nhẹ lương c@o`` and ``VIỆC NHẸ LƯƠNG CAO``.

A folded-view match counts only where the user typed no diacritics that contradict the term, so
``bán`` does not match ``bàn``. A category's score is ``1 - Π(1 - w)`` over the distinct terms found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import ahocorasick

from ..errors import DetectorError, InputError
from ..model import Evidence, Signal
from ..resources import PACKAGED, available, is_packaged, packaged_path, resolve
from ..scores import noisy_or
from ..text import tables
from ..text.tables import read_tsv
from ..text.views import fold_accents, views
from .base import Example, Prepared, configure
from .context import DetectorContext

__all__ = ["Lexicon", "Term", "LexiconConfig", "LexiconDetector", "load_lexicon", "packaged_lexicons"]


@dataclass(frozen=True, slots=True)
class LexiconConfig:
    """``lexicon.v1`` config.

    - ``lexicons``: the lexicons to load (packaged names such as ``scam``, ``packaged:scam``, or
      TSV paths); by default every packaged lexicon.
    - ``extra``: lexicons loaded on top of ``lexicons`` (your own files next to the packaged ones).
    """

    lexicons: tuple[str, ...] | None = None
    extra: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # as written in the file
    canonical: str
    folded: str
    weight: float
    tag: str
    fold: bool
    lexicon: str


@dataclass(frozen=True, slots=True)
class Lexicon:
    name: str
    version: int
    category: str
    description: str
    terms: tuple[Term, ...]
    negatable: bool = False  # header "# negation: yes": a negator before a term weakens it

    @property
    def signal(self) -> str:
        return f"lexicon.{self.name}.v{self.version}"


def lexicon_source(source: str | Path) -> str | Path:
    """``scam`` and ``packaged:scam`` name a packaged lexicon; anything with a ``/`` or ``.tsv`` is a path."""
    if isinstance(source, Path) or "/" in str(source) or str(source).endswith(".tsv") or is_packaged(source):
        if isinstance(source, str) and not is_packaged(source) and not Path(source).exists():
            packaged = packaged_path(Path(source).stem, "lexicon")
            if packaged.exists():  # "scam.tsv": the packaged file of that name
                return PACKAGED + packaged.stem
        return source
    return PACKAGED + str(source)


def load_lexicon(source: str | Path) -> Lexicon:
    """Load and validate one lexicon file (a path, ``packaged:NAME`` or the bare name of a packaged lexicon)."""
    source = lexicon_source(source)
    where = f"lexicon '{str(source)[len(PACKAGED):]}'" if is_packaged(source) else str(source)
    try:
        path = resolve(source, "lexicon")
    except InputError as exc:
        raise DetectorError(f"{where}: {exc.message}", hint=exc.hint) from exc
    meta, rows = read_tsv(path)
    for key in ("lexicon", "version", "category"):
        if key not in meta:
            raise DetectorError(f"{where}: header comment '# {key}: ...' is missing")
    name = meta["lexicon"]
    try:
        version = int(meta["version"])
    except ValueError as exc:
        raise DetectorError(f"{where}: version must be an integer, found {meta['version']!r}") from exc
    terms: list[Term] = []
    seen: set[str] = set()
    for row in rows:
        raw = row.get("term", "")
        if not raw:
            continue
        try:
            weight = float(row.get("weight") or 0.5)
        except ValueError as exc:
            raise DetectorError(f"{where}: term {raw!r} has a weight that is not a number") from exc
        if not 0 < weight <= 1:
            raise DetectorError(f"{where}: term {raw!r} has weight {weight}; expected a number in (0, 1]")
        canon = views(raw).canonical.text.strip()
        if not canon or canon in seen:
            continue
        seen.add(canon)
        fold = (row.get("fold") or "yes").lower() not in ("no", "false", "0")
        terms.append(Term(raw, canon, fold_accents(canon), weight, row.get("tag") or "", fold, name))
    negatable = meta.get("negation", "no").lower() in ("yes", "true", "1")
    return Lexicon(name, version, meta["category"], meta.get("description", ""), tuple(terms), negatable)


def packaged_lexicons() -> list[str]:
    return available("lexicon")


def _automaton(keys: Iterable[tuple[str, Any]]) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    grouped: dict[str, list[Any]] = {}
    for key, value in keys:
        grouped.setdefault(key, []).append(value)
    if not grouped:
        return None
    for key, values in grouped.items():
        automaton.add_word(key, (len(key), tuple(values)))
    automaton.make_automaton()
    return automaton


_QUOTES = re.compile(r'"[^"\n]{1,300}"|“[^”\n]{1,300}”|«[^»\n]{1,300}»')
QUOTED_FACTOR = 0.5
# Share of UTF-8 bytes saved by folding above which a text counts as typed with diacritics.
ACCENTED_SHARE = 0.08


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks. People quote a scam to warn about it; scammers rarely quote their own lure."""
    if '"' not in text and "“" not in text and "«" not in text:
        return []
    return [(m.start(), m.end()) for m in _QUOTES.finditer(text)]


NEGATED_FACTOR = 0.3
_NEGATION_WINDOW = 4  # tokens before a term


def negated(canon: str, folded: str, start: int) -> bool:
    """True when one of the few tokens before ``start`` is a negator ("không", "đừng", ...)."""
    canon_neg, folded_neg, firsts = _negators()
    for text, table in ((canon, canon_neg), (folded, folded_neg)):
        head = text[max(0, start - 48):start].split()[-_NEGATION_WINDOW:]
        if not firsts.intersection(head):
            continue
        for i, token in enumerate(head):
            if token not in firsts:
                continue
            for j in range(i + 1, min(i + 4, len(head)) + 1):
                if " ".join(head[i:j]) in table:
                    return True
    return False


@lru_cache(maxsize=1)
def _negators() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    canon_neg, folded_neg = tables.negators()
    firsts = frozenset(n.split()[0] for n in canon_neg | folded_neg)
    return canon_neg, folded_neg, firsts


def _bounded(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())


class LexiconDetector:
    """Weighted term lists, one signal per lexicon that matched."""

    name = "lexicon.v1"
    requires = ("canonical", "folded")
    Config = LexiconConfig

    def __init__(self, config: LexiconConfig | Mapping[str, Any] | None = None,
                 context: DetectorContext | None = None, /, **options: Any) -> None:
        self.config = configure(LexiconConfig, self.name, config, options)
        lexicons, extra = self.config.lexicons, self.config.extra
        names = list(lexicons) if lexicons else packaged_lexicons()
        self.lexicons = [load_lexicon(n) for n in [*names, *extra]]
        if not self.lexicons:
            raise DetectorError("lexicon.v1 needs at least one lexicon")
        self.emits = tuple(sorted({lex.category for lex in self.lexicons}))
        self._by_name = {lex.name: lex for lex in self.lexicons}
        terms = [t for lex in self.lexicons for t in lex.terms]
        self._canon = _automaton((t.canonical, t) for t in terms)
        self._folded = _automaton((t.folded, t) for t in terms if t.fold)
        self._all = _automaton((t.folded, t) for t in terms)

    @property
    def signals(self) -> tuple[str, ...]:
        return tuple(lex.signal for lex in self.lexicons)

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(t.tag for lex in self.lexicons for t in lex.terms if t.tag)

    @property
    def examples(self) -> tuple[Example, ...]:
        return (
            Example("Tuyển CTV việc nhẹ lương cao, hoa hồng 15% mỗi đơn, ib ngay", emits=("scam",)),
            Example("viec nhe luong cao, nap tien de rut hoa hong", emits=("scam",)),
            Example("Nhà cái uy tín, chơi tài xỉu nổ hũ nhận 88k", emits=("spam",)),
            Example("Hôm nay trời đẹp, mình đi chợ mua rau", not_emits=("scam", "spam", "harassment", "hate")),
        )

    def find(self, prepared: Prepared) -> list[tuple[Term, int, int, bool]]:
        """Every term occurrence as (term, original start, original end, negated), deduplicated.

        The folded view is the canonical view without diacritics, character for character, so one
        automaton pass over it finds both exact matches (the typed text equals the term) and
        accent-free ones (the typed text has no diacritics the term contradicts).
        """
        v = prepared.views
        canon = v.canonical.text
        folded = v.folded.text
        if len(folded) != len(canon) or self._all is None:
            return self._find_two_pass(prepared)
        hits: dict[tuple[str, int, int], tuple[Term, bool]] = {}
        span = v.folded.span
        # A text typed with diacritics means what it says: "cho chết" is not "chó chết". Accent-free
        # matches count only in texts typed (mostly) without diacritics.
        accented = (len(canon.encode("utf-8")) - len(folded.encode("utf-8"))) > ACCENTED_SHARE * len(canon)
        for end_idx, (length, terms) in self._all.iter(folded):
            start, end = end_idx - length + 1, end_idx + 1
            if (start and folded[start - 1].isalnum()) or (end < len(folded) and folded[end].isalnum()):
                continue
            typed = canon[start:end]
            o_start, o_end = span(start, end)
            neg: bool | None = None
            for term in terms:
                if typed != term.canonical:
                    if not term.fold or any(c != f and c != t for c, f, t in zip(typed, folded[start:end], term.canonical)):
                        continue
                    if accented and typed == folded[start:end] and term.canonical != term.folded:
                        continue
                if neg is None:
                    neg = negated(canon, folded, start)
                hits[(term.lexicon + term.canonical, o_start, o_end)] = (term, neg)
        return [(term, s, e, neg) for (_, s, e), (term, neg) in hits.items()]

    def _find_two_pass(self, prepared: Prepared) -> list[tuple[Term, int, int, bool]]:
        v = prepared.views
        canon = v.canonical.text
        hits: dict[tuple[str, int, int], tuple[Term, bool]] = {}
        covered: set[tuple[int, int]] = set()
        if self._canon is not None:
            for end_idx, (length, terms) in self._canon.iter(canon):
                start, end = end_idx - length + 1, end_idx + 1
                if not _bounded(canon, start, end):
                    continue
                covered.add((start, end))
                o_start, o_end = v.canonical.span(start, end)
                neg = negated(canon, canon, start)
                for term in terms:
                    hits[(term.lexicon + term.canonical, o_start, o_end)] = (term, neg)
        if self._folded is not None:
            folded = v.folded.text
            for end_idx, (length, terms) in self._folded.iter(folded):
                start, end = end_idx - length + 1, end_idx + 1
                if (start, end) in covered or not _bounded(folded, start, end):
                    continue
                o_start, o_end = v.folded.span(start, end)
                neg = negated(folded, folded, start)
                for term in terms:
                    hits[(term.lexicon + term.canonical, o_start, o_end)] = (term, neg)
        return [(term, s, e, neg) for (_, s, e), (term, neg) in hits.items()]

    def detect_one(self, prepared: Prepared) -> list[Signal]:
        found = self.find(prepared)
        if not found:
            return []
        original = prepared.item.text
        quotes = quoted_spans(original)
        per_lexicon: dict[str, list[tuple[Term, int, int, bool]]] = {}
        for hit in found:
            per_lexicon.setdefault(hit[0].lexicon, []).append(hit)
        signals = []
        for lex_name, hits in per_lexicon.items():
            lex = self._by_name[lex_name]
            hits.sort(key=lambda h: (h[1], -h[2]))
            # A term inside a longer matched term of the same lexicon ("việc nhẹ" in "việc nhẹ lương
            # cao") is the same evidence: only the longest counts.
            kept: list[tuple[Term, int, int, bool]] = []
            for hit in hits:
                if kept and hit[1] >= kept[-1][1] and hit[2] <= kept[-1][2]:
                    continue
                kept.append(hit)
            hits = kept
            weights = []
            seen_terms: set[str] = set()
            tags: set[str] = set()
            evidence = []
            for term, s, e, neg in hits:
                if term.canonical not in seen_terms:
                    seen_terms.add(term.canonical)
                    quoted = any(qs <= s and e <= qe for qs, qe in quotes)
                    factor = (QUOTED_FACTOR if quoted else 1.0) * (NEGATED_FACTOR if neg and lex.negatable else 1.0)
                    weights.append(term.weight * factor)
                if term.tag:
                    tags.add(term.tag)
                evidence.append(Evidence(s, e, original[s:e], label=term.tag or None))
            signals.append(
                Signal(
                    detector=lex.signal,
                    category=lex.category,
                    score=noisy_or(weights),
                    evidence=tuple(evidence),
                    tags=frozenset(tags),
                    details={"terms": sorted(seen_terms)},
                )
            )
        return signals

    def detect_batch(self, batch: Sequence[Prepared]) -> list[list[Signal]]:
        return [self.detect_one(p) for p in batch]
