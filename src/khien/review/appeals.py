"""Appeals: a user contests the decision in force on an item; a different person decides.

The rule: whoever made the decision under appeal may not decide the appeal (for an automated
decision any moderator may). ``upheld`` leaves the decision in force; ``reversed`` records a new
human decision (by default ``allow``: the item is restored).
"""

from __future__ import annotations

from typing import Any

import orjson

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..errors import ConflictError, InputError, NotFoundError, PermissionDenied
from ..policy import Policy
from ..store import Tx
from ..store import items as item_rows
from ..store import review as rows
from ..store.clock import iso
from . import outbox
from .actor import Actor
from .decisions import decision_row, item_subject, restored_decision
from .intake import public_decision

__all__ = ["submit", "get_appeal", "list_appeals", "decide", "OUTCOMES"]

OUTCOMES = ("upheld", "reversed")


def _public(appeal: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": appeal["id"],
        "item": {"id": appeal["item_id"], "platform": appeal["platform"] or None},
        "statement": appeal["statement"],
        "state": appeal["state"],
        "submitted_by": appeal["submitted_by"],
        "created_at": appeal["created_at"],
        "original_decision": appeal["original_decision_id"],
        "original_decider": appeal["original_decider"],
        "outcome": appeal["outcome"],
        "reversed": appeal["outcome"] == "reversed" if appeal["outcome"] else None,
        "decided_by": appeal["decided_by"],
        "decided_at": appeal["decided_at"],
        "note": appeal["note"],
    }


def submit(tx: Tx, actor: Actor, *, item_id: str, platform: str | None, statement: str) -> dict[str, Any]:
    platform = platform or ""
    if not statement.strip():
        raise InputError("field 'statement' must say why the decision is wrong", field="statement")
    current = item_rows.latest_decision(tx, platform, item_id)
    if current is None:
        raise NotFoundError(f"item {item_id!r}{' on ' + platform if platform else ''} has no decision to appeal")
    if current["action"] == "allow":
        raise ConflictError(f"item {item_id!r} is allowed: there is no action to appeal")
    if rows.open_appeal_for(tx, platform, item_id) is not None:
        raise ConflictError(f"item {item_id!r} already has an open appeal")
    when = iso()
    appeal_id = rows.insert_appeal(tx, {
        "platform": platform, "item_id": item_id, "statement": statement, "submitted_by": actor.name,
        "state": "open", "original_decision_id": current["id"],
        "original_decider": None if current["automated"] else current["actor"], "created_at": when,
    })
    record_many(tx, [AuditEvent(actor.name, f"appeal:{appeal_id}", ev.AppealSubmitted(
        item=item_id, platform=platform, decision=current["id"], action=current["action"],
        category=current["category"], automated=bool(current["automated"]),
    ))], time=when)
    return _public(rows.get_appeal(tx, appeal_id))


def get_appeal(tx: Tx, appeal_id: int) -> dict[str, Any]:
    appeal = rows.get_appeal(tx, appeal_id)
    if appeal is None:
        raise NotFoundError(f"appeal {appeal_id} does not exist")
    out = _public(appeal)
    original = item_rows.get_decision(tx, appeal["original_decision_id"])
    out["decision"] = public_decision(original["body"]) if original else None
    outcome = item_rows.get_decision(tx, appeal["outcome_decision_id"]) if appeal["outcome_decision_id"] else None
    out["new_decision"] = public_decision(outcome["body"]) if outcome else None
    return out


def list_appeals(tx: Tx, *, state: str | None = "open", limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    return [_public(a) for a in rows.list_appeals(tx, state=state, limit=limit, offset=offset)]


def decide(tx: Tx, policy: Policy, actor: Actor, appeal_id: int, *, outcome: str, note: str | None = None,
           action: str = "allow", clause: str | None = None) -> dict[str, Any]:
    """Decide an open appeal. 403 for the person who made the decision under appeal."""
    if outcome not in OUTCOMES:
        raise InputError(f"field 'outcome' must be one of {', '.join(OUTCOMES)}, found {outcome!r}", field="outcome")
    appeal = rows.get_appeal(tx, appeal_id)
    if appeal is None:
        raise NotFoundError(f"appeal {appeal_id} does not exist")
    if appeal["state"] != "open":
        raise ConflictError(f"appeal {appeal_id} is already decided ({appeal['outcome']}, by {appeal['decided_by']})")
    if appeal["original_decider"] and appeal["original_decider"] == actor.name:
        raise PermissionDenied(
            f"appeal {appeal_id} contests a decision you made; a different moderator must decide it",
            hint="Leave it in the queue for a colleague.",
        )
    original = item_rows.get_decision(tx, appeal["original_decision_id"])
    original_body = orjson.loads(original["body"])
    when = iso()
    new_decision_id = None
    new_action = original["action"]
    if outcome == "reversed":
        if action == original["action"]:
            raise InputError(f"a reversal must change the action; the decision under appeal is already '{action}'",
                             field="action")
        decision = restored_decision(policy, appeal["item_id"], original_body, action, clause, note)
        category = policy.clauses().get(clause or "") if action != "allow" else None
        row = decision_row(decision, appeal["platform"], source="appeal", source_ref=str(appeal_id),
                           actor=actor.name, created_at=when, category=category)
        new_decision_id = item_rows.insert_decisions(tx, [row])[0]["id"]
        new_action = action
    if not rows.close_appeal(tx, appeal_id, {"outcome": outcome, "decided_by": actor.name, "note": note,
                                            "decided_at": when, "outcome_decision_id": new_decision_id}):
        raise ConflictError(f"appeal {appeal_id} was decided by someone else a moment ago")
    record_many(tx, [AuditEvent(actor.name, f"appeal:{appeal_id}", ev.AppealDecided(
        item=appeal["item_id"], platform=appeal["platform"],
        subject=item_subject(appeal["platform"], appeal["item_id"]), outcome=outcome,
        reversed=outcome == "reversed", original_action=original["action"], new_action=new_action,
        category=original["category"], original_automated=bool(original["automated"]),
        decision=new_decision_id,
    ))], time=when)
    result = get_appeal(tx, appeal_id)
    outbox.publish(tx, "appeal", [{"platform": appeal["platform"], "item": appeal["item_id"], "appeal": {
        k: result[k] for k in ("id", "outcome", "reversed", "decided_by", "decided_at")
    } | {"original_action": original["action"], "new_action": new_action}, "decision": result["new_decision"]}])
    return result
