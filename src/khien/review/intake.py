"""Items in, engine decisions recorded: the path of ``POST /v1/moderate``, ``POST /v1/items`` and the worker.

An engine decision is recorded at most once per (platform, item id, policy version): the
``decisions`` table has that uniqueness, and everything that follows a decision (its case, its
audit event, its webhook) is written only for rows that insert actually added, in the same
transaction. A worker that dies half-way and re-runs a batch therefore changes nothing twice.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import orjson

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..engine import Engine
from ..model import Decision, Item
from ..policy import Policy
from ..store import Store, Tx
from ..store import items as item_rows
from ..store import review as review_rows
from ..store.clock import iso, now_ts
from . import outbox
from .actor import Actor
from .decisions import decision_row, item_subject, priority_base

__all__ = ["key_of", "moderate", "moderate_many", "ingest", "record_engine_decisions", "decide_pending", "item_state",
           "public_decision", "CASE_ACTIONS"]

CASE_ACTIONS = ("review", "remove")  # what a person must look at (review) or may want to check (remove)
MAX_REACH = 2**62  # reach is stored as a 64-bit integer; anything larger is "everyone" anyway
ENGINE_ACTOR = "system:engine"


def key_of(item: Item) -> tuple[str, str]:
    return (item.platform or "", item.id)


def public_decision(body: Mapping[str, Any] | str, *, dsa: bool = False) -> dict[str, Any]:
    """A stored decision as ``khien scan`` writes it (DSA fields only on request)."""
    out = orjson.loads(body) if isinstance(body, str) else dict(body)
    if not dsa:
        out.pop("dsa", None)
    return out


def _item_row(item: Item, status: str, when: str) -> dict[str, Any]:
    platform, ident = key_of(item)
    return {"platform": platform, "item_id": ident, "body": orjson.dumps(item.to_dict()).decode(), "status": status,
            "reach": min(item.reach_total, MAX_REACH), "received_at": when}


def record_engine_decisions(tx: Tx, policy: Policy, pairs: Sequence[tuple[Item, Decision]]) -> list[dict[str, Any]]:
    """Record engine decisions (skipping any already recorded), open their cases, audit and announce them."""
    when, now = iso(), now_ts()
    clauses = policy.clauses()
    rows = [decision_row(d, key_of(i)[0], source="engine", actor=None, created_at=when,
                         category=clauses.get(d.clause or "") if d.action != "allow" else None)
            for i, d in pairs]
    new = item_rows.insert_decisions(tx, rows)
    if not new:
        return []
    new_ids = {(r["platform"], r["item_id"]): r["id"] for r in new}
    events: list[AuditEvent] = []
    case_rows: list[dict[str, Any]] = []
    announced: list[dict[str, Any]] = []
    announce = outbox.wants(tx, "decision")
    for (item, decision), row in zip(pairs, rows):
        key = key_of(item)
        if key not in new_ids:
            continue
        category = row["category"]
        events.append(AuditEvent(ENGINE_ACTOR, item_subject(*key), ev.DecisionAutomated(
            decision=new_ids[key], action=decision.action, category=category,
            categories=tuple(c.name for c in decision.categories), rules=tuple(decision.rules),
            policy=decision.policy,
        )))
        if announce:
            announced.append({"platform": key[0], "item": key[1], "decision": public_decision(row["body"])})
        if decision.action in CASE_ACTIONS:
            severity = policy.categories[category].severity if category in policy.categories else 1
            case_rows.append({
                "platform": key[0], "item_id": key[1], "origin": f"engine:{decision.policy}", "category": category,
                "proposed_action": decision.action, "decision_id": new_ids[key], "severity": severity,
                "reach": min(item.reach_total, MAX_REACH), "priority_base": priority_base(severity, item.reach_total),
                "state": "open", "created_at": when, "created_ts": now,
            })
    case_ids = review_rows.insert_cases(tx, case_rows)
    for case_id, case in zip(case_ids, case_rows):
        events.append(AuditEvent(ENGINE_ACTOR, f"case:{case_id}", ev.CaseOpened(
            item=case["item_id"], platform=case["platform"], category=case["category"],
            proposed_action=case["proposed_action"], origin=case["origin"],
        )))
    record_many(tx, events, time=when)
    outbox.publish(tx, "decision", announced)
    return new


def moderate_many(tx: Tx, policy: Policy, pairs: Sequence[tuple[Item, Decision]]) -> list[tuple[dict[str, Any], bool]]:
    """Record engine decisions made now for items sent to ``POST /v1/moderate``, in one transaction.

    For each pair returns the decision in force (stored form, with DSA fields) and whether this
    call made it. An item already decided keeps its decision (idempotent on platform and id); an
    item stored earlier by a batch but not yet decided takes this decision; the same item twice
    in one call gets one decision.
    """
    when = iso()
    first: dict[tuple[str, str], int] = {}
    for n, (item, _decision) in enumerate(pairs):
        first.setdefault(key_of(item), n)
    unique = [pairs[n] for n in first.values()]
    new_keys = item_rows.insert_items(tx, [_item_row(item, "decided", when) for item, _ in unique])
    earlier = [k for k in first if k not in new_keys]
    current = item_rows.latest_decisions(tx, earlier)
    to_record = [(i, d) for i, d in unique if key_of(i) not in current]
    added = {(r["platform"], r["item_id"]) for r in record_engine_decisions(tx, policy, to_record)}
    item_rows.mark_decided_keys(tx, [k for k in earlier if k not in current])
    out = []
    for n, (item, decision) in enumerate(pairs):
        key = key_of(item)
        if key in current:
            out.append((orjson.loads(current[key]["body"]), False))
        else:
            chosen = pairs[first[key]][1]
            out.append((chosen.to_dict(dsa=True), first[key] == n and key in added))
    return out


def moderate(store: Store, engine: Engine, item: Item, actor: Actor) -> tuple[dict[str, Any], bool]:
    """Decide one item now. The same (platform, id) again returns the decision in force, unchanged.

    Returns the decision (stored form, with DSA fields) and whether it was made by this call.
    """
    decision = engine.decide(item)
    with store.write() as tx:
        return moderate_many(tx, engine.policy, [(item, decision)])[0]


def ingest(tx: Tx, items: Sequence[Item], actor: Actor) -> dict[str, int]:
    """Store a batch for the worker. Items already stored (same platform and id) are left as they are."""
    when = iso()
    rows, seen = [], set()
    for item in items:
        key = key_of(item)
        if key not in seen:
            seen.add(key)
            rows.append(_item_row(item, "pending", when))
    new = item_rows.insert_items(tx, rows)
    if new:
        record_many(tx, [AuditEvent(actor.name, f"batch:{len(new)}", ev.ItemsReceived(
            count=len(new), items=tuple(sorted(f"{p}:{i}" if p else i for p, i in new)),
        ))], time=when)
    return {"accepted": len(new), "duplicates": len(items) - len(new)}


def decide_pending(store: Store, engine: Engine, limit: int = 500) -> int:
    """Decide up to ``limit`` waiting items; returns how many were handled (0 when none wait).

    Reading, deciding and writing are separate steps on purpose: the engine runs outside any
    transaction, and the write is idempotent, so a crash anywhere leaves nothing half-done.
    """
    with store.read() as tx:
        pending = item_rows.pending_items(tx, limit)
    if not pending:
        return 0
    items = [Item.from_dict(orjson.loads(r["body"])) for r in pending]
    decisions = engine.decide_batch(items)
    with store.write() as tx:
        record_engine_decisions(tx, engine.policy, list(zip(items, decisions)))
        item_rows.mark_decided(tx, [r["pk"] for r in pending])
    return len(pending)


def item_state(tx: Tx, platform: str, item_id: str, *, dsa: bool = False) -> dict[str, Any] | None:
    stored = item_rows.get_item(tx, platform, item_id)
    if stored is None:
        return None
    current = item_rows.latest_decision(tx, platform, item_id)
    return {
        "id": item_id,
        "platform": platform or None,
        "status": stored["status"],
        "received_at": stored["received_at"],
        "item": orjson.loads(stored["body"]),
        "decision": public_decision(current["body"], dsa=dsa) if current else None,
    }
