"""Typed records of coordinated campaigns (tables ``campaigns`` and ``campaign_members``, migration 0700).

A campaign is named by its ``key`` (``cmp-<12 hex>``, stable across processes and re-runs) on one
platform; the detector's int cluster id is local to one run and is never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import orjson

__all__ = ["CampaignRecord", "CampaignRow", "MemberRecord", "CampaignRef"]


def _m(row: Any) -> Mapping[str, Any]:
    return row._mapping if hasattr(row, "_mapping") else row


@dataclass(frozen=True, slots=True)
class CampaignRow:
    """The stored values of one cluster: what an upsert writes and compares (no id, no update time)."""

    platform: str
    key: str
    campaign: bool
    first_seen: float
    last_seen: float
    size: int
    accounts: tuple[str, ...]
    signals: tuple[str, ...]
    shared_entities: tuple[str, ...]
    timeline: tuple[tuple[float, int], ...]
    score: float
    sample: str

    def columns(self) -> dict[str, Any]:
        """The row's columns, lists as JSON text."""
        return {
            "platform": self.platform, "key": self.key, "campaign": self.campaign, "first_seen": self.first_seen,
            "last_seen": self.last_seen, "size": self.size, "score": self.score, "sample": self.sample,
            "accounts": orjson.dumps(list(self.accounts)).decode(),
            "signals": orjson.dumps(list(self.signals)).decode(),
            "shared_entities": orjson.dumps(list(self.shared_entities)).decode(),
            "timeline": orjson.dumps([[t, n] for t, n in self.timeline]).decode(),
        }


@dataclass(frozen=True, slots=True)
class CampaignRecord:
    """One stored cluster (``campaign`` true: a campaign with a case)."""

    id: int
    row: CampaignRow
    confirmed_scam: bool
    updated_at: str

    @property
    def platform(self) -> str:
        return self.row.platform

    @property
    def key(self) -> str:
        return self.row.key

    @classmethod
    def from_row(cls, row: Any) -> "CampaignRecord":
        m = _m(row)
        return cls(
            id=int(m["id"]), confirmed_scam=bool(m["confirmed_scam"]), updated_at=m["updated_at"],
            row=CampaignRow(
                platform=m["platform"], key=m["key"], campaign=bool(m["campaign"]),
                first_seen=float(m["first_seen"]), last_seen=float(m["last_seen"]), size=int(m["size"]),
                accounts=tuple(orjson.loads(m["accounts"])), signals=tuple(orjson.loads(m["signals"])),
                shared_entities=tuple(orjson.loads(m["shared_entities"])),
                timeline=tuple((float(t), int(n)) for t, n in orjson.loads(m["timeline"])),
                score=float(m["score"]), sample=m["sample"]),
        )


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """One member item of a campaign; ``account`` and ``ts`` as the stored item gave them (or None)."""

    platform: str
    key: str
    item_id: str
    account: str | None
    ts: float | None

    @classmethod
    def from_row(cls, row: Any) -> "MemberRecord":
        m = _m(row)
        return cls(platform=m["platform"], key=m["key"], item_id=m["item_id"], account=m["account"],
                   ts=None if m["ts"] is None else float(m["ts"]))


@dataclass(frozen=True, slots=True)
class CampaignRef:
    """What recording one cluster did: its key, whether it is a campaign, its case (None when it is
    not a campaign), and whether this call opened the case / changed the stored row."""

    platform: str
    key: str
    campaign: bool
    case_id: int | None
    opened: bool
    changed: bool
