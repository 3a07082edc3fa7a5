"""Moderators' verdicts on the candidate fact-checks of a case (issue 15).

A fact-check case is a case whose decision carries ``claims.v1`` signals. For each candidate the
person says ``confirmed`` (the post does repeat that claim) or ``rejected``; the verdict is stored
(``claim_verdicts``, one per case and fact-check, a later one replacing it), audited
(``claims.verdict``), and exported as evaluation data for the matcher's thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..clock import SYSTEM, Clock, iso
from ..errors import InputError, NotFoundError
from ..store import Tx
from ..store import claim_verdicts as rows
from ..store.claim_verdicts import ClaimVerdict
from . import cases
from .actor import Actor

__all__ = ["VERDICTS", "DETECTOR", "TIERS", "candidates_of", "give", "for_case", "export", "summary", "ClaimVerdict",
           "VerdictFigures", "VerdictSummary"]

VERDICTS = ("confirmed", "rejected")
DETECTOR = "claims.v1"
TIERS = ("label", "suggest")  # khien.claims.Tier's values: always shown, in this order, even with no verdict


def candidates_of(decision: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The candidate fact-checks a published decision carries (its ``claims.v1`` signal records),
    best first, each with its facts, score and the post's matching spans (``evidence``)."""
    if not decision:
        return []
    spans: dict[str, list[dict[str, Any]]] = {}
    for category in decision.get("categories") or ():
        for e in category.get("evidence") or ():
            if e.get("detector") == DETECTOR and e.get("label"):
                spans.setdefault(e["label"], []).append(e)
    out = []
    for record in decision.get("signals") or ():
        if record.get("signal") != DETECTOR:
            continue
        facts = dict((record.get("details") or {}).get("facts") or {})
        if not facts.get("factcheck_id"):
            continue
        out.append({**facts, "score": record.get("score"), "evidence": spans.get(facts["factcheck_id"], [])})
    out.sort(key=lambda c: -(c["score"] or 0.0))
    return out


def give(tx: Tx, actor: Actor, case_id: int, factcheck_id: str, verdict: str, *, clock: Clock = SYSTEM) -> ClaimVerdict:
    """Store ``actor``'s verdict on one candidate of case ``case_id`` (it must be one of its candidates)."""
    if verdict not in VERDICTS:
        raise InputError(f"field 'verdict' must be one of {', '.join(VERDICTS)}, found {verdict[:30]!r}",
                         field="verdict")
    case = cases.get_case(tx, case_id, clock=clock)
    decision = case.decision.public(provenance=True) if case.decision else None
    found = next((c for c in candidates_of(decision) if c["factcheck_id"] == factcheck_id), None)
    if found is None:
        raise NotFoundError(f"case {case_id} has no candidate fact-check {factcheck_id[:100]!r}")
    when = iso(clock.now())
    made = ClaimVerdict(case_id, case.item_id, factcheck_id, verdict, found.get("tier"), found.get("score"),
                        str((case.content or {}).get("text", "")), actor.name, when)
    rows.put(tx, made)
    record_many(tx, [AuditEvent(actor.name, f"case:{case_id}",
                                ev.ClaimVerdictGiven(factcheck_id=factcheck_id, verdict=verdict))], time=when)
    return made


def for_case(tx: Tx, case_id: int) -> dict[str, ClaimVerdict]:
    return rows.for_case(tx, case_id)


def export(tx: Tx) -> list[ClaimVerdict]:
    """Every verdict, oldest first: evaluation data (text, fact-check, tier, score, verdict)."""
    return rows.all_verdicts(tx)


@dataclass(frozen=True, slots=True)
class VerdictFigures:
    """The verdicts of one group (a tier, a publisher, or all): how many, confirmed, rejected."""

    name: str | None  # the tier or publisher; None: not known (see VerdictSummary)
    verdicts: int = 0
    confirmed: int = 0
    rejected: int = 0

    @property
    def confirmed_share(self) -> float | None:
        """Confirmed over verdicts (None without verdicts): how often the people agreed with the match."""
        return self.confirmed / self.verdicts if self.verdicts else None

    def public(self) -> dict[str, Any]:
        share = self.confirmed_share
        return {"name": self.name, "verdicts": self.verdicts, "confirmed": self.confirmed, "rejected": self.rejected,
                "confirmed_share": round(share, 4) if share is not None else None}


@dataclass(frozen=True, slots=True)
class VerdictSummary:
    """Figures on the verdicts: all of them, per tier (``label`` and ``suggest`` always, then any other
    tier recorded; a verdict whose candidate had no tier counts under ``None``, last) and per publisher
    (most verdicts first; ``None``: a fact-check not in the store)."""

    total: VerdictFigures
    by_tier: tuple[VerdictFigures, ...]
    by_publisher: tuple[VerdictFigures, ...]

    def public(self) -> dict[str, Any]:
        return {"total": self.total.public(), "by_tier": [f.public() for f in self.by_tier],
                "by_publisher": [f.public() for f in self.by_publisher]}


def _figures(name: str | None, found: Iterable[rows.VerdictCount]) -> VerdictFigures:
    n = {v: 0 for v in VERDICTS}
    for c in found:
        n[c.verdict] = n.get(c.verdict, 0) + c.count
    return VerdictFigures(name, sum(n.values()), n["confirmed"], n["rejected"])


def summary(tx: Tx) -> VerdictSummary:
    """Per tier and per publisher: verdicts, confirmed, rejected and the confirmed share (the console's
    fact-checks page and ``khien claims verdicts --summary``)."""
    found = rows.counts(tx)
    tiers: list[str | None] = [*TIERS, *sorted({c.tier for c in found if c.tier and c.tier not in TIERS})]
    if any(c.tier is None for c in found):
        tiers.append(None)
    by_tier = tuple(_figures(t, [c for c in found if c.tier == t]) for t in tiers)
    publishers = {c.publisher for c in found}
    by_publisher = sorted((_figures(p, [c for c in found if c.publisher == p]) for p in publishers),
                          key=lambda f: (-f.verdicts, f.name is None, f.name or ""))
    return VerdictSummary(_figures(None, found), by_tier, tuple(by_publisher))
