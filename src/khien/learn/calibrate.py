"""Calibration and decision thresholds, fitted on held-out data.

- *Vector scaling*: ``p = softmax(scale * raw + shift)``, one scale and shift per class, chosen to
  minimise the held-out log-loss (Guo et al. 2017): turns linear scores into probabilities a
  policy can threshold.
- *Offsets*: per-class additions to the log probabilities before the arg-max, tuned for macro-F1,
  because the most probable class is not the best decision for rare classes.
"""

from __future__ import annotations

import numpy as np

from .metrics import macro_f1

__all__ = ["fit_calibration", "tune_offsets"]


def fit_calibration(raw: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vector scaling: the per-class scale and shift minimising the held-out log-loss."""
    from scipy.optimize import minimize

    n, k = raw.shape
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    reg = 1e-3

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = params[:k], params[k:]
        z = raw * a + b
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        p = np.exp(logp)
        value = -(onehot * logp).sum() / n + reg * ((a - 1) ** 2).sum()
        g = (p - onehot) / n
        grad = np.concatenate([(g * raw).sum(0) + 2 * reg * (a - 1), g.sum(0)])
        return float(value), grad

    start = np.concatenate([np.ones(k), np.zeros(k)])
    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    params = result.x if np.all(np.isfinite(result.x)) else start
    return params[:k], params[k:]


def tune_offsets(proba: np.ndarray, y: np.ndarray, *, rounds: int = 3, weights: np.ndarray | None = None) -> np.ndarray:
    """Per-class offsets on log probabilities that maximise macro-F1 (coordinate ascent).

    A move must gain at least 0.001 so that noise in a small dev set does not pull the offsets.
    """
    k = proba.shape[1]
    logp = np.log(np.maximum(proba, 1e-12))
    offsets = np.zeros(k)
    best = macro_f1(y, np.argmax(logp, axis=1), k, weights)
    grid = np.round(np.arange(-3.0, 3.0001, 0.05), 4)
    for _ in range(rounds):
        moved = False
        for c in range(1, k):
            for value in grid:
                trial = offsets.copy()
                trial[c] = value
                f = macro_f1(y, np.argmax(logp + trial, axis=1), k, weights)
                if f > best + 1e-3 or (f >= best and abs(value) < abs(offsets[c]) and f > best - 1e-12):
                    best, offsets = f, trial
                    moved = True
        if not moved:
            break
    return offsets
