"""Coordinated campaigns: near-duplicate posts, shared contacts and bursts across accounts.

Pure core: reads ``khien.text`` only; no store, service or I/O. See docs/campaigns.md.
"""

from .config import CampaignConfig, load_config, parse_duration
from .detector import CampaignDetector
from .records import Cluster, Membership, Post

__all__ = ["CampaignConfig", "CampaignDetector", "Cluster", "Membership", "Post", "load_config", "parse_duration"]
