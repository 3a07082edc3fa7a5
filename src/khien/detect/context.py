"""What the engine gives detectors besides their config: shared resources, typed, kept apart.

A detector's *config* is data from the policy file (``detectors.contacts.v1: {blocklist: [...]}``),
checked against the detector's ``Config`` class. Its *context* is what the engine (or whoever
builds it) already holds in memory and shares between detectors: an impersonation registry
loaded elsewhere, later a campaign index or a fact-check index. Keeping the two apart means a
policy can never inject a resource by naming it as a config key, and a config typo is never
mistaken for a resource.

Factories are called ``factory(config, context)``; a factory may ignore the context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the registry module imports detect/, so import it only for type checkers
    from ..impersonation.registry import Registry

__all__ = ["DetectorContext", "EMPTY"]


@dataclass(frozen=True, slots=True)
class DetectorContext:
    """Engine-level resources for detectors. Every field is optional; ``None`` means "load your own".

    - ``registry``: a protected-entity registry already in memory; ``impersonation.v1`` uses it
      instead of loading the file its config names.
    """

    registry: "Registry | None" = None


EMPTY = DetectorContext()
