"""Building decisions a person makes, and the rows and events every decision leaves."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Mapping

from ..enums import Action, values
from ..errors import InputError
from ..model import CategoryFinding, Decision
from ..policy import Policy, dsa_fields, statement_of_reasons
from ..store.records import NewDecision

__all__ = ["human_decision", "restored_decision", "new_decision", "priority_base", "item_subject",
           "LEGAL_SEVERITY"]

LEGAL_SEVERITY = 10  # a request from an authority has a deadline: it goes to the top of the queue


def item_subject(platform: str, item_id: str) -> str:
    return f"item:{platform}:{item_id}" if platform else f"item:{item_id}"


def priority_base(severity: int, reach: int) -> float:
    """severity × log(reach); ln(e + reach) so an item nobody has seen yet still counts once."""
    return float(severity) * math.log(math.e + max(0, reach))


def _before(original: Decision | Mapping[str, Any] | None) -> tuple[tuple[CategoryFinding, ...], tuple[str, ...], bool]:
    """What a person's decision keeps of the one under review: findings, detectors, whether automated.

    Services pass the stored :class:`Decision`; the console previews statements from the public
    dict it holds, which may be partial, so only these three parts are read from a mapping.
    """
    if original is None:
        return (), (), False
    if isinstance(original, Decision):
        return original.categories, original.detectors, original.automated
    return (tuple(CategoryFinding.from_dict(c) for c in original.get("categories", ())),
            tuple(original.get("detectors", ())), bool(original.get("automated")))


def _check_action(policy: Policy, action: str, clause: str | None) -> str | None:
    if action not in values(Action):
        raise InputError(f"field 'action' must be one of {', '.join(values(Action))}, found {action!r}",
                         field="action")
    clauses = policy.clauses()
    if action == Action.ALLOW:
        if clause is not None and clause not in clauses:
            raise InputError(f"unknown clause {clause!r}; valid clauses: {', '.join(sorted(clauses))}", field="clause")
        return clauses.get(clause or "")
    if not clause:
        raise InputError(f"field 'clause' is required for action '{action}': name the clause the content breaks; "
                         f"valid clauses: {', '.join(sorted(clauses))}", field="clause")
    if clause not in clauses:
        raise InputError(f"unknown clause {clause!r}; valid clauses: {', '.join(sorted(clauses))}", field="clause")
    return clauses[clause]


def human_decision(
    policy: Policy,
    item_id: str,
    action: str,
    clause: str | None,
    note: str | None,
    original: Decision | Mapping[str, Any] | None,
    *,
    created_at: str | None = None,
    source_type: str = "SOURCE_VOLUNTARY",
) -> Decision:
    """A moderator's decision: automated=false, with the statement of reasons for a person's decision.

    Keeping content (``allow``) names no clause and no category: the statement only says the content
    stays up after human review (plus the moderator's note).
    """
    category = _check_action(policy, action, clause)
    findings, detectors, was_automated = _before(original)
    keep = action == Action.ALLOW
    reasons = statement_of_reasons(policy, action, findings, None if keep else category, None if keep else clause,
                                   automated=False, note=note)
    return Decision(
        id=item_id, action=action, categories=tuple(findings), rules=(), policy=policy.version,
        detectors=detectors, reasons=reasons, automated=False,
        clause=None if keep else clause,
        dsa=dsa_fields(policy, item_id, action, category, clause, reasons, automated=False,
                       detected_automatically=was_automated,
                       created_at=created_at, source_type=source_type),
    )


def restored_decision(policy: Policy, item_id: str, original: Decision, action: str, clause: str | None,
                      note: str | None) -> Decision:
    """The decision that replaces one reversed on appeal (by default the item is restored: allow)."""
    decision = human_decision(policy, item_id, action, clause, None, original)
    if action == Action.ALLOW:
        vi = ("Kháng nghị được chấp nhận: quyết định trước đã bị hủy bỏ và nội dung được khôi phục. "
              "Quyết định này do người kiểm duyệt đưa ra sau khi xem xét.")
        en = ("The appeal was granted: the earlier decision is reversed and the content is restored. "
              "This decision was made by a human moderator after review.")
    else:
        vi = "Kháng nghị được chấp nhận: quyết định trước đã bị thay đổi. " + decision.reasons["vi"]
        en = "The appeal was granted: the earlier decision is changed. " + decision.reasons["en"]
    if note:
        vi += f" Ghi chú của người xét kháng nghị: {note}"
        en += f" Note from the moderator who decided the appeal: {note}"
    return replace(decision, reasons={"vi": vi, "en": en})


def new_decision(policy: Policy, decision: Decision, platform: str, *, item_version: int, source: str,
                 source_ref: str = "", actor: str | None, created_at: str, actor_id: str | None = None) -> NewDecision:
    """The ``decisions`` row for a decision on version ``item_version`` of the item (the stored text
    it is about); its category is the one its clause names (None for allow)."""
    category = policy.clauses().get(decision.clause or "") if decision.action != Action.ALLOW else None
    return NewDecision(platform=platform, decision=decision, source=source, source_ref=source_ref, actor=actor,
                       created_at=created_at, category=category, actor_id=actor_id, item_version=item_version)
