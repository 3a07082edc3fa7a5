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
while facts of several signals overwrite each other. The stance is the post's towards each claim;
the default policy labels only when no matched claim is debunked or asked about (the union of tags).

Where the fact-checks come from: the engine's context (``DetectorContext(claims=...)``), either a
:class:`~khien.claims.Matcher` or a callable returning the current one (the service refreshes it
after imports). With neither, the detector emits nothing: the default policy can name it and
still decide exactly as before on an engine built without fact-checks.

**Tiers and stance come from the calibrated matcher** (:meth:`khien.claims.Matcher.calibrated`):
each match carries its calibrated score, its tier (``label`` / ``suggest``; the short-text and
fact-check-age rules already applied) and the post's stance towards that claim, read around the
words they share (:mod:`khien.claims.stance`). A matcher built without tiers (``Matcher(fcs)``)
gives matches without a tier, hence no signal. A claim rated ``mixed`` is suggested at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from ..claims import Match, Matcher
from ..claims.stance import ClaimStance
from ..errors import DetectorError
from ..model import Evidence, Signal
from .base import Example, Prepared, configure
from .context import DetectorContext

__all__ = ["ClaimsConfig", "ClaimsDetector", "tier_of", "SIGNALLED_RATINGS"]

SIGNALLED_RATINGS = {"false": "label", "mostly_false": "label", "mixed": "suggest"}  # rating -> best tier allowed
_STANCES = tuple(str(s) for s in ClaimStance)


def tier_of(match: Match) -> str | None:
    """The tier a match is signalled with: the matcher's, capped by the rating; None: no signal."""
    best = SIGNALLED_RATINGS.get(str(match.fact_check.rating))
    if best is None or match.tier is None:
        return None
    return "suggest" if best == "suggest" else str(match.tier)


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
        """The current matcher (the context's, or what its callable returns now)."""
        source = self._source
        return source if source is None or isinstance(source, Matcher) else source()

    def detect_batch(self, batch: Sequence[Prepared]) -> list[list[Signal]]:
        matcher = self.matcher()
        if matcher is None or not matcher.fact_checks:
            return [[] for _ in batch]
        return [self._detect(matcher, p.item.text) for p in batch]

    def _detect(self, matcher: Matcher, text: str) -> list[Signal]:
        if not text.strip():
            return []
        out = []
        for match in matcher.match(text, self.config.k):
            fc = match.fact_check
            tier = tier_of(match)
            if tier is None:
                continue
            stance = str(match.stance or ClaimStance.UNCLEAR)
            evidence = tuple(Evidence(s, e, text[s:e], label=fc.id) for s, e in match.spans)
            facts = {"factcheck_id": fc.id, "tier": tier, "rating": fc.rating_text, "rating_scale": str(fc.rating),
                     "publisher": fc.publisher.name, "url": fc.url, "title": fc.title, "review_date": fc.review_date,
                     "stance": stance, "claim": fc.claim}
            tags = frozenset({f"tier_{tier}", f"stance_{stance}", f"rating_{fc.rating}"})
            out.append(Signal(self.name, "misinformation", round(float(match.score), 4), evidence, tags,
                              {"terms": list(match.terms[:20]), "mode": match.mode}, facts))
        # Weakest first: a decision's top-level facts keep the last signal's, so they name the best
        # match; every match is in the decision's signal records.
        out.reverse()
        return out
