"""Classifier detector: a learned text model (``khien train``) as a detector.

Config:

- ``model``: a model directory, or ``default`` for the packaged model (ViHOS + Khiên's own
  examples; labels ``clean`` and ``offensive``).
- ``labels``: model label → taxonomy category; a label mapped to ``null`` is ignored. Without it,
  the mapping stored in the model is used (for the default model: ``offensive`` → ``profanity``).
  Several labels may map to one category; its score is then the sum of their probabilities.
- ``min_score``: signals below this calibrated probability are not emitted (default 0.2).
- ``evidence_min_score``: evidence spans are computed from this score on (default 0.5).

One signal per mapped category, named ``classifier.v1``. The score is the model's calibrated
probability. When the model's tuned decision picks a label, that label is added to the signal's
tags, so a policy can follow the decision threshold chosen for macro-F1 (``tags: [offensive]``).
Evidence spans are tokens of the canonical view, mapped back to the user's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import DetectorError, KhienError
from ..model import Evidence, Signal
from ..resources import resolve
from .base import Example, Prepared, configure
from .context import DetectorContext

__all__ = ["ClassifierConfig", "ClassifierDetector"]


@dataclass(frozen=True, slots=True)
class ClassifierConfig:
    """``classifier.v1`` config (see the module docstring for what each key does)."""

    model: str = "default"
    labels: dict[str, str | None] | None = None
    min_score: float = 0.2
    evidence_min_score: float = 0.5


@lru_cache(maxsize=8)
def _load(path: str) -> Any:
    from ..learn.format import load_model

    return load_model(path)


class ClassifierDetector:
    """Scores from a trained text classifier, mapped to the policy's categories."""

    name = "classifier.v1"
    requires = ("canonical", "folded")

    Config = ClassifierConfig

    def __init__(self, config: ClassifierConfig | Mapping[str, Any] | None = None,
                 context: DetectorContext | None = None, /, **options: Any) -> None:
        from ..policy.schema import TAXONOMY

        self.config = configure(ClassifierConfig, self.name, config, options)
        model, labels = self.config.model, self.config.labels
        min_score, evidence_min_score = self.config.min_score, self.config.evidence_min_score
        self.is_default = model in ("default", "packaged:default")
        try:
            path = resolve("packaged:default" if self.is_default else model, "model")
            self.model = _load(str(path.resolve()))
        except KhienError as exc:
            raise DetectorError(f"classifier.v1: {exc}") from exc
        mapping = dict(labels) if labels is not None else dict(self.model.meta.get("categories") or {})
        if not mapping:
            mapping = {label: label for label in self.model.labels if label in TAXONOMY}
        if not isinstance(mapping, dict):
            raise DetectorError("classifier.v1: 'labels' must map model labels to categories")
        for label, category in mapping.items():
            if str(label) not in self.model.labels:
                raise DetectorError(
                    f"classifier.v1: label {label!r} is not a label of model {self.model.name!r}",
                    hint=f"Its labels are: {', '.join(self.model.labels)}.",
                )
            if category is not None and category not in TAXONOMY:
                raise DetectorError(
                    f"classifier.v1: label {label!r} maps to unknown category {category!r}",
                    hint=f"Valid categories: {', '.join(TAXONOMY)}; use null to ignore a label.",
                )
        if not any(c is not None for c in mapping.values()):
            raise DetectorError(
                f"classifier.v1: no label of model {self.model.name!r} maps to a category",
                hint=f"Set 'labels', e.g. {{{self.model.labels[-1]}: harassment}}; labels: {', '.join(self.model.labels)}.",
            )
        for key, value in (("min_score", min_score), ("evidence_min_score", evidence_min_score)):
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise DetectorError(f"classifier.v1: {key} must be a number between 0 and 1, found {value!r}")
        self.min_score = float(min_score)
        self.evidence_min_score = float(evidence_min_score)
        index = {label: i for i, label in enumerate(self.model.labels)}
        by_category: dict[str, list[int]] = {}
        for label, category in mapping.items():
            if category is not None:
                by_category.setdefault(category, []).append(index[str(label)])
        self._categories = tuple(sorted(by_category))
        self._columns = [tuple(by_category[c]) for c in self._categories]
        self.emits = self._categories
        # which trained model produced a score, for reviewers reading a stored decision
        self._model_sha = str((self.model.meta.get("arrays") or {}).get("sha256", ""))[:12]

    @property
    def signals(self) -> tuple[str, ...]:
        return (self.name,)

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(self.model.labels)

    @property
    def examples(self) -> tuple[Example, ...]:
        if not self.is_default or "profanity" not in self.emits:
            return ()
        return (
            Example("Thằng kia mày ngu như chó, câm mồm lại đi", emits=("profanity",)),
            Example("dm thang nay an noi nhu l, cut di cho khuat mat", emits=("profanity",)),
            Example("Cảm ơn shop, hàng giao nhanh, đóng gói cẩn thận lắm", not_emits=("profanity",)),
            Example("Chúc cả nhà cuối tuần vui vẻ và bình an nhé", not_emits=("profanity",)),
        )

    def scores(self, batch: Sequence[Prepared]) -> np.ndarray:
        """Calibrated probabilities (rows: items; columns: model labels), reusing the views."""
        from ..learn.model import view_texts

        return self.model.predict_proba(view_texts([p.views for p in batch]))

    def detect_batch(self, batch: Sequence[Prepared]) -> list[list[Signal]]:
        if not batch:
            return []
        proba = self.scores(batch)
        decided = self.model.decide(proba)
        out: list[list[Signal]] = [[] for _ in batch]
        for cat, cols in zip(self._categories, self._columns):
            score = np.minimum(proba[:, list(cols)].sum(axis=1), 1.0)
            emit = np.flatnonzero(score >= self.min_score)
            if not len(emit):
                continue
            need = [int(i) for i in emit if score[i] >= self.evidence_min_score]
            label_for_evidence = cols[0] if len(cols) == 1 else None
            spans: dict[int, list[tuple[int, int]]] = {}
            if need:
                label = label_for_evidence if label_for_evidence is not None else int(max(cols, key=lambda c: proba[need[0], c]))
                found = self.model.evidence_spans([batch[i].views.canonical.text for i in need], label)
                spans = dict(zip(need, found))
            for i in emit:
                i = int(i)
                prepared = batch[i]
                canonical = prepared.views.canonical
                evidence = []
                for s, e in spans.get(i, ()):
                    o_s, o_e, quote = canonical.quote(s, e)
                    if o_e > o_s:
                        evidence.append(Evidence(o_s, o_e, quote, label=f"model cue: {self.model.labels[cols[0]]}"))
                chosen = int(decided[i])
                tags = frozenset({self.model.labels[chosen]}) if chosen in cols else frozenset()
                out[i].append(
                    Signal(
                        detector=self.name,
                        category=cat,
                        score=float(score[i]),
                        evidence=tuple(evidence),
                        tags=tags,
                        details={"model": self.model.name, "model_sha256": self._model_sha,
                                 "labels": [self.model.labels[c] for c in cols]},
                    )
                )
        return out
