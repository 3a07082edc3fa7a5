"""``claims.v1``: posts that repeat a claim a trusted fact-checker has reviewed (issue 15).

Wraps :class:`khien.claims.Matcher`. For each post it emits at most one signal per matched
fact-check, category ``misinformation``, with the post's matching words as evidence and the
fact-check in ``facts`` (the signal contract of issue 15)::

    facts = {factcheck_id, tier: "label"|"suggest", rating, rating_scale, publisher, url, title,
             review_date, stance: "spreads"|"debunks"|"asks"|"unclear"}

plus ``claim`` (the claim as the fact-checker quotes it), so a stored decision shows what it matched.

``rating`` is the publisher's own words ("Sai sự thật"), ``rating_scale`` Khiên's normalised
rating (``false``...). Only claims rated ``false`` / ``mostly_false`` / ``mixed`` are signalled: a
post repeating a claim found true is not misinformation. The same fields are also given as tags
(``tier_label``, ``stance_spreads``, ``rating_false``...) because a policy reads tags per category
while facts of several signals overwrite each other; the stance is the post's, the same for every
signal of a post, so the union of tags stays meaningful.

Where the fact-checks come from: the engine's context (``DetectorContext(claims=...)``), either a
:class:`~khien.claims.Matcher` or a callable returning the current one (the service refreshes it
after imports). With neither, the detector emits nothing: the default policy can name it and
still decide exactly as before on an engine built without fact-checks.

**Placeholders until the calibrated matcher lands.** When a :class:`~khien.claims.Match` carries a
``tier`` (the other issue-15 helper adds it), that tier is used. Until then the tier is derived
here from the BM25 score with :data:`PLACEHOLDER_LABEL_MIN_BM25` / :data:`PLACEHOLDER_SUGGEST_MIN_BM25`
(NOT calibrated: the label threshold sits above every near miss of the calibration batches, so
nearly everything is only suggested) and the short-text rule (under :data:`MIN_LABEL_WORDS` words:
suggest at most). The stance is likewise a small cue list (:func:`stance_of`), a placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from ..claims import Match, Matcher
from ..errors import DetectorError
from ..model import Evidence, Signal
from ..text import fold_accents
from .base import Example, Prepared, configure
from .context import DetectorContext

__all__ = ["ClaimsConfig", "ClaimsDetector", "stance_of", "tier_of", "PLACEHOLDER_LABEL_MIN_BM25",
           "PLACEHOLDER_SUGGEST_MIN_BM25", "MIN_LABEL_WORDS", "SIGNALLED_RATINGS"]

# Placeholder thresholds on the raw BM25 score (see the module docstring). Calibration batches 01/04/05
# only: right top-1 matches of spreading posts score 10-60, near misses up to ~65.
PLACEHOLDER_SUGGEST_MIN_BM25 = 15.0
PLACEHOLDER_LABEL_MIN_BM25 = 70.0
# The BM25 score squashed into [0, 1] for the signal: score / (score + this); 30 -> 0.5.
_BM25_HALF = 30.0
MIN_LABEL_WORDS = 8  # issue 15: texts under 8 words are only suggested
SIGNALLED_RATINGS = {"false": "label", "mostly_false": "label", "mixed": "suggest"}  # rating -> best tier allowed

# Stance cues, folded (no diacritics, lower case). Placeholder; calibration batch 04 only.
_DEBUNK = re.compile(
    r"\b(tin gia|tin don( that thiet)?|sai su that|khong dung (su that)?|khong co chuyen|bia dat|"
    r"dung tin|dung chia se|dung share|canh giac|bac bo|da bac|da kiem chung|kiem chung|bi lua|"
    r"fake ?news|hoax|lua dao|khong co that|xuyen tac|gia mao|anh ghep|sai lech|dinh chinh|bac si khang dinh)\b")
_ASK = re.compile(r"(\?|\b(co that khong|co dung khong|that khong|dung khong|phai khong|co phai|that ko|dung ko|"
                  r"co that ko|ai biet|hoi ai|cho hoi|xin hoi|co ai)\b)")


_STANCES = ("spreads", "debunks", "asks", "unclear")


def stance_of(text: str) -> str:
    """The post's stance toward the claims it repeats: ``debunks``, ``asks`` or ``spreads``."""
    folded = fold_accents(text.casefold())
    if _DEBUNK.search(folded):
        return "debunks"
    if _ASK.search(folded):
        return "asks"
    return "spreads"


