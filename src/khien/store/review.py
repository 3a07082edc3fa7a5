"""Rows of the review side: cases, appeals and the legal-request ledger."""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import and_, func, or_, select, update

from .db import Tx, as_dict
from .schema import appeals, cases, legal_requests

__all__ = [
    "insert_cases",
    "list_cases",
    "get_case",
    "claim_case",
    "close_case",
    "cases_for_legal_request",
    "insert_appeal",
    "get_appeal",
    "list_appeals",
    "open_appeal_for",
    "close_appeal",
    "insert_legal_request",
    "get_legal_request",
    "list_legal_requests",
    "set_legal_status",
    "count_open_cases",
]

AGE_SCALE_S = 86_400.0  # priority grows by its base every day a case waits


# ---- cases -----------------------------------------------------------------------------------

def insert_cases(tx: Tx, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Open cases; an item already queued for the same origin is skipped. Returns the new ids."""
    if not rows:
        return []
    stmt = tx.insert(cases).on_conflict_do_nothing(index_elements=["platform", "item_id", "origin"])
    return [r[0] for r in tx.conn.execute(stmt.returning(cases.c.id), list(rows))]


def _priority(now: float):
    # severity × log(reach) × age factor, with age factor = 1 + age / 1 day
    return cases.c.priority_base * (1.0 + (now - cases.c.created_ts) / AGE_SCALE_S)


def list_cases(
    tx: Tx,
    *,
    now: float,
    state: str | None = "open",
    category: str | None = None,
    platform: str | None = None,
    claimed_by: str | None = None,
    unclaimed: bool = False,
    legal_request_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    priority = _priority(now).label("priority")
    stmt = select(cases, priority)
    if state:
        stmt = stmt.where(cases.c.state == state)
    if category:
        stmt = stmt.where(cases.c.category == category)
    if platform is not None:
        stmt = stmt.where(cases.c.platform == platform)
    if claimed_by:
        stmt = stmt.where(cases.c.claimed_by == claimed_by, cases.c.claim_expires_ts > now)
    if unclaimed:
        stmt = stmt.where(or_(cases.c.claimed_by.is_(None), cases.c.claim_expires_ts <= now))
    if legal_request_id is not None:
        stmt = stmt.where(cases.c.legal_request_id == legal_request_id)
    stmt = stmt.order_by(priority.desc(), cases.c.id).limit(limit).offset(offset)
    return [as_dict(r) for r in tx.conn.execute(stmt)]


def get_case(tx: Tx, case_id: int, *, now: float) -> dict[str, Any] | None:
    row = tx.conn.execute(select(cases, _priority(now).label("priority")).where(cases.c.id == case_id)).first()
    return as_dict(row) if row else None


def claim_case(tx: Tx, case_id: int, actor: str, *, now: float, expires: float) -> bool:
    """Take or renew the lock on an open case; False when someone else holds a live claim."""
    result = tx.conn.execute(
        update(cases)
        .where(
            cases.c.id == case_id,
            cases.c.state == "open",
            or_(cases.c.claimed_by.is_(None), cases.c.claim_expires_ts <= now, cases.c.claimed_by == actor),
        )
        .values(claimed_by=actor, claim_expires_ts=expires)
    )
    return result.rowcount == 1


def close_case(tx: Tx, case_id: int, actor: str, *, now: float, decided_at: str, decision_id: int,
               require_claim: bool = True) -> bool:
    """Mark a case decided, only if it is open and (unless overridden) ``actor`` holds a live claim."""
    cond = [cases.c.id == case_id, cases.c.state == "open"]
    if require_claim:
        cond.append(and_(cases.c.claimed_by == actor, cases.c.claim_expires_ts > now))
    result = tx.conn.execute(
        update(cases).where(*cond).values(
            state="decided", decided_by=actor, decided_at=decided_at, outcome_decision_id=decision_id,
            claimed_by=None, claim_expires_ts=None,
        )
    )
    return result.rowcount == 1


def cases_for_legal_request(tx: Tx, request_id: int) -> list[dict[str, Any]]:
    rows = tx.conn.execute(select(cases).where(cases.c.legal_request_id == request_id).order_by(cases.c.id))
    return [as_dict(r) for r in rows]


def count_open_cases(tx: Tx) -> int:
    return tx.conn.execute(select(func.count()).select_from(cases).where(cases.c.state == "open")).scalar_one()


# ---- appeals ---------------------------------------------------------------------------------

def insert_appeal(tx: Tx, row: dict[str, Any]) -> int:
    return int(tx.conn.execute(appeals.insert().values(**row)).inserted_primary_key[0])


def get_appeal(tx: Tx, appeal_id: int) -> dict[str, Any] | None:
    row = tx.conn.execute(select(appeals).where(appeals.c.id == appeal_id)).first()
    return as_dict(row) if row else None


def list_appeals(tx: Tx, *, state: str | None = "open", limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    stmt = select(appeals)
    if state:
        stmt = stmt.where(appeals.c.state == state)
    stmt = stmt.order_by(appeals.c.id).limit(limit).offset(offset)
    return [as_dict(r) for r in tx.conn.execute(stmt)]


def open_appeal_for(tx: Tx, platform: str, item_id: str) -> dict[str, Any] | None:
    row = tx.conn.execute(
        select(appeals).where(appeals.c.platform == platform, appeals.c.item_id == item_id, appeals.c.state == "open")
    ).first()
    return as_dict(row) if row else None


def close_appeal(tx: Tx, appeal_id: int, values: dict[str, Any]) -> bool:
    result = tx.conn.execute(
        update(appeals).where(appeals.c.id == appeal_id, appeals.c.state == "open").values(state="decided", **values)
    )
    return result.rowcount == 1


# ---- legal requests --------------------------------------------------------------------------

def insert_legal_request(tx: Tx, row: dict[str, Any]) -> int:
    return int(tx.conn.execute(legal_requests.insert().values(**row)).inserted_primary_key[0])


def get_legal_request(tx: Tx, request_id: int) -> dict[str, Any] | None:
    row = tx.conn.execute(select(legal_requests).where(legal_requests.c.id == request_id)).first()
    return as_dict(row) if row else None


def list_legal_requests(tx: Tx, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    rows = tx.conn.execute(select(legal_requests).order_by(legal_requests.c.id.desc()).limit(limit).offset(offset))
    return [as_dict(r) for r in rows]


def set_legal_status(tx: Tx, request_id: int, status: str) -> None:
    tx.conn.execute(update(legal_requests).where(legal_requests.c.id == request_id).values(status=status))


# ---- shared SQL expressions (console helper's MINIMAL stand-ins; the "services" helper owns these) ----
# Added on the console branch only so store/console.py can call the one definition by name. When the
# branches merge, keep the services helper's ``live_claim`` / ``priority`` and drop these two.

def live_claim(now: float):
    """SQL: the case is held by someone whose claim has not lapsed at ``now``."""
    return and_(cases.c.claimed_by.is_not(None), cases.c.claim_expires_ts > now)


def priority(now: float):
    """SQL: the queue's priority at ``now`` (severity × log(reach) × age factor)."""
    return _priority(now)
