"""Training data and recipe of the packaged intent model (part of ``make model``).

Sources, all of which the project may ship a model trained on:

- the corpus's **train** batches (``corpus/split.yaml``): categories and stance;
- Khiên's development examples (``examples/posts.jsonl`` with ``examples/gold.tsv``): categories;
- ViHOS (MIT) and ``khien/learn/examples.tsv``: natural comments. A comment with no offensive span is
  negative for every category; one with a span is negative for scam, spam and self-harm and unknown
  for the abuse categories (ViHOS does not say whether an offensive span is hate, an insult or a
  swear word).

The held-out corpus batches are never read here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np

from .corpus import STANCES, load_corpus
from .intent import IntentConfig, IntentData, IntentModel, train_intent
from .static import load_vectors

__all__ = ["HEADS", "intent_data", "train_default_intent", "INTENT_CONFIG"]

HEADS = ("scam", "spam", "hate", "harassment", "violence", "sexual", "self_harm")
_ABUSE = {"hate", "harassment", "violence", "sexual"}
INTENT_CONFIG = IntentConfig()


def _repo() -> Path:
    return Path(__file__).resolve().parents[3]


def examples_rows() -> list[tuple[str, frozenset[str]]]:
    """``examples/posts.jsonl`` texts with their hand-labelled categories (``examples/gold.tsv``)."""
    from ..quality import read_gold

    posts = _repo() / "examples" / "posts.jsonl"
    gold_path = _repo() / "examples" / "gold.tsv"
    if not posts.exists() or not gold_path.exists():
        return []
    gold = read_gold(gold_path)
    rows = (json.loads(line) for line in posts.read_text(encoding="utf-8").splitlines() if line.strip())
    return [(row["text"], gold[row["id"]][1]) for row in rows if row["id"] in gold]


def intent_data(exclude: Callable[[str], bool] | None = None, *, with_vihos: bool = True) -> IntentData:
    from .recipe import datasets_root, read_examples, read_vihos

    texts: list[str] = []
    rows: list[list[int]] = []
    stances: list[int] = []
    groups: list[str] = []

    def add(text: str, y: list[int], stance: int, group: str) -> None:
        if exclude is not None and exclude(text):
            return
        texts.append(text)
        rows.append(y)
        stances.append(stance)
        groups.append(group)

    for p in load_corpus("train"):
        add(p.text, [int(h in p.labels) for h in HEADS], STANCES.index(p.stance), p.batch)
    for text, cats in examples_rows():
        add(text, [int(h in cats) for h in HEADS], -1, "ext:examples")
    natural = read_examples()
    if with_vihos:
        natural = natural.concat(read_vihos(datasets_root() / "vihos", ("train", "dev", "test")))
    for text, label in zip(natural.texts, natural.labels):
        y = [0 if label == "clean" or h not in _ABUSE else -1 for h in HEADS]
        add(text, y, -1, "ext:natural")
    return IntentData(texts, HEADS, np.array(rows, dtype=np.int8), STANCES, np.array(stances, dtype=np.int16), groups,
                      source="corpus train batches + examples + ViHOS (MIT)")


def train_default_intent(exclude: Callable[[str], bool] | None = None, *, progress=None,
                         config: IntentConfig = INTENT_CONFIG) -> IntentModel:
    return train_intent(intent_data(exclude), load_vectors(), config, name="khien-intent-v1", progress=progress)