def tier_of(match: Match, words: int, rating: str) -> str | None:
    """A match's tier: the matcher's own when it gives one, else the placeholder rule; None = no signal."""
    best = SIGNALLED_RATINGS.get(rating)
    if best is None:
        return None
    tier = getattr(match, "tier", None)
    if tier is None:
        bm25 = match.scores.get("bm25", match.score)
        if bm25 >= PLACEHOLDER_LABEL_MIN_BM25:
            tier = "label"
        elif bm25 >= PLACEHOLDER_SUGGEST_MIN_BM25:
            tier = "suggest"
    if tier is None:
        return None
    if words < MIN_LABEL_WORDS or best == "suggest":
        return "suggest"
    return str(tier)


def _score(match: Match) -> float:
    """The match's score in [0, 1]: the matcher's when it already is one, else BM25 squashed."""
    if getattr(match, "tier", None) is not None and 0.0 <= match.score <= 1.0:
        return float(match.score)
    raw = match.scores.get("bm25", match.score)
    return round(raw / (raw + _BM25_HALF), 4) if raw > 0 else 0.0


@dataclass(frozen=True, slots=True)
class ClaimsConfig:
    """``claims.v1`` config: ``k``, candidates per post (default 3)."""

    k: int = 3


MatcherSource = Matcher | Callable[[], Matcher | None]


class ClaimsDetector:
    """Posts matching a trusted fact-check; see the module docstring for the contract."""

    name = "claims.v1"
    requires = ("nfc",)
    emits = ("misinformation",)
    facts = ("factcheck_id", "tier", "rating", "rating_scale", "publisher", "url", "title", "review_date", "claim")
    Config = ClaimsConfig

    def __init__(self, config: ClaimsConfig | Mapping[str, Any] | None = None,
                 context: DetectorContext | None = None, /, **options: Any) -> None:
        self.config = configure(ClaimsConfig, self.name, config, options)
        if not 1 <= self.config.k <= 20:
            raise DetectorError(f"detectors.claims.v1.k: must be from 1 to 20, found {self.config.k!r}",
                                field="detectors.claims.v1.k")
        self._source: MatcherSource | None = getattr(context, "claims", None) if context is not None else None

    @property
    def signals(self) -> tuple[str, ...]:
        return (self.name,)

    @property
    def tags(self) -> frozenset[str]:
        """Every tag a signal may carry (a policy naming another one fails at load)."""
        return frozenset({"tier_label", "tier_suggest"} | {f"stance_{s}" for s in _STANCES}
                         | {f"rating_{r}" for r in SIGNALLED_RATINGS})

    @property
    def examples(self) -> tuple[Example, ...]:
        # Built without fact-checks (as the conformance test builds it) it must emit nothing;
        # tests/detect/test_claims_detector.py checks what it emits with some.
        return (Example("Uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư giai đoạn cuối, chia sẻ ngay",
                        not_emits=("misinformation",)),
                Example("Chính quyền xử lý vụ ngập lụt quá chậm, lãnh đạo thành phố phải chịu trách nhiệm",
                        not_emits=("misinformation",)))

    def matcher(self) -> Matcher | None:
        source = self._source
        if source is None or isinstance(source, Matcher):
            return source
        return source()

    def detect_batch(self, batch: Sequence[Prepared]) -> list[list[Signal]]:
        matcher = self.matcher()
        if matcher is None or not matcher.fact_checks:
            return [[] for _ in batch]
        return [self._detect(matcher, p.item.text) for p in batch]

    def _detect(self, matcher: Matcher, text: str) -> list[Signal]:
        if not text.strip():
            return []
        words = len(text.split())
        stance = None
        out = []
        for match in matcher.match(text, self.config.k):
            fc = match.fact_check
            tier = tier_of(match, words, str(fc.rating))
            if tier is None:
                continue
            stance = stance or stance_of(text)
            evidence = tuple(Evidence(s, e, text[s:e], label=fc.id) for s, e in match.spans)
            facts = {"factcheck_id": fc.id, "tier": tier, "rating": fc.rating_text, "rating_scale": str(fc.rating),
                     "publisher": fc.publisher.name, "url": fc.url, "title": fc.title, "review_date": fc.review_date,
                     "stance": stance, "claim": fc.claim}
            tags = frozenset({f"tier_{tier}", f"stance_{stance}", f"rating_{fc.rating}"})
            out.append(Signal(self.name, "misinformation", _score(match), evidence, tags,
                              {"terms": list(match.terms[:20])}, facts))
        # Weakest first: a decision's top-level facts keep the last signal's, so they name the best
        # match; every match is in the decision's signal records.
        out.reverse()
        return out
