"""The engine fingerprint: which engine, exactly, made a decision.

A policy version (the hash of the policy file) says which rules applied, but not which lexicon
contents, models, registry or detector settings produced the signals those rules read. The
fingerprint is the short sha256 over all of it:

- the policy content (its version hash);
- each detector's name and *resolved* config (defaults filled in, so writing a default
  explicitly changes nothing);
- the content digest of every data file and model each detector loaded (recorded through
  :mod:`khien.resources`), and of a registry handed over in memory;
- the digest of the packaged tables and lists code reads at import time
  (:func:`khien.resources.builtin_digest`).

Two engines with the same fingerprint decide identically; ``--model`` or ``--registry`` change it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from .resources import Load, builtin_digest

__all__ = ["Provenance", "DetectorProvenance", "fingerprint", "resolved_config"]

LENGTH = 16


def resolved_config(detector: Any) -> Mapping[str, Any]:
    """A detector's config as it runs: its ``config`` dataclass as a mapping (``{}`` without one)."""
    config = getattr(detector, "config", None)
    if config is None:
        return {}
    if dataclasses.is_dataclass(config):
        return {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    return dict(config) if isinstance(config, Mapping) else {"config": repr(config)}


@dataclass(frozen=True, slots=True)
class DetectorProvenance:
    """One detector of an engine: its name, its resolved config and the data it loaded."""

    name: str
    config: Mapping[str, Any]
    loads: tuple[Load, ...]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Everything the fingerprint is computed from, kept so ``khien policy check`` can show it."""

    policy: str
    detectors: tuple[DetectorProvenance, ...]
    builtin: str
    fingerprint: str


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_canonical(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def fingerprint(policy_version: str, detectors: Sequence[tuple[str, Mapping[str, Any], Iterable[Load]]]) -> Provenance:
    """The provenance and fingerprint of an engine built from this policy and these detectors.

    A load counts by its kind and content digest (how it was named is already in the config), so
    the packaged files installed in another virtualenv fingerprint the same.
    """
    builtin = builtin_digest()
    parts: list[DetectorProvenance] = []
    body: list[Any] = []
    for name, config, loads in detectors:
        loads = tuple(loads)
        parts.append(DetectorProvenance(name, config, loads))
        body.append({
            "detector": name,
            "config": _canonical(config),
            "loads": [[load.kind, load.digest] for load in loads],
        })
    document = {"policy": policy_version, "detectors": body, "builtin": builtin}
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:LENGTH]
    return Provenance(policy_version, tuple(parts), builtin, digest)

