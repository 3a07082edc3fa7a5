"""Registry of detector factories, filled from the ``khien.detectors`` entry-point group.

An entry point's name is the detector's versioned name and its object is a factory (usually the
class). Built-in detectors are declared in Khiên's own ``pyproject.toml`` the same way a plugin
declares its own.

The factory is called ``factory(config, context)``:

- ``config``: when the factory has a ``Config`` attribute (a frozen dataclass), the detector's
  mapping from the policy parsed with :func:`khien.strict.parse`, so an unknown key fails with
  ``detectors.contacts.v1.blocklst: unknown key; did you mean `blocklist`?`` and a value of the
  wrong type fails here, at load time; without ``Config``, the plain mapping.
- ``context``: a :class:`~khien.detect.context.DetectorContext` of engine-level resources.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Callable, Mapping

from ..errors import DetectorError
from ..strict import parse
from .base import Detector
from .context import EMPTY, DetectorContext

__all__ = ["available", "create", "register", "config_class", "parse_config"]

ENTRY_POINT_GROUP = "khien.detectors"

_extra: dict[str, Callable[..., Detector]] = {}
# Built-in detectors declared here as well as in pyproject.toml: an install made before a detector
# was added (an editable checkout keeps its old entry-point list until it is reinstalled) still
# finds it. Entry points win when both name it.
_BUILTIN = {"campaigns.v1": "khien.campaigns.stage:CampaignStage", "claims.v1": "khien.detect.claims:ClaimsDetector"}


@lru_cache(maxsize=1)
def _from_entry_points() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found[ep.name] = ep
    for name, target in _BUILTIN.items():
        found.setdefault(name, EntryPoint(name, target, ENTRY_POINT_GROUP))
    return found


def register(name: str, factory: Callable[..., Detector]) -> None:
    """Register a factory at run time (tests, notebooks). Entry points are the normal path."""
    _extra[name] = factory


def available() -> list[str]:
    """Names of every detector that can be created."""
    return sorted(set(_from_entry_points()) | set(_extra) | set(_BUILTIN))


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


def config_class(name: str) -> type | None:
    """The ``Config`` dataclass a detector declares, or None for a factory that takes a mapping."""
    return getattr(_factory(name), "Config", None)


def parse_config(name: str, config: Mapping[str, Any] | None) -> Any:
    """The detector's config, checked against its ``Config`` (errors name ``detectors.NAME.key``)."""
    cls = config_class(name)
    if cls is None:
        return dict(config or {})
    return parse(cls, config or {}, f"detectors.{name}", error=DetectorError)


def create(name: str, config: Mapping[str, Any] | None = None, context: DetectorContext | None = None) -> Detector:
    """Create a detector by its versioned name from its config mapping (and the engine's context)."""
    factory = _factory(name)
    parsed = parse_config(name, config)
    try:
        detector = factory(parsed, context or EMPTY)
    except TypeError as exc:
        raise DetectorError(f"detector '{name}' rejected its config: {exc}") from exc
    if getattr(detector, "name", None) != name:
        raise DetectorError(f"detector factory for '{name}' built a detector named {getattr(detector, 'name', None)!r}")
    return detector
