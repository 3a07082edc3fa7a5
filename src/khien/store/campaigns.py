"""Rows of coordinated campaigns: upsert a cluster by (platform, key), add its members, read them.

Every function takes an open transaction and returns typed records (``records_campaigns``). The
upsert is safe with concurrent writers: the insert skips a row another transaction created meanwhile
(the unique constraint ``uq_campaigns_once``) and the caller's values are then compared and written
over it, so the last writer's view of the cluster wins and nothing is stored twice.
"""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import select, update

from ..enums import CaseState, SubjectKind

from .bulk import insert_rows
from .db import Tx
from .records_campaigns import CampaignRecord, CampaignRow, MemberRecord
from .records import Case
from .review import live_claim
from .schema import campaign_members, campaigns, cases

__all__ = ["upsert_campaign", "add_members", "get_campaign", "members_of", "member_ids", "campaigns_of_items",
           "mark_confirmed_scam", "campaign_case", "reprioritise_case", "close_campaign_case"]


def get_campaign(tx: Tx, platform: str, key: str) -> CampaignRecord | None:
    row = tx.conn.execute(select(campaigns).where(campaigns.c.platform == platform, campaigns.c.key == key)).first()
    return CampaignRecord.from_row(row) if row else None


def upsert_campaign(tx: Tx, row: CampaignRow, *, updated_at: str) -> tuple[CampaignRecord, bool]:
    """Store ``row``; returns the stored record and whether anything changed (False when the stored
    values were already these: recording the same cluster twice writes nothing)."""
    stored = get_campaign(tx, row.platform, row.key)
    if stored is None:
        insert_rows(tx, campaigns, [row.columns() | {"confirmed_scam": False, "updated_at": updated_at}],
                    conflict=("platform", "key"))
        stored = get_campaign(tx, row.platform, row.key)
        assert stored is not None
        if stored.row == row:
            return stored, True
    if stored.row == row:
        return stored, False
    tx.conn.execute(update(campaigns).where(campaigns.c.id == stored.id)
                    .values(**row.columns(), updated_at=updated_at))
    return CampaignRecord(id=stored.id, row=row, confirmed_scam=stored.confirmed_scam, updated_at=updated_at), True


def add_members(tx: Tx, members: Sequence[MemberRecord]) -> int:
    """Add member items; a member already stored for its campaign is skipped. Returns how many were new."""
    if not members:
        return 0
    result = insert_rows(tx, campaign_members, [
        {"platform": m.platform, "key": m.key, "item_id": m.item_id, "account": m.account, "ts": m.ts}
        for m in members], conflict=("platform", "key", "item_id"), returning=("id",))
    return len(list(result)) if result is not None else 0


def member_ids(tx: Tx, platform: str, key: str) -> set[str]:
    """The item ids of a campaign's stored members (one column, no order: what recording compares)."""
    rows = tx.conn.execute(select(campaign_members.c.item_id).where(campaign_members.c.platform == platform,
                                                                    campaign_members.c.key == key))
    return {r.item_id for r in rows}


def members_of(tx: Tx, platform: str, key: str) -> list[MemberRecord]:
    """A campaign's members, in the order they were recorded."""
    rows = tx.conn.execute(select(campaign_members).where(campaign_members.c.platform == platform,
                                                          campaign_members.c.key == key)
                           .order_by(campaign_members.c.id))
    return [MemberRecord.from_row(r) for r in rows]


def campaigns_of_items(tx: Tx, platform: str, item_ids: Sequence[str]) -> dict[str, list[str]]:
    """The campaign keys each of ``item_ids`` is a member of (items in none are absent)."""
    out: dict[str, list[str]] = {}
    if not item_ids:
        return out
    rows = tx.conn.execute(select(campaign_members.c.item_id, campaign_members.c.key)
                           .where(campaign_members.c.platform == platform,
                                  campaign_members.c.item_id.in_(list(item_ids)))
                           .order_by(campaign_members.c.id))
    for r in rows:
        out.setdefault(r.item_id, []).append(r.key)
    return out


def mark_confirmed_scam(tx: Tx, platform: str, key: str, *, updated_at: str) -> bool:
    """Mark a campaign as containing confirmed scams; False when it already was (or does not exist)."""
    result = tx.conn.execute(update(campaigns).where(campaigns.c.platform == platform, campaigns.c.key == key,
                                                     campaigns.c.confirmed_scam.is_(False))
                             .values(confirmed_scam=True, updated_at=updated_at))
    return result.rowcount == 1


def _campaign_case(platform: str, key: str, origin: str):
    return (cases.c.subject_kind == SubjectKind.CAMPAIGN.value, cases.c.platform == platform,
            cases.c.item_id == key, cases.c.item_version == 0, cases.c.origin == origin)


def campaign_case(tx: Tx, platform: str, key: str, *, origin: str) -> Case | None:
    """The campaign's case (one per campaign: ``uq_cases_once``), open or decided."""
    row = tx.conn.execute(select(cases).where(*_campaign_case(platform, key, origin))).first()
    return Case.from_row(row) if row else None


def reprioritise_case(tx: Tx, case_id: int, *, severity: int, reach: int, priority_base: float) -> bool:
    """A still open campaign case's priority follows its cluster's growth; False when it is decided
    or already had these values."""
    result = tx.conn.execute(update(cases).where(
        cases.c.id == case_id, cases.c.state == CaseState.OPEN.value,
        (cases.c.severity != severity) | (cases.c.reach != reach) | (cases.c.priority_base != priority_base),
    ).values(severity=severity, reach=reach, priority_base=priority_base))
    return result.rowcount == 1


def close_campaign_case(tx: Tx, case_id: int, actor: str, *, decided_at: str, decision_id: int | None,
                        require_claim: bool, now: float) -> bool:
    """open → decided for a campaign case (its outcome is the members' decisions, so
    ``decision_id`` is the first of them or None); False when it was not open (or, with
    ``require_claim``, ``actor`` held no live claim on it)."""
    cond = [cases.c.id == case_id, cases.c.state == CaseState.OPEN.value]
    if require_claim:
        cond += [cases.c.claimed_by == actor, live_claim(now)]
    result = tx.conn.execute(update(cases).where(*cond).values(
        state=CaseState.DECIDED.value, decided_by=actor, decided_at=decided_at, outcome_decision_id=decision_id,
        claimed_by=None, claim_expires_ts=None))
    return result.rowcount == 1
