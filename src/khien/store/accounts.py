"""Accounts, their strikes, and what happened to an account on its platform, as typed records.

Accounts are written only when something needs one (a strike, an account case, an account report,
an impersonation finding): never on the ingest path. Every reader here is scoped to one
``(platform, author_id)``: an account's history on one platform says nothing about another.
"""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import and_, func, or_, select, update

from ..enums import AccountStatus, AppealState, CaseState, SubjectKind
from .db import Tx
from .records import Appeal, Case, StoredDecision
from .records_accounts import AccountRecord, StrikeRecord
from .schema import accounts, appeals, cases, decisions, strikes

__all__ = ["upsert_account", "get_account", "list_accounts", "set_status", "insert_strike", "strikes_of",
           "remove_strikes", "account_decisions", "open_cases_of", "count_cases_of", "appeals_of", "open_appeal_of"]

ACCOUNT = SubjectKind.ACCOUNT.value
MAX_NAME = 300


def upsert_account(tx: Tx, platform: str, author_id: str, *, name: str | None = None, followers: int | None = None,
                   verified: bool | None = None, first_seen: str) -> tuple[AccountRecord, bool]:
    """The account, created if new; the name, followers and verified flag given replace the stored
    ones (the platform's latest view of the account). Returns (account, created)."""
    stmt = tx.insert(accounts).on_conflict_do_nothing(index_elements=["platform", "author_id"])
    created = tx.conn.execute(stmt.returning(accounts.c.id), [{
        "platform": platform, "author_id": author_id, "name": (name or None) and name[:MAX_NAME],
        "followers": max(0, int(followers or 0)), "verified": bool(verified), "first_seen": first_seen,
        "status": AccountStatus.ACTIVE.value,
    }]).first() is not None
    if not created:
        changes: dict[str, object] = {}
        if name:
            changes["name"] = name[:MAX_NAME]
        if followers is not None:
            changes["followers"] = max(0, int(followers))
        if verified is not None:
            changes["verified"] = bool(verified)
        if changes:
            tx.conn.execute(update(accounts).where(accounts.c.platform == platform,
                                                   accounts.c.author_id == author_id).values(**changes))
    found = get_account(tx, platform, author_id)
    assert found is not None  # inserted or already there, in this transaction
    return found, created


def get_account(tx: Tx, platform: str, author_id: str) -> AccountRecord | None:
    row = tx.conn.execute(select(accounts).where(accounts.c.platform == platform,
                                                 accounts.c.author_id == author_id)).first()
    return AccountRecord.from_row(row) if row else None


def list_accounts(tx: Tx, *, now: float, status: AccountStatus | None = None, platform: str | None = None,
                  limit: int = 50, offset: int = 0) -> list[AccountRecord]:
    """Accounts by status in force at ``now`` (a status whose end has passed reads as active),
    most followed first."""
    stmt = select(accounts)
    if status is not None:
        lapsed = and_(accounts.c.status_until.is_not(None), accounts.c.status_until <= now)
        if status == AccountStatus.ACTIVE:
            stmt = stmt.where(or_(accounts.c.status == AccountStatus.ACTIVE.value, lapsed))
        else:
            stmt = stmt.where(accounts.c.status == status.value,
                              or_(accounts.c.status_until.is_(None), accounts.c.status_until > now))
    if platform is not None:
        stmt = stmt.where(accounts.c.platform == platform)
    stmt = stmt.order_by(accounts.c.followers.desc(), accounts.c.id).limit(limit).offset(offset)
    return [AccountRecord.from_row(r) for r in tx.conn.execute(stmt)]


def set_status(tx: Tx, account_id: int, *, status: AccountStatus, until: float | None, decision_id: int,
               action_ts: float | None) -> None:
    """Put ``status`` in force until ``until`` (None: until lifted), decided by ``decision_id``;
    ``action_ts`` (when given) becomes the account's last action time."""
    values: dict[str, object] = {"status": status.value, "status_until": until, "status_decision_id": decision_id}
    if action_ts is not None:
        values["last_action_ts"] = action_ts
    tx.conn.execute(update(accounts).where(accounts.c.id == account_id).values(**values))


# ---- strikes -----------------------------------------------------------------------------------

