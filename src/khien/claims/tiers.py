"""The two tiers of a fact-check match, ``label`` and ``suggest``, and the calibrated score behind them.

A candidate's score is a calibrated probability that it is the fact-check the post is about: a
logistic model over features that mean the same thing from one post to the next:

- ``cover``: the share of the claim's BM25 weight the post carries (BM25 score / the claim's own
  score against itself), in [0, 1]; a raw BM25 score grows with the post's length, this does not;
- ``cos``: the dense model's cosine (when the ``claims`` extra is installed); ``folded`` (1 when the
  post carries no diacritics) and ``cos_folded`` (their product): the model reads Vietnamese without
  diacritics less well, so a folded post's cosine gets its own weight.

A weighted sum, not reciprocal rank fusion, decides the tiers: RRF's ``1/(60+rank)`` says which
candidate is first but not whether the first is right (a near-miss post has a first candidate
too), and the label tier needs exactly that. RRF would also need no calibration; this needs three
numbers, fitted by ``bench/claims.py --calibrate`` on the calibration batches (01, 04, 05) only
and kept, with the thresholds, in the versioned file ``khien/data/claims_tiers.json``. One model
per mode: ``fused`` (both retrievers), ``bm25`` (no dense model installed) and ``dense``.

Tier rules (:meth:`Tiers.tier`): ``label`` when the score reaches the mode's ``label`` threshold,
the post's stance is ``spreads``, the post has at least ``min_label_words`` words and the
fact-check was reviewed within ``max_label_age_days``; otherwise ``suggest`` when the score
reaches ``suggest``; otherwise no tier (the candidate is dropped).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Mapping, Sequence

from ..strict import ConfigError, parse
from .stance import ClaimStance

__all__ = ["Tier", "ScoreModel", "Tiers", "load_tiers", "TIERS_FILE"]

TIERS_FILE = "claims_tiers.json"


class Tier(StrEnum):
    LABEL = "label"
    SUGGEST = "suggest"


@dataclass(frozen=True, slots=True)
class ScoreModel:
    """Logistic model of one mode: ``P = sigmoid(bias + sum(weights[f] * feature f))``, and its tiers."""

    weights: dict[str, float]
    bias: float
    label: float
    suggest: float

    def score(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True, slots=True)
class Tiers:
    """The calibrated models and rules (``claims_tiers.json``; ``version`` names the calibration)."""

    version: str
    models: dict[str, ScoreModel]
    min_label_words: int = 8
    max_label_age_days: int = 730
    # Below this calibrated BM25 score of the best candidate, the dense model is not run at all
    # (0: always run when BM25 is not decisive); the recipe picks the highest gate that keeps the
    # calibration posts' suggest recall@5.
    dense_gate: float = 0.0
    recipe: str = "PYTHONPATH=src python bench/claims.py --calibrate"
    figures: dict[str, float] = field(default_factory=dict)

    def model(self, mode: str) -> ScoreModel:
        return self.models[mode]

    def tier(self, score: float, mode: str, stance: ClaimStance, words: int, review_date: date | None,
             today: date, max_label_age_days: int | None = None) -> Tier | None:
        m = self.models[mode]
        if score < m.suggest:
            return None
        max_age = self.max_label_age_days if max_label_age_days is None else max_label_age_days
        old = review_date is None or (today - review_date).days > max_age
        if score >= m.label and stance is ClaimStance.SPREADS and words >= self.min_label_words and not old:
            return Tier.LABEL
        return Tier.SUGGEST

    def to_json(self) -> str:
        return json.dumps({
            "version": self.version, "recipe": self.recipe,
            "min_label_words": self.min_label_words, "max_label_age_days": self.max_label_age_days,
            "dense_gate": self.dense_gate,
            "models": {k: {"weights": m.weights, "bias": m.bias, "label": m.label, "suggest": m.suggest}
                       for k, m in self.models.items()},
            "figures": self.figures,
        }, ensure_ascii=False, indent=2) + "\n"


def _from_mapping(data: Mapping[str, object], where: str) -> Tiers:
    raw_models = data.get("models")
    if not isinstance(raw_models, dict) or not raw_models:
        raise ConfigError(f"{where}: models: a mapping of mode to model expected")
    models = {name: parse(ScoreModel, m, f"{where}.models.{name}") for name, m in raw_models.items()}
    rest = {k: v for k, v in data.items() if k != "models"}
    return replace(parse(Tiers, {**rest, "models": {}}, where), models=models)


def load_tiers(path: str | Path | None = None) -> Tiers:
    """The packaged calibration (default) or a file written by ``bench/claims.py --calibrate --out``."""
    if path is None:
        text = resources.files("khien.data").joinpath(TIERS_FILE).read_text(encoding="utf-8")
        where = TIERS_FILE
    else:
        text, where = Path(path).read_text(encoding="utf-8"), str(path)
    return _from_mapping(json.loads(text), where)


def fit_logistic(rows: Sequence[Sequence[float]], ys: Sequence[int], l2: float = 1e-3,
                 iterations: int = 50) -> tuple[list[float], float]:
    """Weights and bias of an L2-regularised logistic regression (Newton's method; for the recipe)."""
    import numpy as np

    x = np.asarray(rows, dtype=np.float64)
    x = np.hstack([x, np.ones((x.shape[0], 1))])
    y = np.asarray(ys, dtype=np.float64)
    w = np.zeros(x.shape[1])
    reg = l2 * np.eye(x.shape[1])
    reg[-1, -1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -50, 50)))
        grad = x.T @ (p - y) + reg @ w
        hess = (x * (p * (1 - p))[:, None]).T @ x + reg + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return [float(v) for v in w[:-1]], float(w[-1])
