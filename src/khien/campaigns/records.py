"""The typed records the campaign detector takes and gives."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..clock import iso
from ..text.links import Contact, Link
from ..text.views import Views

__all__ = ["Post", "Membership", "Cluster", "Signal", "cluster_key"]

# Coordination signals, by name (the names a policy will read as campaign facts).
BURST, SHARED_CONTACT, YOUNG_ACCOUNTS = "burst", "shared_contact", "young_accounts"
Signal = str


@dataclass(frozen=True, slots=True)
class Post:
    """One post as the detector sees it.

    ``ts`` and ``account_created`` are seconds since the epoch (UTC). ``views``, ``links`` and
    ``contacts`` may carry what the engine already computed (the stream path), so the text is
    neither normalised nor searched for contacts twice.
    """

    id: str
    account: str
    ts: float
    text: str
    account_created: float | None = None
    views: Views | None = None
    links: tuple[Link, ...] | None = None  # the engine's links and contacts of the text, when it has them
    contacts: tuple[Contact, ...] | None = None


@dataclass(frozen=True, slots=True)
class Membership:
    """Where a post landed when it was observed (the cluster may grow or become a campaign later)."""

    item_id: str
    cluster_id: int
    size: int
    accounts: int
    campaign: bool
    signals: tuple[Signal, ...]


@dataclass(frozen=True, slots=True)
class Cluster:
    """A group of near-duplicate posts or posts sharing a contact, within one window.

    ``members`` lists at most ``max_members`` item ids (``size`` counts all); ``timeline`` is
    ``(slot start, posts)`` per ``burst_s`` slot; ``shared_entities`` are contacts used by at least
    two of its accounts. ``campaign`` is true only with ``min_accounts`` accounts *and* a
    coordination signal; ``score`` in [0, 1] orders clusters for review.
    """

    id: int
    size: int
    members: tuple[str, ...]
    accounts: tuple[str, ...]
    first_seen: float
    last_seen: float
    shared_entities: tuple[str, ...]
    timeline: tuple[tuple[float, int], ...]
    signals: tuple[Signal, ...]
    campaign: bool
    score: float
    sample: str  # the first member's text, for a reviewer

    @property
    def key(self) -> str:
        """A stable name for the cluster: ``id`` is local to one detector's run, the key is not
        (it is derived from the first member, so every process and re-run names it alike)."""
        return cluster_key(self.members[0]) if self.members else f"c{self.id}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``khien campaigns`` writes, one per line."""
        return {
            "id": f"c{self.id}", "key": self.key, "campaign": self.campaign, "score": round(self.score, 3),
            "signals": list(self.signals), "size": self.size, "accounts": len(self.accounts),
            "first_seen": iso(self.first_seen), "last_seen": iso(self.last_seen),
            "shared_entities": list(self.shared_entities),
            "timeline": [[iso(t), n] for t, n in self.timeline],
            "members": list(self.members), "account_ids": list(self.accounts), "sample": self.sample,
        }


def cluster_key(first_member: str) -> str:
    """``"cmp-"`` and 12 hex digits of the SHA-1 of the cluster's first member's item id."""
    return "cmp-" + hashlib.sha1(first_member.encode("utf-8")).hexdigest()[:12]
