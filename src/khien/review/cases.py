"""Cases: what a person must look at. Open → claimed (an expiring lock) → decided.

A claim lasts ``ttl`` seconds and can be renewed by its holder; when it lapses anyone may take the
case. Deciding needs a live claim (admins may decide without one), so two moderators never decide
the same case at once.
"""

from __future__ import annotations

from typing import Any

import orjson

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..errors import ConflictError, NotFoundError
from ..policy import Policy
from ..store import Tx
from ..store import items as item_rows
from ..store import review as rows
from ..store.clock import iso, now_ts
from . import legal, outbox
from .actor import Actor
from .decisions import decision_row, human_decision, item_subject
from .intake import public_decision

__all__ = ["list_cases", "get_case", "claim", "decide", "DEFAULT_CLAIM_TTL_S"]

DEFAULT_CLAIM_TTL_S = 900.0


def _public(case: dict[str, Any], now: float) -> dict[str, Any]:
    claimed = case["claimed_by"] if case["claimed_by"] and (case["claim_expires_ts"] or 0) > now else None
    return {
        "id": case["id"],
        "item": {"id": case["item_id"], "platform": case["platform"] or None},
        "state": case["state"],
        "origin": case["origin"].split(":", 1)[0],
        "category": case["category"],
        "proposed_action": case["proposed_action"],
        "severity": case["severity"],
        "reach": case["reach"],
        "priority": round(float(case.get("priority") or case["priority_base"]), 4),
        "created_at": case["created_at"],
        "claimed_by": claimed,
        "claim_expires_at": iso(case["claim_expires_ts"]) if claimed else None,
        "decided_by": case["decided_by"],
        "decided_at": case["decided_at"],
        "legal_request": case["legal_request_id"],
    }


def list_cases(tx: Tx, *, state: str | None = "open", category: str | None = None, platform: str | None = None,
               claimed_by: str | None = None, unclaimed: bool = False, limit: int = 50,
               offset: int = 0) -> list[dict[str, Any]]:
    """Cases by priority (severity × log(reach) × age factor), highest first."""
    now = now_ts()
    found = rows.list_cases(tx, now=now, state=state, category=category, platform=platform, claimed_by=claimed_by,
                            unclaimed=unclaimed, limit=limit, offset=offset)
    return [_public(c, now) for c in found]


def get_case(tx: Tx, case_id: int) -> dict[str, Any]:
    """A case with its item and the decision under review."""
    now = now_ts()
    case = rows.get_case(tx, case_id, now=now)
    if case is None:
        raise NotFoundError(f"case {case_id} does not exist")
    out = _public(case, now)
    stored = item_rows.get_item(tx, case["platform"], case["item_id"])
    out["item"]["content"] = orjson.loads(stored["body"]) if stored else None
    under_review = item_rows.get_decision(tx, case["decision_id"]) if case["decision_id"] else None
    out["decision"] = public_decision(under_review["body"]) if under_review else None
    outcome = item_rows.get_decision(tx, case["outcome_decision_id"]) if case["outcome_decision_id"] else None
    out["outcome"] = public_decision(outcome["body"]) if outcome else None
    return out


def claim(tx: Tx, actor: Actor, case_id: int, *, ttl: float = DEFAULT_CLAIM_TTL_S) -> dict[str, Any]:
    """Take (or renew) the lock on a case for ``ttl`` seconds. 409 when another live claim holds it."""
    now = now_ts()
    if not rows.claim_case(tx, case_id, actor.name, now=now, expires=now + ttl):
        case = rows.get_case(tx, case_id, now=now)
        if case is None:
            raise NotFoundError(f"case {case_id} does not exist")
        if case["state"] != "open":
            raise ConflictError(f"case {case_id} is already decided (by {case['decided_by']})")
        raise ConflictError(
            f"case {case_id} is claimed by {case['claimed_by']} until {iso(case['claim_expires_ts'])}",
            hint="Pick another case, or wait until the claim expires.",
        )
    record_many(tx, [AuditEvent(actor.name, f"case:{case_id}", ev.CaseClaimed(expires_at=iso(now + ttl)))])
    return _public(rows.get_case(tx, case_id, now=now), now)


def decide(tx: Tx, policy: Policy, actor: Actor, case_id: int, *, action: str, clause: str | None,
           note: str | None = None) -> dict[str, Any]:
    """Record a person's decision on a claimed case; returns the case with its outcome."""
    now, when = now_ts(), iso()
    case = rows.get_case(tx, case_id, now=now)
    if case is None:
        raise NotFoundError(f"case {case_id} does not exist")
    if case["state"] != "open":
        raise ConflictError(f"case {case_id} is already decided (by {case['decided_by']})")
    holds = case["claimed_by"] == actor.name and (case["claim_expires_ts"] or 0) > now
    if not holds and actor.role != "admin":
        raise ConflictError(
            f"case {case_id} must be claimed by you before you decide it"
            + (f"; it is claimed by {case['claimed_by']}" if case["claimed_by"] and case["claim_expires_ts"] > now else ""),
            hint=f"POST /v1/cases/{case_id}/claim first.",
        )
    original = item_rows.get_decision(tx, case["decision_id"]) if case["decision_id"] else None
    original_body = orjson.loads(original["body"]) if original else None
    stored = item_rows.get_item(tx, case["platform"], case["item_id"])
    created_at = orjson.loads(stored["body"]).get("created_at") if stored else None
    source_type = "SOURCE_TYPE_OTHER_NOTIFICATION" if case["legal_request_id"] else "SOURCE_VOLUNTARY"
    decision = human_decision(policy, case["item_id"], action, clause, note, original_body,
                              created_at=created_at, source_type=source_type)
    category = policy.clauses().get(clause or "") if action != "allow" else None
    row = decision_row(decision, case["platform"], source="case", source_ref=str(case_id), actor=actor.name,
                       created_at=when, category=category)
    new = item_rows.insert_decisions(tx, [row])
    if not new or not rows.close_case(tx, case_id, actor.name, now=now, decided_at=when, decision_id=new[0]["id"],
                                      require_claim=not (actor.role == "admin" and not holds)):
        raise ConflictError(f"case {case_id} was decided by someone else a moment ago")
    record_many(tx, [AuditEvent(actor.name, f"case:{case_id}", ev.CaseDecided(
        item=case["item_id"], platform=case["platform"], subject=item_subject(case["platform"], case["item_id"]),
        decision=new[0]["id"], action=action, clause=decision.clause, category=category,
        proposed_action=case["proposed_action"], automated=False, legal_request=case["legal_request_id"],
    ))], time=when)
    outbox.publish(tx, "decision", [{"platform": case["platform"], "item": case["item_id"],
                                     "decision": public_decision(row["body"])}])
    if case["legal_request_id"]:
        legal.case_decided(tx, actor, case["legal_request_id"], case_id, action)
    return get_case(tx, case_id)
