"""Read-side queries of the moderator console that the review API does not need.

The queue with each case's item (to show a snippet), filtered by where the case came from; an
author's earlier decisions on one platform; counts for the navigation; the audit log newest first.
Every function returns frozen records, never rows as dicts. The live-claim predicate and the
priority expression come from :mod:`khien.store.review` (one definition each); this module never
writes them again. Writes go through ``khien.review`` like the API's do; the console reaches these
queries through :mod:`khien.review.queries`, never directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, and_, case, cast, func, literal, not_, select
from sqlalchemy.dialects import postgresql

from .db import Tx
from .review import live_claim, priority
from ..enums import AppealState, CaseState
from .schema import appeals, cases, decisions, item_versions, items

__all__ = ["SOURCES", "QueueRow", "HistoryRow", "Counts", "queue", "author_history", "counts",
           "next_unclaimed"]

# The queue's "source" filter: the prefix of ``cases.origin`` each source is stored under.
SOURCES = {"automated": "engine:", "report": "reports:", "legal": "legal:", "appeal": "appeal:",
           "campaign": "campaign"}


@dataclass(frozen=True, slots=True)
class QueueRow:
    """An open case as the queue lists it. ``holder`` is set only while a claim is live."""

    id: int
    platform: str
    item_id: str
    origin: str  # as stored: ``engine:<policy>``, ``legal:<id>`` …
    category: str | None
    proposed_action: str | None
    severity: int
    reach: int
    priority: float
    created_at: str
    holder: str | None
    claim_expires_ts: float | None
    item_body: str | None  # the JSON of the version the case judges, None when the item is not stored

    @property
    def source(self) -> str:
        """``engine``, ``legal``, ``report`` or ``appeal``: the origin without its reference."""
        return self.origin.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One moderation decision on another item of the same author (never that item's text)."""

    id: int
    item_id: str
    action: str
    category: str | None
    automated: bool
    actor: str | None
    source: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Counts:
    """What the navigation shows: open cases, open appeals, the live claims of one person."""

    cases: int
    appeals: int
    mine: int


def _filtered(stmt, *, category: str | None, action: str | None, source: str | None):
    if category:
        stmt = stmt.where(cases.c.category == category)
    if action:
        stmt = stmt.where(cases.c.proposed_action == action)
    if source in SOURCES:
        stmt = stmt.where(cases.c.origin.startswith(SOURCES[source], autoescape=True))
    return stmt


def queue(tx: Tx, *, now: float, category: str | None = None, action: str | None = None,
          source: str | None = None, claimed_by: str | None = None, limit: int = 100,
          offset: int = 0) -> list[QueueRow]:
    """Open cases by priority, highest first, with their item body; ``claimed_by`` keeps that person's live claims."""
    rank = priority(now).label("priority")
    held = live_claim(now)
    stmt = (
        select(cases.c.id, cases.c.platform, cases.c.item_id, cases.c.origin, cases.c.category,
               cases.c.proposed_action, cases.c.severity, cases.c.reach, rank, cases.c.created_at,
               case((held, cases.c.claimed_by), else_=None).label("holder"),
               case((held, cases.c.claim_expires_ts), else_=None).label("claim_expires_ts"),
               item_versions.c.body.label("item_body"))
        # the text of the version the case judges, not the item's current one
        .select_from(cases.outerjoin(item_versions, and_(item_versions.c.platform == cases.c.platform,
                                                         item_versions.c.item_id == cases.c.item_id,
                                                         item_versions.c.version == cases.c.item_version)))
        .where(cases.c.state == CaseState.OPEN)
    )
    stmt = _filtered(stmt, category=category, action=action, source=source)
    if claimed_by:
        stmt = stmt.where(cases.c.claimed_by == claimed_by, held)
    stmt = stmt.order_by(rank.desc(), cases.c.id).limit(limit).offset(offset)
    return [QueueRow(id=r.id, platform=r.platform, item_id=r.item_id, origin=r.origin, category=r.category,
                     proposed_action=r.proposed_action, severity=int(r.severity), reach=int(r.reach),
                     priority=float(r.priority), created_at=r.created_at, holder=r.holder,
                     claim_expires_ts=r.claim_expires_ts, item_body=r.item_body)
            for r in tx.conn.execute(stmt)]


def _author_id(tx: Tx):
    if tx.dialect == "postgresql":
        return cast(items.c.body, postgresql.JSONB)["author"]["id"].astext
    return cast(func.json_extract(items.c.body, "$.author.id"), String)


def author_history(tx: Tx, *, platform: str, author_id: str, exclude_item: str,
                   limit: int = 20) -> list[HistoryRow]:
    """Moderation decisions on the author's other items on ``platform``, newest first.

    Only decisions: never what the author wrote elsewhere, and nothing from other platforms.
    A platform with many items wants an ``author_id`` column with an index here.
    """
    stmt = (
        select(decisions.c.id, decisions.c.item_id, decisions.c.action, decisions.c.category,
               decisions.c.automated, decisions.c.actor, decisions.c.source, decisions.c.created_at)
        .select_from(decisions.join(items, and_(items.c.platform == decisions.c.platform,
                                                items.c.item_id == decisions.c.item_id,
                                                decisions.c.subject_kind == "item")))
        .where(items.c.platform == platform, items.c.item_id != exclude_item,
               _author_id(tx) == literal(author_id))
        .order_by(decisions.c.id.desc())
        .limit(limit)
    )
    return [HistoryRow(id=r.id, item_id=r.item_id, action=r.action, category=r.category, automated=bool(r.automated),
                       actor=r.actor, source=r.source, created_at=r.created_at)
            for r in tx.conn.execute(stmt)]


def counts(tx: Tx, *, now: float, actor: str | None = None) -> Counts:
    """Open cases, open appeals, and the cases ``actor`` holds a live claim on."""
    open_cases = tx.conn.execute(select(func.count()).select_from(cases).where(cases.c.state == CaseState.OPEN)).scalar_one()
    open_appeals = tx.conn.execute(
        select(func.count()).select_from(appeals).where(appeals.c.state == AppealState.OPEN)).scalar_one()
    mine = 0
    if actor:
        mine = tx.conn.execute(select(func.count()).select_from(cases).where(
            cases.c.state == CaseState.OPEN, cases.c.claimed_by == actor, live_claim(now))).scalar_one()
    return Counts(cases=int(open_cases), appeals=int(open_appeals), mine=int(mine))


def next_unclaimed(tx: Tx, *, now: float, category: str | None = None, action: str | None = None,
                   source: str | None = None, limit: int = 5) -> list[int]:
    """Ids of the first few open cases nobody holds a live claim on, by priority (to claim the next one)."""
    stmt = select(cases.c.id).where(cases.c.state == CaseState.OPEN, not_(live_claim(now)))
    stmt = _filtered(stmt, category=category, action=action, source=source)
    stmt = stmt.order_by(priority(now).desc(), cases.c.id).limit(limit)
    return [r[0] for r in tx.conn.execute(stmt)]

