"""Classification metrics in plain numpy: macro-F1, accuracy, per-class figures, confusion matrix."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["confusion", "macro_f1", "report"]


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Rows: true class; columns: predicted class. With ``weights``, a weighted count."""
    idx = np.asarray(y_true, dtype=np.int64) * n_classes + np.asarray(y_pred, dtype=np.int64)
    counts = np.bincount(idx, weights=weights, minlength=n_classes * n_classes)
    m = counts.reshape(n_classes, n_classes)
    return m if weights is not None else m.astype(np.int64)


def _prf(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diag(m).astype(float)
    pred = m.sum(0).astype(float)
    true = m.sum(1).astype(float)
    precision = np.divide(tp, pred, out=np.zeros_like(tp), where=pred > 0)
    recall = np.divide(tp, true, out=np.zeros_like(tp), where=true > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return precision, recall, f1


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int, weights: np.ndarray | None = None) -> float:
    """Mean of the per-class F1 (classes absent from both sides count as 0); ``weights`` weigh items."""
    return float(_prf(confusion(y_true, y_pred, n_classes, weights))[2].mean())


def report(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """The figures ``khien eval`` prints."""
    m = confusion(y_true, y_pred, len(labels))
    precision, recall, f1 = _prf(m)
    support = m.sum(1)
    return {
        "macro_f1": round(float(f1.mean()), 4),
        "accuracy": round(float(np.trace(m) / max(1, m.sum())), 4),
        "per_class": {
            label: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        "confusion_matrix": {"labels": list(labels), "rows_true_columns_predicted": m.tolist()},
    }
