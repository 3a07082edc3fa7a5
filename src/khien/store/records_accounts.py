"""Typed records of accounts and strikes (tables ``accounts`` and ``strikes``, migration 0600).

An account's stored ``status`` is the action last put in force; whether it is still in force is a
question of time, answered at read time by :meth:`AccountRecord.status_at`: a status whose
``status_until`` has passed reads as ``active``, so nothing has to run when a suspension ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..clock import iso
from ..enums import AccountStatus

__all__ = ["AccountRecord", "StrikeRecord"]


def _m(row: Any) -> Mapping[str, Any]:
    return row._mapping if hasattr(row, "_mapping") else row


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """One account on one platform: who it is (as the platform last showed it), and its standing."""

    id: int
    platform: str
    author_id: str
    name: str | None
    followers: int
    verified: bool
    first_seen: str
    status: AccountStatus  # as stored: read :meth:`status_at` for the status in force
    status_until: float | None
    status_decision_id: int | None
    last_action_ts: float | None

    @classmethod
    def from_row(cls, row: Any) -> "AccountRecord":
        m = _m(row)
        return cls(id=m["id"], platform=m["platform"], author_id=m["author_id"], name=m["name"],
                   followers=int(m["followers"] or 0), verified=bool(m["verified"]), first_seen=m["first_seen"],
                   status=AccountStatus(m["status"] or AccountStatus.ACTIVE), status_until=m["status_until"],
                   status_decision_id=m["status_decision_id"], last_action_ts=m["last_action_ts"])

    def status_at(self, now: float) -> AccountStatus:
        """The status in force at ``now``: the stored one until its end, ``active`` after it."""
        if self.status_until is not None and self.status_until <= now:
            return AccountStatus.ACTIVE
        return self.status

    def public(self, now: float) -> dict[str, Any]:
        status = self.status_at(now)
        in_force = status != AccountStatus.ACTIVE
        return {
            "platform": self.platform, "author_id": self.author_id, "name": self.name,
            "followers": self.followers, "verified": self.verified, "first_seen": self.first_seen,
            "status": status.value,
            "status_until": iso(self.status_until) if in_force and self.status_until is not None else None,
            "status_decision": self.status_decision_id if in_force else None,
        }


@dataclass(frozen=True, slots=True)
class StrikeRecord:
    """A row of ``strikes``: one upheld violation counted against an account, removed or not."""

    id: int
    account_id: int
    category: str
    weight: float
    item_id: str
    item_version: int
    decision_id: int | None
    created_at: str
    created_ts: float
    removed_at: str | None
    removed_by: str | None
    removal_reason: str | None

    @classmethod
    def from_row(cls, row: Any) -> "StrikeRecord":
        m = _m(row)
        return cls(id=m["id"], account_id=m["account_id"], category=m["category"], weight=float(m["weight"]),
                   item_id=m["item_id"], item_version=int(m["item_version"]), decision_id=m["decision_id"],
                   created_at=m["created_at"], created_ts=float(m["created_ts"]), removed_at=m["removed_at"],
                   removed_by=m["removed_by"], removal_reason=m["removal_reason"])

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    def public(self, *, active: bool) -> dict[str, Any]:
        """The strike as the API shows it; ``active`` (counted at read time) is the caller's to say."""
        return {"id": self.id, "category": self.category, "weight": self.weight,
                "item": {"id": self.item_id, "version": self.item_version}, "decision": self.decision_id,
                "created_at": self.created_at, "active": active, "removed_at": self.removed_at,
                "removed_by": self.removed_by, "removal_reason": self.removal_reason}
