"""Pattern detector: RE2 regular expressions for cues about amounts and rates.

Word lists cannot enumerate "lãi 3%/ngày" or "vốn 20k lãi 200k". Each pattern row names a ``hint``
word; an Aho-Corasick pass over the folded view finds which hints occur, and only those patterns
run, so a post costs one automaton scan plus the few patterns it could match. Patterns run on RE2
(linear time) because operators can ship their own file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import ahocorasick
import re2

from ..errors import DetectorError, InputError
from ..model import Evidence, Signal
from ..resources import resolve
from ..scores import noisy_or
from ..text.tables import read_tsv
from ..text.views import fold_accents
from .base import Example, Prepared, configure
from .context import DetectorContext
from .lexicon import NEGATED_FACTOR, QUOTED_FACTOR, negated, quoted_spans

__all__ = ["PatternConfig", "PatternDetector", "Pattern", "load_patterns"]

DEFAULT_PATTERNS = "packaged:patterns"


@dataclass(frozen=True, slots=True)
class PatternConfig:
    """``patterns.v1`` config: ``file``, a pattern table (TSV path, or ``packaged:patterns``)."""

    file: str = DEFAULT_PATTERNS


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    hint: str
    regex: Any
    weight: float
    category: str
    tag: str


def load_patterns(source: str | Path | None = None) -> tuple[str, list[Pattern]]:
    """A pattern table (a TSV path or ``packaged:patterns``): its name and its compiled patterns."""
    try:
        path = resolve(source or DEFAULT_PATTERNS, "table")
    except InputError as exc:
        raise DetectorError(f"patterns.v1: {exc.message}", hint=exc.hint) from exc
    meta, rows = read_tsv(path)
    name = meta.get("patterns", path.stem)
    options = re2.Options()
    options.max_mem = 4 << 20
    patterns = []
    for row in rows:
        where = f"{path.name}: pattern {row.get('id')!r}"
        try:
            weight = float(row["weight"])
        except (KeyError, ValueError) as exc:
            raise DetectorError(f"{where}: weight must be a number") from exc
        if not 0 < weight <= 1:
            raise DetectorError(f"{where}: weight must be in (0, 1], found {weight}")
        try:
            regex = re2.compile(row["pattern"], options)
        except Exception as exc:
            raise DetectorError(f"{where}: not a valid RE2 pattern: {exc}") from exc
        hint = fold_accents(row.get("hint", "").lower())
        if not hint:
            raise DetectorError(f"{where}: a hint word is required")
        patterns.append(Pattern(row["id"], hint, regex, weight, row["category"], row.get("tag", "")))
    return name, patterns


class PatternDetector:
    name = "patterns.v1"
    requires = ("folded",)
    Config = PatternConfig

    def __init__(self, config: PatternConfig | Mapping[str, Any] | None = None,
                 context: DetectorContext | None = None, /, **options: Any) -> None:
        self.config = configure(PatternConfig, self.name, config, options)
        self.set_name, self.patterns = load_patterns(self.config.file)
        self.emits = tuple(sorted({p.category for p in self.patterns}))
        # one signal name per category, so a hate match is never shown under a scam set's name
        self._signals = {c: f"patterns.{c}.v1" for c in self.emits}
        automaton = ahocorasick.Automaton()
        by_hint: dict[str, list[Pattern]] = {}
        for p in self.patterns:
            by_hint.setdefault(p.hint, []).append(p)
        for hint, group in by_hint.items():
            automaton.add_word(hint, tuple(group))
        automaton.make_automaton()
        self._hints = automaton

    @property
    def signals(self) -> tuple[str, ...]:
        return tuple(self._signals.values())

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(p.tag for p in self.patterns if p.tag)

    @property
    def examples(self) -> tuple[Example, ...]:
        return (
            Example("Đầu tư dự án xanh, lãi 3%/ngày, rút gốc bất cứ lúc nào", emits=("scam",)),
            Example("Vốn chỉ 20k lãi 200k mỗi ngày, ib mình", emits=("scam",)),
            Example("Lãi suất tiết kiệm 12 tháng hiện là 4,8%/năm", not_emits=("scam",)),
        )

    def detect_one(self, prepared: Prepared) -> list[Signal]:
        folded = prepared.views.folded
        text = folded.text
        candidates: dict[str, Pattern] = {}
        for _end, group in self._hints.iter(text):
            for p in group:
                candidates[p.id] = p
        if not candidates:
            return []
        per_category: dict[str, list[tuple[Pattern, int, int]]] = {}
        for p in candidates.values():
            m = p.regex.search(text)
            if m is not None:
                per_category.setdefault(p.category, []).append((p, m.start(), m.end()))
        signals = []
        original = prepared.item.text
        quotes = quoted_spans(original)
        canon = prepared.views.canonical.text
        for category, hits in per_category.items():
            weights = []
            evidence = []
            for p, s, e in sorted(hits, key=lambda h: h[1]):
                o_s, o_e = folded.span(s, e)
                factor = QUOTED_FACTOR if any(qs <= o_s and o_e <= qe for qs, qe in quotes) else 1.0
                if len(canon) == len(text) and negated(canon, text, s):
                    factor *= NEGATED_FACTOR
                weights.append(p.weight * factor)
                evidence.append(Evidence(o_s, o_e, original[o_s:o_e], label=p.tag or p.id))
            signals.append(Signal(
                detector=self._signals[category], category=category, score=noisy_or(weights), evidence=tuple(evidence),
                tags=frozenset(p.tag for p, _, _ in hits if p.tag), details={"patterns": sorted(p.id for p, _, _ in hits)},
            ))
        return signals

    def detect_batch(self, batch: Sequence[Prepared]) -> list[list[Signal]]:
        return [self.detect_one(p) for p in batch]
