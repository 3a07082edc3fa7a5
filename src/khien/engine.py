"""The engine: normalize → detect → evaluate, in batches. Pure: no I/O beyond loading packaged data.

Everything that decides (the CLI, the server, the runners) calls this same engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .detect import registry
from .detect.base import Detector, Prepared, cap_evidence
from .detect.context import DetectorContext
from .fingerprint import Provenance, fingerprint, resolved_config
from .model import Decision, Item, Signal
from .policy import Policy, evaluate, parse_policy, read_policy_document
from .resources import tracking
from .text.views import Views

__all__ = ["Engine", "Explanation"]


@dataclass(frozen=True, slots=True)
class Explanation:
    item: Item
    views: Views
    signals: tuple[Signal, ...]
    decision: Decision


class Engine:
    """A policy and the detectors it names, assembled and validated together."""

    def __init__(self, policy: Policy, detectors: Sequence[Detector], provenance: Provenance | None = None) -> None:
        self.policy = policy
        self.detectors = tuple(detectors)
        self.detector_names = tuple(d.name for d in self.detectors)
        if provenance is None:  # assembled by hand: no loads were tracked, configs still count
            provenance = fingerprint(policy.version, [(d.name, resolved_config(d), ()) for d in self.detectors])
        self.provenance = provenance
        # Stateful stages (campaigns.v1) learn from the engine's own decisions: a removal whose
        # deciding rule is one of these (category scam, action remove) confirms a campaign as a scam.
        self._feedback = tuple(d for d in self.detectors if hasattr(d, "feedback"))
        self._scam_rules = frozenset(r.id for r in policy.rules
                                     if r.category == "scam" and r.action == "remove" and r.mode == "enforce")

    @property
    def fingerprint(self) -> str:
        """Short digest of the policy, resolved detector configs and every data file and model loaded."""
        return self.provenance.fingerprint

    @classmethod
    def from_policy(
        cls,
        path: str | Path | None = None,
        *,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        context: DetectorContext | None = None,
    ) -> "Engine":
        """Build the engine a policy file describes (default: the packaged policy).

        ``overrides`` replaces parts of a detector's config (e.g. ``{"classifier.v1": {"model": path}}``);
        ``context`` carries engine-level resources for the detectors (e.g. a registry in memory),
        never mixed into their configs. Fails early, listing valid names, when a detector config
        has an unknown key or a value of the wrong type, or a rule names a signal or tag no
        detector emits.
        """
        document = read_policy_document(path)
        configs = dict(document.get("detectors") or {})
        for name, extra in (overrides or {}).items():
            configs[name] = {**(configs.get(name) or {}), **extra}
        for name in configs:  # import every factory first: imports must not land in a tracked build
            registry.config_class(name)
        detectors = []
        built = []
        for name, cfg in configs.items():
            with tracking() as loads:
                detector = registry.create(name, cfg or {}, context)
            detectors.append(detector)
            built.append((name, resolved_config(detector) or dict(cfg or {}), tuple(loads)))
        signals = {s for d in detectors for s in d.signals}
        tag_sets = [getattr(d, "tags", None) for d in detectors]
        tags = None if any(t is None for t in tag_sets) else {t for ts in tag_sets for t in ts}
        facts = {f for d in detectors for f in getattr(d, "facts", ())}
        policy = parse_policy(document, signals=signals, tags=tags, facts=facts)
        return cls(policy, detectors, fingerprint(policy.version, built))

    def signals_batch(self, prepared: Sequence[Prepared]) -> list[list[Signal]]:
        """Every detector's signals per item, each capped at ``MAX_EVIDENCE`` spans (the one place
        the cap is applied, so no detector can make a decision grow with its text)."""
        per_item: list[list[Signal]] = [[] for _ in prepared]
        for detector in self.detectors:
            for bucket, found in zip(per_item, detector.detect_batch(prepared)):
                bucket.extend(cap_evidence(s) for s in found)
        return per_item

    def decide_batch(self, items: Iterable[Item]) -> list[Decision]:
        prepared = [Prepared(item) for item in items]
        all_signals = self.signals_batch(prepared)
        decisions = [self._evaluate(p, sigs) for p, sigs in zip(prepared, all_signals)]
        for stage in self._feedback:
            stage.feedback(prepared, decisions, self._scam_rules)
        return decisions

    @property
    def stateful(self) -> bool:
        """True when a detector keeps state across batches (``campaigns.v1``): its results depend on
        every earlier batch this engine decided, in order."""
        return bool(self._feedback)

    def stage(self, name: str = "campaigns.v1") -> Any:
        """The engine's detector of that name (e.g. the campaign stage, for ``touched()`` and
        ``confirm()``), or None when the policy does not enable it."""
        return next((d for d in self.detectors if d.name == name), None)

    def campaign(self, key: str) -> Any:
        """Campaign ``key`` as this engine's campaign stage last saw it (a
        :class:`khien.campaigns.records.Cluster`), or None: the lookup the store's recording of
        decisions uses (``campaigns=engine.campaign``)."""
        stage = self.stage()
        return stage.snapshot(key) if stage is not None else None

    def confirm_campaign(self, key: str) -> None:
        """A moderator removed campaign ``key``'s posts as scam: later members this engine decides
        carry ``campaign.confirmed_scam`` (no-op without a campaign stage)."""
        stage = self.stage()
        if stage is not None:
            stage.confirm(key)

    def _evaluate(self, prepared: Prepared, signals: list[Signal]) -> Decision:
        return evaluate(self.policy, prepared.item, prepared.views, signals, self.detector_names,
                        fingerprint=self.fingerprint)

    def decide(self, item: Item) -> Decision:
        return self.decide_batch([item])[0]

    def explain(self, item: Item) -> Explanation:
        prepared = Prepared(item)
        signals = self.signals_batch([prepared])[0]
        decision = self._evaluate(prepared, signals)
        return Explanation(item, prepared.views, tuple(signals), decision)
