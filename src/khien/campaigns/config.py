"""Settings of the campaign detector, declared once and checked at load (``khien.strict``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..strict import ConfigError, parse

__all__ = ["CampaignConfig", "load_config", "parse_duration"]


@dataclass(frozen=True, slots=True)
class CampaignConfig:
    """What makes posts one cluster, and what makes a cluster a campaign.

    Time is in seconds. ``num_perm`` must equal ``bands * rows``: LSH finds pairs whose Jaccard
    similarity is above about ``(1 / bands) ** (1 / rows)`` (0.41 with the defaults, which leaves
    room for word swaps and emoji that survive normalisation).
    """

    window_s: float = 24 * 3600.0  # posts further apart than this never join the same cluster
    bucket_s: float = 3600.0  # the index's time bucket: the unit in which old entries are dropped
    min_accounts: int = 5  # distinct accounts a campaign needs
    shingle_words: int = 2  # word n-grams
    min_tokens: int = 6  # shorter texts (after masking and exempt phrases) are not text-indexed
    bands: int = 16
    rows: int = 4
    min_band_hits: int = 2  # LSH bands a post must share with a cluster to join it by text
    merge_band_hits: int = 4  # ... and with each of two clusters to merge them
    min_similarity: float = 0.5  # estimated Jaccard with a cluster's sample a text join needs
    seed: int = 14
    burst_s: float = 900.0  # the timeline's slot: a burst is many accounts within one slot
    burst_share: float = 0.5  # ... holding at least this share of the cluster's accounts
    young_days: float = 30.0  # an account younger than this at posting time is young
    young_share: float = 0.5  # a cluster whose accounts are at least this share young is coordinated
    exempt: tuple[str, ...] = ("chuc mung nam moi", "an khang thinh vuong", "van su nhu y",
                               "chuc mung sinh nhat", "happy new year")
    max_members: int = 10_000  # item ids kept per cluster; later members are counted, not listed

    def __post_init__(self) -> None:
        if self.window_s <= 0 or self.bucket_s <= 0 or self.bucket_s > self.window_s:
            raise ConfigError("campaigns: need 0 < bucket_s <= window_s", field="bucket_s")
        if self.min_accounts < 2:
            raise ConfigError("campaigns.min_accounts: at least 2 accounts make coordination", field="min_accounts")
        if self.bands < 1 or self.rows < 1 or self.shingle_words < 1:
            raise ConfigError("campaigns: bands, rows and shingle_words must be at least 1", field="bands")

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows


def load_config(mapping: Mapping[str, Any] | CampaignConfig | None, path: str = "campaigns") -> CampaignConfig:
    """A :class:`CampaignConfig` from a mapping (unknown keys and wrong types refused with their path)."""
    return parse(CampaignConfig, mapping, path)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """``"90s"``, ``"30m"``, ``"24h"``, ``"2d"`` or plain seconds, as seconds; ConfigError otherwise."""
    raw = text.strip().lower()
    unit = _UNITS.get(raw[-1:], None)
    number = raw[:-1] if unit else raw
    try:
        value = float(number) * (unit or 1)
    except ValueError:
        raise ConfigError(f"duration {text!r}: expected a number and a unit s, m, h or d (e.g. 24h)") from None
    if value <= 0:
        raise ConfigError(f"duration {text!r}: must be positive")
    return value
