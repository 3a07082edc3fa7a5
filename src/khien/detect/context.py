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
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # the registry module imports detect/, so import it only for type checkers
    from ..claims import Matcher
    from ..impersonation.registry import Registry

__all__ = ["DetectorContext", "EMPTY"]


@dataclass(frozen=True, slots=True)
class DetectorContext:
    """Engine-level resources for detectors. Every field is optional; ``None`` means "load your own".

    - ``registry``: a protected-entity registry already in memory; ``impersonation.v1`` uses it
      instead of loading the file its config names.
    - ``claims``: the fact-checks ``claims.v1`` matches against: a :class:`~khien.claims.Matcher`,
      or a callable returning the current one (a service whose fact-checks change while it runs);
      ``None``: ``claims.v1`` emits nothing.
    """

    registry: "Registry | None" = None
    claims: "Matcher | Callable[[], Matcher | None] | None" = None


EMPTY = DetectorContext()
