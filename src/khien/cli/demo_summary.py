"""Print how the decisions of ``make demo`` compare with the hand labels of ``examples/gold.tsv``.

The gold file is written by the project alongside the examples; the figures show the examples are
decided as intended, not how the engine does on unseen posts (``bench/quality.py`` measures that on
held-out batches), and the printout says so.
"""

from __future__ import annotations

import sys
from collections import Counter

import orjson

from ..quality import category_scores, read_gold


def main(decisions_path: str, gold_path: str) -> None:
    decisions = [orjson.loads(line) for line in open(decisions_path, "rb") if line.strip()]
    gold = read_gold(gold_path)
    predicted = {d["id"]: [c["name"] for c in d["categories"]] for d in decisions}
    actions = {d["id"]: d["action"] for d in decisions}
    gold_cats = {k: v[1] for k, v in gold.items()}
    cats = sorted({c for v in gold_cats.values() for c in v})
    # Say what the figures are measured against: a reader must not take them for held-out accuracy.
    print(f"\nmeasured against {gold_path}: {len(gold)} posts written and hand-labelled by the project,\n"
          "the examples the lexicons and policy were developed on (not held-out data; for held-out\n"
          "batches and public data sets run: python bench/quality.py)")
    print(f"\n{'category':14} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    for cat, s in category_scores(predicted, gold_cats, cats).items():
        print(f"{cat:14} {s.precision:9.2f} {s.recall:7.2f} {s.f1:6.2f} {s.tp + s.fn:8d}")
    agree = sum(actions.get(k) == v[0] for k, v in gold.items())
    enforced_ok = sum((actions.get(k, "allow") != "allow") == (v[0] != "allow") for k, v in gold.items())
    print(f"\nactions equal to the hand label: {agree}/{len(gold)}; act/allow agreement: {enforced_ok}/{len(gold)}")
    print("actions:", dict(Counter(actions.values())))


if __name__ == "__main__":
    main(*sys.argv[1:3])
