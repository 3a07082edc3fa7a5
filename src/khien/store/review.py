"""Rows of the review side: cases, appeals and the legal-request ledger, as typed records.

Two facts about cases are SQL expressions written once, here: :func:`priority` (severity ×
log(reach) × age factor) and :func:`live_claim` (someone holds an unexpired claim). Every query that
orders the queue or filters by claims uses them; :func:`khien.store.records.claim_is_live` is the
same rule in Python.
"""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import ColumnElement, and_, func, not_, select, update

from ..enums import AppealState, CaseState, LegalStatus
from .bulk import insert_rows
from .db import Tx
from .records import Appeal, Case, LegalRequest, NewCase
from .schema import appeals, cases, legal_requests

__all__ = [
    "AGE_SCALE_S",
    "priority",
    "live_claim",
    "claimable_by",
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
OPEN, DECIDED = CaseState.OPEN.value, CaseState.DECIDED.value


# ---- the two shared expressions ----------------------------------------------------------------

def priority(now: float) -> ColumnElement[float]:
    """severity × log(reach) × age factor, with age factor = 1 + age / 1 day."""
    return cases.c.priority_base * (1.0 + (now - cases.c.created_ts) / AGE_SCALE_S)


def live_claim(now: float) -> ColumnElement[bool]:
    """Someone holds an unexpired claim on the case at ``now`` (``records.claim_is_live`` in SQL)."""
    return and_(cases.c.claimed_by.is_not(None), cases.c.claim_expires_ts > now)


def claimable_by(actor: str, now: float) -> ColumnElement[bool]:
    """Nobody else holds a live claim: free, lapsed, or already ``actor``'s (who may renew it)."""
    return not_(and_(live_claim(now), cases.c.claimed_by != actor))


# ---- cases -------------------------------------------------------------------------------------

def insert_cases(tx: Tx, new: Sequence[NewCase], *, any_clash: bool = False) -> dict[int, NewCase]:
    """Open cases; a version of an item already queued for the same origin is skipped (another
    version of it is not: an edit may be judged apart from the text it replaced). ``any_clash``:
    a case that clashes with any unique index is skipped (a report case whose subject has an open
    report case since this transaction looked, see ``uq_cases_open_report``).

    Returns the new cases by id (insertion order).
    """
    if not new:
        return {}
    result = insert_rows(tx, cases, [n.row() for n in new],
                         conflict=() if any_clash else ("subject_kind", "platform", "item_id", "item_version", "origin"),
                         returning=("id", "platform", "item_id", "item_version", "origin"))
    by_key = {(n.platform, n.item_id, n.item_version, n.origin): n for n in new}
    return {r.id: by_key[(r.platform, r.item_id, int(r.item_version), r.origin)]
            for r in sorted(result, key=lambda r: r.id)}


def list_cases(
    tx: Tx,
    *,
    now: float,
    state: CaseState | None = CaseState.OPEN,
    category: str | None = None,
    platform: str | None = None,
    claimed_by: str | None = None,
    unclaimed: bool = False,
    legal_request_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Case]:
    """Cases by priority, highest first."""
    prio = priority(now).label("priority")
    stmt = select(cases, prio)
    if state:
        stmt = stmt.where(cases.c.state == CaseState(state).value)
    if category:
        stmt = stmt.where(cases.c.category == category)
    if platform is not None:
        stmt = stmt.where(cases.c.platform == platform)
    if claimed_by:
        stmt = stmt.where(cases.c.claimed_by == claimed_by, live_claim(now))
    if unclaimed:
        stmt = stmt.where(not_(live_claim(now)))
    if legal_request_id is not None:
        stmt = stmt.where(cases.c.legal_request_id == legal_request_id)
    stmt = stmt.order_by(prio.desc(), cases.c.id).limit(limit).offset(offset)
    return [Case.from_row(r) for r in tx.conn.execute(stmt)]


def get_case(tx: Tx, case_id: int, *, now: float) -> Case | None:
    row = tx.conn.execute(select(cases, priority(now).label("priority")).where(cases.c.id == case_id)).first()
    return Case.from_row(row) if row else None


def claim_case(tx: Tx, case_id: int, actor: str, *, now: float, expires: float) -> bool:
    """Take or renew the lock on an open case; False when someone else holds a live claim."""
    result = tx.conn.execute(
        update(cases)
        .where(cases.c.id == case_id, cases.c.state == OPEN, claimable_by(actor, now))
        .values(claimed_by=actor, claim_expires_ts=expires)
    )
    return result.rowcount == 1


def close_case(tx: Tx, case_id: int, actor: str, *, now: float, decided_at: str, decision_id: int,
               require_claim: bool = True) -> bool:
    """open → decided, only if the case is open and (unless overridden) ``actor`` holds a live claim.

    The state in the WHERE clause is the guard against a concurrent decision; the transition itself
    is checked by ``khien.review.lifecycle`` before this is called.
    """
    cond = [cases.c.id == case_id, cases.c.state == OPEN]
    if require_claim:
        cond += [cases.c.claimed_by == actor, live_claim(now)]
    result = tx.conn.execute(
        update(cases).where(*cond).values(
            state=DECIDED, decided_by=actor, decided_at=decided_at, outcome_decision_id=decision_id,
            claimed_by=None, claim_expires_ts=None,
        )
    )
    return result.rowcount == 1


def cases_for_legal_request(tx: Tx, request_id: int) -> list[Case]:
    rows = tx.conn.execute(select(cases).where(cases.c.legal_request_id == request_id).order_by(cases.c.id))
    return [Case.from_row(r) for r in rows]


def count_open_cases(tx: Tx) -> int:
    return tx.conn.execute(select(func.count()).select_from(cases).where(cases.c.state == OPEN)).scalar_one()


# ---- appeals ---------------------------------------------------------------------------------

def insert_appeal(tx: Tx, *, platform: str, item_id: str, statement: str, submitted_by: str,
                  original_decision_id: int, original_decider: str | None, created_at: str) -> int:
    """File an open appeal; returns its id."""
    values: dict[str, Any] = dict(platform=platform, item_id=item_id, statement=statement, submitted_by=submitted_by,
                                  original_decision_id=original_decision_id, original_decider=original_decider,
                                  created_at=created_at, state=AppealState.OPEN.value)
    return int(tx.conn.execute(appeals.insert().values(**values)).inserted_primary_key[0])


def get_appeal(tx: Tx, appeal_id: int) -> Appeal | None:
    row = tx.conn.execute(select(appeals).where(appeals.c.id == appeal_id)).first()
    return Appeal.from_row(row) if row else None


def list_appeals(tx: Tx, *, state: AppealState | None = AppealState.OPEN, limit: int = 50,
                 offset: int = 0) -> list[Appeal]:
    stmt = select(appeals)
    if state:
        stmt = stmt.where(appeals.c.state == AppealState(state).value)
    stmt = stmt.order_by(appeals.c.id).limit(limit).offset(offset)
    return [Appeal.from_row(r) for r in tx.conn.execute(stmt)]


def open_appeal_for(tx: Tx, platform: str, item_id: str) -> Appeal | None:
    row = tx.conn.execute(
        select(appeals).where(appeals.c.platform == platform, appeals.c.item_id == item_id,
                              appeals.c.state == AppealState.OPEN.value)
    ).first()
    return Appeal.from_row(row) if row else None


def close_appeal(tx: Tx, appeal_id: int, *, outcome: str, decided_by: str, note: str | None, decided_at: str,
                 outcome_decision_id: int | None) -> bool:
    """open → decided; False when the appeal was no longer open (decided concurrently)."""
    result = tx.conn.execute(
        update(appeals).where(appeals.c.id == appeal_id, appeals.c.state == AppealState.OPEN.value).values(
            state=AppealState.DECIDED.value, outcome=outcome, decided_by=decided_by, note=note,
            decided_at=decided_at, outcome_decision_id=outcome_decision_id,
        )
    )
    return result.rowcount == 1


# ---- legal requests --------------------------------------------------------------------------

def insert_legal_request(tx: Tx, *, authority: str, legal_basis: str, requested_action: str, deadline: str,
                         items_json: str, reference: str | None, created_by: str, created_at: str) -> int:
    values: dict[str, Any] = dict(authority=authority, legal_basis=legal_basis, requested_action=requested_action,
                                  deadline=deadline, items=items_json, reference=reference, created_by=created_by,
                                  created_at=created_at, status=LegalStatus.OPEN.value)
    return int(tx.conn.execute(legal_requests.insert().values(**values)).inserted_primary_key[0])


def get_legal_request(tx: Tx, request_id: int) -> LegalRequest | None:
    row = tx.conn.execute(select(legal_requests).where(legal_requests.c.id == request_id)).first()
    return LegalRequest.from_row(row) if row else None


def list_legal_requests(tx: Tx, *, limit: int = 50, offset: int = 0) -> list[LegalRequest]:
    rows = tx.conn.execute(select(legal_requests).order_by(legal_requests.c.id.desc()).limit(limit).offset(offset))
    return [LegalRequest.from_row(r) for r in rows]


def set_legal_status(tx: Tx, request_id: int, status: LegalStatus) -> None:
    tx.conn.execute(update(legal_requests).where(legal_requests.c.id == request_id).values(status=status.value))
