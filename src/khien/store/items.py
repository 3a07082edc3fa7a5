"""Items and their decisions."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from sqlalchemy import func, select, tuple_, update

from .db import Tx, as_dict
from .schema import decisions, items

__all__ = [
    "insert_items",
    "get_item",
    "pending_items",
    "mark_decided",
    "insert_decisions",
    "latest_decision",
    "latest_decisions",
    "mark_decided_keys",
    "get_decision",
    "count_by_status",
    "decision_counts",
]


def insert_items(tx: Tx, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
    """Insert items that are not stored yet; returns the (platform, item_id) keys that were new."""
    if not rows:
        return set()
    stmt = tx.insert(items).on_conflict_do_nothing(index_elements=["platform", "item_id"])
    result = tx.conn.execute(stmt.returning(items.c.platform, items.c.item_id), list(rows))
    return {(r[0], r[1]) for r in result}


def get_item(tx: Tx, platform: str, item_id: str) -> dict[str, Any] | None:
    row = tx.conn.execute(
        select(items).where(items.c.platform == platform, items.c.item_id == item_id)
    ).first()
    return as_dict(row) if row else None


def pending_items(tx: Tx, limit: int) -> list[dict[str, Any]]:
    """The oldest items still waiting for the engine."""
    stmt = (
        select(items.c.pk, items.c.platform, items.c.item_id, items.c.body)
        .where(items.c.status == "pending")
        .order_by(items.c.pk)
        .limit(limit)
    )
    return [as_dict(r) for r in tx.conn.execute(stmt)]


def mark_decided(tx: Tx, pks: Iterable[int]) -> int:
    pks = list(pks)
    if not pks:
        return 0
    result = tx.conn.execute(
        update(items).where(items.c.pk.in_(pks), items.c.status == "pending").values(status="decided")
    )
    return result.rowcount


def insert_decisions(tx: Tx, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert decisions; a decision already recorded under the same key is skipped.

    Returns the rows that were new (with their ``id``), in no particular order.
    """
    if not rows:
        return []
    stmt = tx.insert(decisions).on_conflict_do_nothing(
        index_elements=["platform", "item_id", "policy", "source", "source_ref"]
    )
    result = tx.conn.execute(
        stmt.returning(decisions.c.id, decisions.c.platform, decisions.c.item_id, decisions.c.action),
        list(rows),
    )
    return [as_dict(r) for r in result]


def latest_decision(tx: Tx, platform: str, item_id: str) -> dict[str, Any] | None:
    """The decision in force for an item: the most recent one."""
    row = tx.conn.execute(
        select(decisions)
        .where(decisions.c.platform == platform, decisions.c.item_id == item_id)
        .order_by(decisions.c.id.desc())
        .limit(1)
    ).first()
    return as_dict(row) if row else None


def latest_decisions(tx: Tx, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The decision in force for each of several items (those with none are absent)."""
    if not keys:
        return {}
    rows = tx.conn.execute(
        select(decisions).where(tuple_(decisions.c.platform, decisions.c.item_id).in_(list(keys)))
        .order_by(decisions.c.id)
    )
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        out[(row.platform, row.item_id)] = as_dict(row)  # later ids overwrite earlier: the latest wins
    return out


def mark_decided_keys(tx: Tx, keys: Sequence[tuple[str, str]]) -> int:
    if not keys:
        return 0
    result = tx.conn.execute(
        update(items).where(tuple_(items.c.platform, items.c.item_id).in_(list(keys)), items.c.status == "pending")
        .values(status="decided")
    )
    return result.rowcount


def get_decision(tx: Tx, decision_id: int) -> dict[str, Any] | None:
    row = tx.conn.execute(select(decisions).where(decisions.c.id == decision_id)).first()
    return as_dict(row) if row else None


def count_by_status(tx: Tx) -> dict[str, int]:
    rows = tx.conn.execute(select(items.c.status, func.count()).group_by(items.c.status))
    return {status: n for status, n in rows}


def decision_counts(tx: Tx, source: str = "engine") -> dict[tuple[str, str], int]:
    """How many decisions of ``source`` each item has (the durability check reads this)."""
    rows = tx.conn.execute(
        select(decisions.c.platform, decisions.c.item_id, func.count())
        .where(decisions.c.source == source)
        .group_by(decisions.c.platform, decisions.c.item_id)
    )
    return {(p, i): n for p, i, n in rows}