def insert_strike(tx: Tx, *, account_id: int, category: str, weight: float, item_id: str, item_version: int,
                  decision_id: int | None, created_at: str, created_ts: float) -> int | None:
    """Record a strike; None when the decision already gave this account one."""
    stmt = tx.insert(strikes).on_conflict_do_nothing(index_elements=["account_id", "decision_id"])
    row = tx.conn.execute(stmt.returning(strikes.c.id), [{
        "account_id": account_id, "category": category, "weight": weight, "item_id": item_id,
        "item_version": item_version, "decision_id": decision_id, "created_at": created_at, "created_ts": created_ts,
    }]).first()
    return int(row[0]) if row else None


def strikes_of(tx: Tx, account_id: int, *, removed: bool | None = None) -> list[StrikeRecord]:
    """The account's strikes, oldest first; ``removed`` False keeps those still standing, True the removed."""
    stmt = select(strikes).where(strikes.c.account_id == account_id)
    if removed is not None:
        stmt = stmt.where(strikes.c.removed_at.is_not(None) if removed else strikes.c.removed_at.is_(None))
    return [StrikeRecord.from_row(r) for r in tx.conn.execute(stmt.order_by(strikes.c.created_ts, strikes.c.id))]


def remove_strikes(tx: Tx, strike_ids: Sequence[int], *, removed_at: str, removed_by: str, reason: str) -> int:
    """Mark strikes removed (the rows stay, with who removed them and why); returns how many were standing."""
    if not strike_ids:
        return 0
    result = tx.conn.execute(
        update(strikes).where(strikes.c.id.in_(list(strike_ids)), strikes.c.removed_at.is_(None))
        .values(removed_at=removed_at, removed_by=removed_by, removal_reason=reason))
    return result.rowcount


# ---- the account's history on its platform -----------------------------------------------------

def account_decisions(tx: Tx, platform: str, author_id: str, *, limit: int = 100) -> list[StoredDecision]:
    """Account decisions (warn, restrict, suspend, ban, and those lifting them), newest first."""
    rows = tx.conn.execute(
        select(decisions).where(decisions.c.subject_kind == ACCOUNT, decisions.c.platform == platform,
                                decisions.c.item_id == author_id)
        .order_by(decisions.c.id.desc()).limit(limit))
    return [StoredDecision.from_row(r) for r in rows]


def open_cases_of(tx: Tx, platform: str, author_id: str) -> list[Case]:
    rows = tx.conn.execute(
        select(cases).where(cases.c.subject_kind == ACCOUNT, cases.c.platform == platform,
                            cases.c.item_id == author_id, cases.c.state == CaseState.OPEN.value)
        .order_by(cases.c.id))
    return [Case.from_row(r) for r in rows]


def count_cases_of(tx: Tx, platform: str, author_id: str, *, origin: str) -> int:
    """How many account cases (open or decided) the account has had whose origin starts with ``origin``."""
    return int(tx.conn.execute(
        select(func.count()).select_from(cases).where(
            cases.c.subject_kind == ACCOUNT, cases.c.platform == platform, cases.c.item_id == author_id,
            cases.c.origin.startswith(origin, autoescape=True))).scalar_one())


def _account_appeals(platform: str, author_id: str):
    # an account appeal names the author id in ``item_id`` and contests an account decision
    return (select(appeals)
            .select_from(appeals.join(decisions, decisions.c.id == appeals.c.original_decision_id))
            .where(appeals.c.platform == platform, appeals.c.item_id == author_id,
                   decisions.c.subject_kind == ACCOUNT))


def appeals_of(tx: Tx, platform: str, author_id: str, *, limit: int = 100) -> list[Appeal]:
    """Appeals against the account's decisions, newest first."""
    stmt = _account_appeals(platform, author_id).order_by(appeals.c.id.desc()).limit(limit)
    return [Appeal.from_row(r) for r in tx.conn.execute(stmt)]


def open_appeal_of(tx: Tx, platform: str, author_id: str) -> Appeal | None:
    row = tx.conn.execute(_account_appeals(platform, author_id)
                          .where(appeals.c.state == AppealState.OPEN.value)).first()
    return Appeal.from_row(row) if row else None
