"""Evaluate a model on labelled data: the JSON report ``khien eval`` prints."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..errors import ModelError
from ..text.views import views
from .data import Dataset
from .metrics import report
from .model import TextModel, view_texts

__all__ = ["evaluate"]


def evaluate(model: TextModel, data: Dataset) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class figures, confusion matrix and speed on ``data``.

    ``items_per_second`` counts everything a prediction costs from the raw text (views included).
    Labels the model does not know are an error: they would silently count as mistakes.
    """
    unknown = sorted(set(data.labels) - set(model.labels))
    if unknown:
        raise ModelError(
            f"the data has label {unknown[0]!r} the model was not trained on; model labels: {', '.join(model.labels)}",
            hint="Use the same label column and label names as in training.",
        )
    index = {c: i for i, c in enumerate(model.labels)}
    y = np.array([index[label] for label in data.labels], dtype=np.int64)
    started = time.perf_counter()
    texts = view_texts([views(t) for t in data.texts])
    predicted = model.decide(model.predict_proba(texts))
    elapsed = time.perf_counter() - started
    out = report(y, predicted, model.labels)
    out["items"] = len(data)
    out["items_per_second"] = round(len(data) / elapsed, 1) if elapsed > 0 else None
    out["model"] = {
        "name": model.name,
        "data_sha256": model.meta.get("training", {}).get("data_sha256"),
        "code_version": model.meta.get("code_version"),
    }
    out["data_sha256"] = data.digest()
    return out
