"""Impersonation: the protected-entity registry and the matching of look-alike names, handles,
domains and avatars against it (see :class:`Matcher`). Pure: no I/O beyond reading the registry
and its images."""

from .matcher import FLAG_THRESHOLD, VERSION, Match, Matcher, Reason
from .registry import KINDS, PACKAGED_DEFAULT, Entity, Registry, load_registry, parse_registry

__all__ = [
    "FLAG_THRESHOLD",
    "KINDS",
    "PACKAGED_DEFAULT",
    "Entity",
    "Match",
    "Matcher",
    "Reason",
    "Registry",
    "VERSION",
    "load_registry",
    "parse_registry",
]
