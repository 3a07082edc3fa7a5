"""Detection quality on labelled data: precision, recall and F1 per category and per action."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

__all__ = ["Scores", "category_scores", "read_gold"]


@dataclass(frozen=True, slots=True)
class Scores:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def read_gold(path: str | Path) -> dict[str, tuple[str, frozenset[str]]]:
    """``id → (action, categories)`` from a TSV with columns id, action, categories."""
    gold = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            cats = frozenset(c.strip() for c in (row.get("categories") or "").split(",") if c.strip())
            gold[row["id"]] = (row["action"].strip(), cats)
    return gold


def category_scores(
    predicted: Mapping[str, Iterable[str]], gold: Mapping[str, Iterable[str]], categories: Iterable[str]
) -> dict[str, Scores]:
    """Per-category scores over the ids present in ``gold``."""
    out = {}
    for cat in categories:
        tp = fp = fn = 0
        for ident, truth in gold.items():
            want = cat in set(truth)
            got = cat in set(predicted.get(ident, ()))
            tp += want and got
            fp += got and not want
            fn += want and not got
        out[cat] = Scores(tp, fp, fn)
    return out
