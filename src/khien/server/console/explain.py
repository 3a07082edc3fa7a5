"""Why a stored decision came out as it did, told from what was stored (no engine, no I/O here).

A decision stores the ids of every enforced rule that matched, most severe first (the first one
decided the action), the shadow rules that matched and what they would have done, its policy
version, and — for newer decisions — its engine fingerprint and signal records. From that alone:

- ``rules_of`` splits the rules into those that decided the action, those that matched but were
  outranked, and shadow rules (which never act), so contradictory-looking rules are not listed as
  equals. A rule's action is known only when today's policy is the one that decided; otherwise
  only the first rule is known to have decided, and the others are said to be "also matched".
- ``status_of`` says whether the engine's action was applied, only proposed, or never applied.
- ``gaps_of`` names what an old decision does not carry, so the page can say so.
- ``harm_of`` turns a score into a harm level for the score bar (colour and words, never green).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ...enums import Action
from ...policy import Policy
from .i18n import rule_text

__all__ = ["RuleLine", "Rules", "rules_of", "status_of", "gaps_of", "harm_of", "bar_width"]


@dataclass(frozen=True, slots=True)
class RuleLine:
    """One matched rule as the case page shows it."""

    id: str
    description: str | None  # in the reader's language when translated; None when today's policy lacks the rule
    action: str | None  # the rule's action, when the policy that decided is today's
    description_lang: str = "en"  # the policy's own text is English; a translation is in the reader's language


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules of one decision, apart by the part they played."""

    decided: tuple[RuleLine, ...]  # set the action (the first) or agreed with it
    outranked: tuple[RuleLine, ...]  # matched, but a more severe rule set the action
    also: tuple[RuleLine, ...]  # matched; whether they agreed is not stored (the policy has changed since)
    shadow: tuple[RuleLine, ...]  # shadow mode: recorded what they would do, never acted
    shadow_action: str | None
    same_policy: bool  # the decision was made under today's policy version


def rules_of(decision: Mapping[str, Any] | None, policy: Policy, lang: str) -> Rules:
    """Split the stored rule ids of ``decision`` by the part they played (see the module docstring)."""
    decision = decision or {}
    same = decision.get("policy") == policy.version
    known = {r.id: r for r in policy.rules}

    def line(rule_id: str) -> RuleLine:
        rule = known.get(rule_id)
        if rule is None:
            return RuleLine(rule_id, None, None)
        text = rule_text(lang, rule_id, rule.description)
        return RuleLine(rule_id, text, rule.action if same else None, lang if text != rule.description else "en")

    enforced = [line(r) for r in decision.get("rules") or []]
    decided, outranked, also = enforced[:1], [], []
    for rule in enforced[1:]:
        if rule.action is None:
            also.append(rule)
        elif rule.action == decision.get("action"):
            decided.append(rule)
        else:
            outranked.append(rule)
    shadow = decision.get("shadow") or {}
    return Rules(tuple(decided), tuple(outranked), tuple(also), tuple(line(r) for r in shadow.get("rules") or []),
                 shadow.get("action"), same)


# What happened to the engine's proposal, by action (automated decisions only).
_STATUS = {Action.REMOVE: "applied", Action.LABEL: "applied", Action.REVIEW: "proposed", Action.ALLOW: "no_action"}


def status_of(decision: Mapping[str, Any] | None) -> str:
    """``applied`` (an automated remove/label took effect), ``proposed`` (a review waits for a person),
    ``no_action`` (allow), ``by_person`` (a moderator's decision, in force) or ``none`` (nothing stored)."""
    if not decision or not decision.get("action"):
        return "none"
    if not decision.get("automated", True):
        return "by_person"
    return _STATUS.get(decision["action"], "proposed")


def gaps_of(decision: Mapping[str, Any] | None, policy: Policy) -> list[str]:
    """Locale keys for what an old decision lacks: signal records, a fingerprint, today's policy."""
    if not decision:
        return []
    out = []
    if "signals" not in decision:
        out.append("gap_signals")
    if not decision.get("fingerprint"):
        out.append("gap_fingerprint")
    if decision.get("policy") != policy.version:
        out.append("gap_policy")
    return out


HIGH, MEDIUM = 0.7, 0.4  # where a score reads as a strong or a moderate sign of harm


def harm_of(score: float | None) -> str:
    """``high``, ``medium`` or ``low``: how strongly a score says the content is harmful."""
    value = float(score or 0.0)
    return "high" if value >= HIGH else "medium" if value >= MEDIUM else "low"


def bar_width(score: float | None) -> int:
    """The bar's filled share in steps of 5 (0–100): a CSS class, since the CSP forbids inline styles."""
    value = min(1.0, max(0.0, float(score or 0.0)))
    return int(round(value * 20)) * 5
