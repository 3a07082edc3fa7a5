"""Read-side queries of the moderator console that the review API does not need.

The queue with each case's item (to show a snippet), filtered by where the case came from; an
author's earlier decisions on one platform; counts for the navigation. Writes go through
``khien.review`` like the API's do.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, cast, func, literal, or_, select
from sqlalchemy.dialects import postgresql

from .db import Tx, as_dict
from .review import AGE_SCALE_S
from .schema import appeals, audit_events, cases, decisions, items

__all__ = ["SOURCES", "queue", "author_history", "counts", "next_unclaimed", "recent_events"]

# The queue's "source" filter: the prefix of ``cases.origin`` each source is stored under.
SOURCES = {"automated": "engine:", "report": "report:", "legal": "legal:", "appeal": "appeal:"}


def _priority(now: float):
    return cases.c.priority_base * (1.0 + (now - cases.c.created_ts) / AGE_SCALE_S)


def queue(tx: Tx, *, now: float, category: str | None = None, action: str | None = None,
          source: str | None = None, claimed_by: str | None = None, limit: int = 100,
          offset: int = 0) -> list[dict[str, Any]]:
    """Open cases by priority with their item body (``item_body``, JSON text or ``None``)."""
    priority = _priority(now).label("priority")
    stmt = (
        select(cases, priority, items.c.body.label("item_body"))
        .select_from(cases.outerjoin(items, and_(items.c.platform == cases.c.platform,
                                                 items.c.item_id == cases.c.item_id)))
        .where(cases.c.state == "open")
    )
    if category:
        stmt = stmt.where(cases.c.category == category)
    if action:
        stmt = stmt.where(cases.c.proposed_action == action)
    if source in SOURCES:
        stmt = stmt.where(cases.c.origin.startswith(SOURCES[source], autoescape=True))
    if claimed_by:
        stmt = stmt.where(cases.c.claimed_by == claimed_by, cases.c.claim_expires_ts > now)
    stmt = stmt.order_by(priority.desc(), cases.c.id).limit(limit).offset(offset)
    return [as_dict(r) for r in tx.conn.execute(stmt)]


def _author_id(tx: Tx):
    if tx.dialect == "postgresql":
        return cast(items.c.body, postgresql.JSONB)["author"]["id"].astext
    return cast(func.json_extract(items.c.body, "$.author.id"), String)


def author_history(tx: Tx, *, platform: str, author_id: str, exclude_item: str,
                   limit: int = 20) -> list[dict[str, Any]]:
    """Moderation decisions on the author's other items on ``platform``, newest first.

    Only decisions: never what the author wrote elsewhere, and nothing from other platforms.
    A platform with many items wants an ``author_id`` column with an index here.
    """
    stmt = (
        select(decisions.c.id, decisions.c.item_id, decisions.c.action, decisions.c.category,
               decisions.c.automated, decisions.c.actor, decisions.c.source, decisions.c.created_at)
        .select_from(decisions.join(items, and_(items.c.platform == decisions.c.platform,
                                                items.c.item_id == decisions.c.item_id)))
        .where(items.c.platform == platform, items.c.item_id != exclude_item,
               _author_id(tx) == literal(author_id))
        .order_by(decisions.c.id.desc())
        .limit(limit)
    )
    return [as_dict(r) for r in tx.conn.execute(stmt)]


def counts(tx: Tx, *, now: float, actor: str | None = None) -> dict[str, int]:
    """Open cases, open appeals, and the cases ``actor`` holds a live claim on."""
    open_cases = tx.conn.execute(select(func.count()).select_from(cases).where(cases.c.state == "open")).scalar_one()
    open_appeals = tx.conn.execute(
        select(func.count()).select_from(appeals).where(appeals.c.state == "open")).scalar_one()
    mine = 0
    if actor:
        mine = tx.conn.execute(select(func.count()).select_from(cases).where(
            cases.c.state == "open", cases.c.claimed_by == actor, cases.c.claim_expires_ts > now)).scalar_one()
    return {"cases": int(open_cases), "appeals": int(open_appeals), "mine": int(mine)}


def next_unclaimed(tx: Tx, *, now: float, category: str | None = None, action: str | None = None,
                   source: str | None = None) -> list[int]:
    """Ids of the first few open cases nobody holds a live claim on, by priority (to claim the next one)."""
    priority = _priority(now)
    stmt = select(cases.c.id).where(
        cases.c.state == "open",
        or_(cases.c.claimed_by.is_(None), cases.c.claim_expires_ts <= now),
    )
    if category:
        stmt = stmt.where(cases.c.category == category)
    if action:
        stmt = stmt.where(cases.c.proposed_action == action)
    if source in SOURCES:
        stmt = stmt.where(cases.c.origin.startswith(SOURCES[source], autoescape=True))
    stmt = stmt.order_by(priority.desc(), cases.c.id).limit(5)
    return [r[0] for r in tx.conn.execute(stmt)]


def recent_events(tx: Tx, *, before: int | None = None, limit: int = 100, type: str | None = None,
                  subject: str | None = None) -> list[dict[str, Any]]:
    """Audit events newest first (``seq < before`` when given), for reading; ``khien.audit`` verifies."""
    stmt = select(audit_events)
    if before:
        stmt = stmt.where(audit_events.c.seq < before)
    if type:
        stmt = stmt.where(audit_events.c.type == type)
    if subject:
        stmt = stmt.where(audit_events.c.subject == subject)
    return [as_dict(r) for r in tx.conn.execute(stmt.order_by(audit_events.c.seq.desc()).limit(limit))]
