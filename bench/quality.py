"""Detection quality: precision/recall per category on examples/, the held-out fixtures, and ViHOS.

    python bench/quality.py [--datasets ../shared/datasets]

1. examples/posts.jsonl against examples/gold.tsv (the demo set; lexicons were developed on it).
2. tests/fixtures (held out: never used to tune lexicons): recall on positives, false positives on hard
   negatives.
3. ViHOS test (../shared/datasets/vihos/test.csv, MIT): the *lexicons alone* (profanity, harassment,
   hate, sexual, violence), comment level (a comment with gold spans vs any lexicon hit) and the
   SemEval-2021 toxic-spans character F1 of the lexicon evidence spans. Published span-F1 baselines
   (trained models, full data): PhoBERT-base 0.7569, XLM-R-large 0.7770.
4. Coverage of the MIT word list ../shared/datasets/vn-offensive-words (never copied into Khiên): the share
   of its entries that our lexicons flag when the entry is the whole text.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import sys
from collections import Counter
from pathlib import Path

from khien import Engine, Item
from khien.detect.base import Prepared
from khien.detect.lexicon import LexiconDetector
from khien.quality import Scores, category_scores, read_gold

REPO = Path(__file__).resolve().parent.parent
OFFENSIVE = ("profanity", "harassment", "hate", "sexual", "violence")


def table(title: str, rows: dict[str, Scores]) -> None:
    print(f"\n{title}\n{'category':14} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    for cat, s in rows.items():
        print(f"{cat:14} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.tp + s.fn:8d}")


def examples(engine: Engine) -> None:
    posts = [json.loads(l) for l in (REPO / "examples/posts.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    gold = read_gold(REPO / "examples/gold.tsv")
    decisions = engine.decide_batch([Item.from_dict(p) for p in posts])
    predicted = {d.id: [c.name for c in d.categories] for d in decisions}
    gold_cats = {k: v[1] for k, v in gold.items()}
    cats = sorted({c for v in gold_cats.values() for c in v})
    table(f"1. examples/ ({len(posts)} posts, development set)", category_scores(predicted, gold_cats, cats))
    acted = {d.id: d.action != "allow" for d in decisions}
    s = Scores(
        sum(acted[k] and v[0] != "allow" for k, v in gold.items()),
        sum(acted[k] and v[0] == "allow" for k, v in gold.items()),
        sum(not acted[k] and v[0] != "allow" for k, v in gold.items()),
    )
    print(f"{'any action':14} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f}   (acted vs gold action ≠ allow)")


def fixtures(engine: Engine) -> None:
    pos = [json.loads(l) for l in (REPO / "tests/fixtures/positives.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    neg = [json.loads(l) for l in (REPO / "tests/fixtures/hard_negatives.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    d_pos = engine.decide_batch([Item(id=p["id"], text=p["text"]) for p in pos])
    d_neg = engine.decide_batch([Item(id=p["id"], text=p["text"]) for p in neg])
    print(f"\n2. held-out fixtures: {len(pos)} positives, {len(neg)} hard negatives")
    print(f"{'category':14} {'recall':>7} {'acted':>6} {'support':>8}")
    found, acted, total = Counter(), Counter(), Counter()
    for p, d in zip(pos, d_pos):
        want = "spam" if p["category"] == "gambling" else p["category"]
        total[p["category"]] += 1
        found[p["category"]] += any(c.name == want for c in d.categories)
        acted[p["category"]] += d.action != "allow"
    for cat in sorted(total):
        print(f"{cat:14} {found[cat] / total[cat]:7.3f} {acted[cat] / total[cat]:6.2f} {total[cat]:8d}")
    print(f"{'all':14} {sum(found.values()) / len(pos):7.3f} {sum(acted.values()) / len(pos):6.2f} {len(pos):8d}")
    kinds, wrong, harm = Counter(), Counter(), Counter()
    for p, d in zip(neg, d_neg):
        kinds[p["kind"]] += 1
        wrong[p["kind"]] += d.action != "allow"
        harm[p["kind"]] += any(c.name != "profanity" for c in d.categories)
    print(f"{'hard negative':18} {'not allowed':>11} {'any harm category':>18} {'n':>4}")
    for kind in sorted(kinds):
        print(f"{kind:18} {wrong[kind]:11d} {harm[kind]:18d} {kinds[kind]:4d}")


def spans_of(offsets: list[int]) -> set[int]:
    return set(offsets)


def vihos(datasets: Path) -> None:
    path = datasets / "vihos" / "test.csv"
    if not path.exists():
        print(f"\n3. ViHOS: {path} not found, skipped")
        return
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    detector = LexiconDetector(lexicons=list(OFFENSIVE))
    prepared = [Prepared(Item(id=str(i), text=r["content"])) for i, r in enumerate(rows)]
    results = detector.detect_batch(prepared)
    tp = fp = fn = 0
    f1_sum = 0.0
    for r, signals in zip(rows, results):
        gold = set(ast.literal_eval(r["index_spans"]))
        pred: set[int] = set()
        for s in signals:
            for e in s.evidence:
                pred.update(range(e.start, e.end))
        hit = bool(signals)
        tp += hit and bool(gold)
        fp += hit and not gold
        fn += (not hit) and bool(gold)
        # SemEval-2021 toxic spans: per-comment F1, 1.0 when both empty
        if not gold and not pred:
            f1_sum += 1.0
        elif gold and pred:
            p = len(gold & pred) / len(pred)
            rc = len(gold & pred) / len(gold)
            f1_sum += 2 * p * rc / (p + rc) if p + rc else 0.0
    s = Scores(tp, fp, fn)
    print(f"\n3. ViHOS test ({len(rows)} comments), lexicons alone ({', '.join(OFFENSIVE)})")
    print(f"comment level: precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}")
    print(f"span char-F1 (SemEval-2021): {f1_sum / len(rows):.4f}   published, trained models: PhoBERT-base 0.7569, XLM-R-large 0.7770")


def coverage(datasets: Path) -> None:
    path = datasets / "vn-offensive-words" / "vn_offensive_words.txt"
    if not path.exists():
        print(f"\n4. vn-offensive-words: {path} not found, skipped")
        return
    words = sorted({l.strip() for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")})
    detector = LexiconDetector(lexicons=list(OFFENSIVE))
    results = detector.detect_batch([Prepared(Item(id=str(i), text=w)) for i, w in enumerate(words)])
    covered = sum(bool(r) for r in results)
    print(f"\n4. vn-offensive-words coverage: {covered}/{len(words)} entries flagged = {covered / len(words):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", type=Path, default=REPO.parent / "shared" / "datasets")
    args = ap.parse_args()
    engine = Engine.from_policy()
    print(f"policy {engine.policy.version}; detectors: {', '.join(engine.detector_names)}")
    examples(engine)
    fixtures(engine)
    vihos(args.datasets)
    coverage(args.datasets)


if __name__ == "__main__":
    sys.exit(main())
