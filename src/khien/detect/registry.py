"""Registry of detector factories, filled from the ``khien.detectors`` entry-point group.

An entry point's name is the detector's versioned name and its object is a factory (usually the
class) called with the detector's config from the policy (keyword arguments). Built-in detectors
are declared in Khiên's own ``pyproject.toml`` the same way a plugin declares its own.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any, Callable, Mapping

from ..errors import DetectorError
from .base import Detector

__all__ = ["available", "create", "register"]

ENTRY_POINT_GROUP = "khien.detectors"

_extra: dict[str, Callable[..., Detector]] = {}


@lru_cache(maxsize=1)
def _from_entry_points() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found[ep.name] = ep
    return found


def register(name: str, factory: Callable[..., Detector]) -> None:
    """Register a factory at run time (tests, notebooks). Entry points are the normal path."""
    _extra[name] = factory


def available() -> list[str]:
    """Names of every detector that can be created."""
    return sorted(set(_from_entry_points()) | set(_extra))


def _factory(name: str) -> Callable[..., Detector]:
    if name in _extra:
        return _extra[name]
    ep = _from_entry_points().get(name)
    if ep is None:
        raise DetectorError(
            f"unknown detector '{name}'",
            hint=f"Valid detectors: {', '.join(available()) or '(none installed)'}.",
        )
    return ep.load()


def create(name: str, config: Mapping[str, Any] | None = None, **context: Any) -> Detector:
    """Create a detector by its versioned name with its config.

    ``context`` carries engine-level resources (e.g. ``registry`` for impersonation) that a factory
    may accept; factories ignore what they do not know.
    """
    factory = _factory(name)
    try:
        detector = factory(**dict(config or {}), **context)
    except TypeError as exc:
        raise DetectorError(f"detector '{name}' rejected its config: {exc}") from exc
    if getattr(detector, "name", None) != name:
        raise DetectorError(f"detector factory for '{name}' built a detector named {getattr(detector, 'name', None)!r}")
    return detector
