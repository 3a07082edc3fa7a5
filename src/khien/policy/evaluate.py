"""Evaluate a compiled policy over one item's signals and produce its Decision."""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from ..model import ACTION_SEVERITY, CategoryFinding, Decision, Evidence, Item, Signal, SignalRecord
from ..text.spans import drop_contained, widen_to_words
from ..text.views import Views
from .conditions import FACTS, Context, category_scores
from .reasons import citations, dsa_fields, statement_of_reasons
from .schema import Policy, Rule, fill_statement

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
    text = ctx.item.text if ctx is not None else None
    raw: dict[str, list[tuple[Evidence, str]]] = {}
    for s in signals:
        if s.category in policy.categories:
            raw.setdefault(s.category, []).extend((e, s.detector) for e in s.evidence)
    evidence: dict[str, dict[tuple[int, int, str], tuple[Evidence, str]]] = {}
    for cat, pairs in raw.items():
        bucket = evidence.setdefault(cat, {})
        in_text = []
        for e, det in pairs:
            if e.field == "text" and text is not None:
                s_, e_ = widen_to_words(text, e.start, e.end)
                if (s_, e_) != (e.start, e.end):
                    e = replace(e, start=s_, end=e_, text=text[s_:e_])
                in_text.append((e.start, e.end, (e, det)))
            elif (e.start, e.end, e.field) not in bucket and len(bucket) < _MAX_EVIDENCE:
                bucket[(e.start, e.end, e.field)] = (e, det)
        # one span per place: lexicon, pattern and model matches of the same words are shown once
        for s_, e_, pair in drop_contained(in_text):
            if len(bucket) < _MAX_EVIDENCE:
                bucket[(s_, e_, "text")] = pair
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


def decision_facts(signals: Sequence[Signal]) -> dict[str, dict]:
    """The facts detectors established, each with the score, detector and evidence behind it."""
    out: dict[str, dict] = {}
    for s in signals:
        for name, value in s.facts.items():
            out[name] = {"label": value, "score": round(s.score, 4), "detector": s.detector,
                         "evidence": [e.to_dict() for e in s.evidence]}
    return out


def _rule_statements(rules: Sequence[Rule], ctx: Context) -> dict[str, str] | None:
    """The statement of the first matched rule (in decision order) that carries one, facts filled in."""
    for rule in rules:
        if rule.statement is not None:
            return fill_statement(rule.statement, ctx.facts, lambda name: FACTS[name](ctx.item) if name in FACTS else None)
    return None


def evaluate(policy: Policy, item: Item, views: Views, signals: list[Signal], detectors: tuple[str, ...], *,
             fingerprint: str | None = None) -> Decision:
    """The decision for one item; ``fingerprint`` names the engine that made it (its signal records
    are built here too, so the decision is made once, not made and then copied)."""
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
    cites = citations(signals, category) if action != "allow" else []
    reasons = statement_of_reasons(policy, action, findings, category, clause, automated=True, cites=cites,
                                   detail=_rule_statements(enforced, ctx) if action != "allow" else None)
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
        facts=decision_facts(signals),
        fingerprint=fingerprint,
        signals=tuple(SignalRecord.from_signal(s) for s in signals),
    )
