"""Evaluate a compiled policy over one item's signals and produce its Decision."""

from __future__ import annotations

from typing import Sequence

from ..model import ACTION_SEVERITY, CategoryFinding, Decision, Evidence, Item, Signal
from ..text.views import Views
from .conditions import Context, category_scores
from .reasons import dsa_fields, statement_of_reasons
from .schema import Policy

__all__ = ["evaluate", "findings_from_signals"]

_MAX_EVIDENCE = 12


def findings_from_signals(
    policy: Policy,
    signals: Sequence[Signal],
    forced: frozenset[str] | set[str] = frozenset(),
    ctx: Context | None = None,
) -> list[CategoryFinding]:
    """Categories at or above their reporting threshold (or named by a matched rule), best first.

    A category whose ``not_reported_when`` condition holds (e.g. scam words in a warning about
    scams) is left out unless a rule acted on it.
    """
    scores = ctx.category_scores if ctx is not None else category_scores(list(signals))
    best = {c: v for c, v in scores.items() if c in policy.categories}
    evidence: dict[str, dict[tuple[int, int, str], tuple[Evidence, str]]] = {}
    for s in signals:
        if s.category not in policy.categories:
            continue
        bucket = evidence.setdefault(s.category, {})
        for e in s.evidence:
            key = (e.start, e.end, e.field)
            if key not in bucket and len(bucket) < _MAX_EVIDENCE:
                bucket[key] = (e, s.detector)
    findings = []
    for name, score in best.items():
        category = policy.categories[name]
        if name not in forced and (
            score < category.report_threshold
            or (category.not_reported_when is not None and ctx is not None and category.not_reported_when(ctx))
        ):
            continue
        ordered = sorted(evidence.get(name, {}).values(), key=lambda pair: (pair[0].field != "text", pair[0].start))
        findings.append(CategoryFinding(name, score, tuple(ordered)))
    findings.sort(key=lambda f: (-policy.categories[f.name].severity, -f.score))
    return findings


def evaluate(policy: Policy, item: Item, views: Views, signals: list[Signal], detectors: tuple[str, ...]) -> Decision:
    ctx = Context.build(item, views, signals)
    enforced = []
    shadow = []
    present = ctx.category_scores.keys()
    for rule in policy.rules:
        if rule.needs and not rule.needs <= present:
            continue
        if rule.when(ctx):
            (enforced if rule.mode == "enforce" else shadow).append(rule)
    sev = lambda r: (ACTION_SEVERITY[r.action], policy.categories[r.category].severity)  # noqa: E731
    enforced.sort(key=sev, reverse=True)
    shadow.sort(key=sev, reverse=True)
    top = enforced[0] if enforced else None
    action = top.action if top else "allow"
    findings = findings_from_signals(policy, signals, {r.category for r in enforced if r.action != "allow"}, ctx)
    category = top.category if top else None
    clause = top.clause if top else None
    reasons = statement_of_reasons(policy, action, findings, category, clause, automated=True)
    shadow_action = None
    if shadow:
        shadow_action = max([shadow[0].action, action], key=ACTION_SEVERITY.__getitem__)
    return Decision(
        id=item.id,
        action=action,
        categories=tuple(findings),
        rules=tuple(r.id for r in enforced),
        policy=policy.version,
        detectors=detectors,
        reasons=reasons,
        automated=True,
        clause=clause,
        shadow_rules=tuple(r.id for r in shadow),
        shadow_action=shadow_action,
        dsa=dsa_fields(policy, item.id, action, category, clause, reasons, automated=True, created_at=item.created_at),
    )
