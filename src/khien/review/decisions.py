"""Building decisions a person makes, and the rows and events every decision leaves."""

from __future__ import annotations

import math
from typing import Any, Mapping

import orjson

from ..errors import InputError
from ..model import ACTIONS, CategoryFinding, Decision, Evidence
from ..policy import Policy, dsa_fields, statement_of_reasons

__all__ = ["findings_from_body", "human_decision", "restored_decision", "decision_row", "priority_base",
           "item_subject", "LEGAL_SEVERITY"]

LEGAL_SEVERITY = 10  # a request from an authority has a deadline: it goes to the top of the queue


def item_subject(platform: str, item_id: str) -> str:
    return f"item:{platform}:{item_id}" if platform else f"item:{item_id}"


def priority_base(severity: int, reach: int) -> float:
    """severity × log(reach); ln(e + reach) so an item nobody has seen yet still counts once."""
    return float(severity) * math.log(math.e + max(0, reach))


def findings_from_body(body: Mapping[str, Any] | None) -> list[CategoryFinding]:
    """The categories of a stored decision (its ``to_dict`` form) as findings again."""
    out = []
    for cat in (body or {}).get("categories", []):
        evidence = tuple(
            (Evidence(e["start"], e["end"], e["text"], e.get("field", "text"), e.get("label")), e.get("detector", ""))
            for e in cat.get("evidence", [])
        )
        out.append(CategoryFinding(cat["name"], float(cat.get("score", 0.0)), evidence))
    return out


def _check_action(policy: Policy, action: str, clause: str | None) -> str | None:
    if action not in ACTIONS:
        raise InputError(f"field 'action' must be one of {', '.join(ACTIONS)}, found {action!r}", field="action")
    clauses = policy.clauses()
    if action == "allow":
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
    original: Mapping[str, Any] | None,
    *,
    created_at: str | None = None,
    source_type: str = "SOURCE_VOLUNTARY",
) -> Decision:
    """A moderator's decision: automated=false, with the statement of reasons for a person's decision."""
    category = _check_action(policy, action, clause)
    findings = findings_from_body(original)
    reasons = statement_of_reasons(policy, action, findings, category, clause, automated=False, note=note)
    if action == "allow" and note:
        reasons = {"vi": f"{reasons['vi']} Ghi chú của người kiểm duyệt: {note}",
                   "en": f"{reasons['en']} Moderator's note: {note}"}
    detectors = tuple((original or {}).get("detectors", ()))
    return Decision(
        id=item_id, action=action, categories=tuple(findings), rules=(), policy=policy.version,
        detectors=detectors, reasons=reasons, automated=False, clause=clause if action != "allow" else None,
        dsa=dsa_fields(policy, item_id, action, category, clause, reasons, automated=False,
                       detected_automatically=original is not None and bool(original.get("automated")),
                       created_at=created_at, source_type=source_type),
    )


def restored_decision(policy: Policy, item_id: str, original: Mapping[str, Any], action: str, clause: str | None,
                      note: str | None) -> Decision:
    """The decision that replaces one reversed on appeal (by default the item is restored: allow)."""
    from dataclasses import replace

    decision = human_decision(policy, item_id, action, clause, None, original)
    if action == "allow":
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


def decision_row(decision: Decision, platform: str, *, source: str, source_ref: str = "", actor: str | None,
                 created_at: str, category: str | None) -> dict[str, Any]:
    """The ``decisions`` row for a decision; ``category`` is the one its clause names (None for allow)."""
    return {
        "platform": platform, "item_id": decision.id, "policy": decision.policy, "source": source,
        "source_ref": source_ref, "action": decision.action, "category": category,
        "automated": decision.automated, "actor": actor,
        "body": orjson.dumps(decision.to_dict(dsa=True)).decode(), "created_at": created_at,
    }
