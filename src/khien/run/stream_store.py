"""``khien stream --db``: record the stream's decisions in the store, as ``POST /v1/moderate`` does.

Each batch's (item, decision) pairs go through :func:`khien.review.intake.moderate_many` in one
transaction: the item is stored (or recognised as a replay of its stored version), the decision
recorded once per (platform, item id, version, policy), and a decision that needs people
(``review``, ``remove``) opens its case, with its audit event and webhook, only when the decision
row was actually added. A batch decided again after a crash therefore changes nothing twice.
The campaigns the decisions name (``campaign.member``) are recorded with their members, and a
campaign case opened once per campaign.
"""

from __future__ import annotations

from typing import Sequence

from ..clock import SYSTEM, Clock
from ..model import Decision, Item
from ..policy import Policy
from ..review.intake import CampaignLookup, moderate_many
from ..review.services import migrate, open_store

__all__ = ["StoreRecorder"]


class StoreRecorder:
    """Callable given to :func:`khien.run.kafka.run_stream` as ``record``."""

    def __init__(self, url: str, policy: Policy, *, upgrade: bool = True, clock: Clock = SYSTEM,
                 campaigns: CampaignLookup | None = None) -> None:
        self.store = open_store(url)
        if upgrade:
            migrate(self.store)
        self.policy = policy
        self.clock = clock
        self.campaigns = campaigns  # engine.campaign: the campaigns a batch's decisions name are recorded too
        self.added = 0  # decisions this process recorded for the first time

    def __call__(self, pairs: Sequence[tuple[Item, Decision]]) -> None:
        with self.store.write() as tx:
            done = moderate_many(tx, self.policy, pairs, clock=self.clock, campaigns=self.campaigns)
        self.added += sum(m.created for m in done)

    def close(self) -> None:
        self.store.dispose()
