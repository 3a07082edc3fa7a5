"""The default model (ViHOS + Khiên's examples) on ViHSD test, binary: offensive or hate vs clean.

ViHOS is a subset of ViHSD's texts, so the issue asked to remove every ViHSD test text that also
occurs in ViHOS. Measured: that removes *every* offensive and hate test text (ViHOS was built
from all of ViHSD's offensive/hate comments plus a sample of clean ones), leaving only clean
texts, on which macro-F1 is undefined. So this bench reports:

1. the shipped model on the de-duplicated test (all clean): its false-positive rate, beside the
   lexicons';
2. the same recipe retrained without every ViHSD test text (contamination removed from training
   instead of from the test), on the full ViHSD test: binary macro-F1, beside the lexicons alone
   and model OR lexicons: the fair estimate of the default model's quality;
3. out of domain: ViCTSD test toxicity (news comments), same systems;
4. the classifier detector's speed.

    python bench/default_model.py [--datasets ../shared/datasets]

Anchor: the lexicons alone ~0.70 (project measurement); goal for the model >= 0.82.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

from khien.detect.base import Prepared
from khien.detect.classifier import ClassifierDetector
from khien.learn.metrics import macro_f1
from khien.learn.model import view_texts
from khien.learn.recipe import datasets_root, train_default
from khien.model import Item

HARM = ("profanity", "harassment", "hate")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).lower()).strip()


def read_csv(path: Path, column: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row for row in csv.DictReader(f) if column in row]


def _throughput_worker(args: tuple[list[str], int]) -> float:
    texts, repeats = args
    detector = ClassifierDetector()
    batch = [Prepared(Item(str(i), t)) for i, t in enumerate(texts)]
    for p in batch:
        p.views  # noqa: B018  (the engine computes views once for all detectors)
    best = 0.0
    for _ in range(repeats):  # best of several runs: the machine is shared, the best run is the cost
        started = time.perf_counter()
        for a in range(0, len(batch), 2048):
            detector.detect_batch(batch[a:a + 2048])
        best = max(best, len(batch) / (time.perf_counter() - started))
    return best


def best_rate(fn, batch: list[Prepared], runs: int = 5) -> float:
    best = 0.0
    for _ in range(runs):
        started = time.perf_counter()
        for a in range(0, len(batch), 2048):
            fn(batch[a:a + 2048])
        best = max(best, len(batch) / (time.perf_counter() - started))
    return best


def lexicon_scores(batch: list[Prepared]) -> np.ndarray | None:
    try:
        from khien.detect.lexicon import LexiconDetector

        lexicon = LexiconDetector()
    except Exception as exc:  # the lexicons are data other people edit; the bench still reports the model
        print(f"(lexicon detector unavailable: {exc})")
        return None
    out = np.zeros(len(batch))
    for i, signals in enumerate(lexicon.detect_batch(batch)):
        for s in signals:
            if s.category in HARM:
                out[i] = max(out[i], s.score)
    return out


def compare(title: str, y: np.ndarray, model_pred: np.ndarray, lex: np.ndarray | None) -> None:
    print(f"\n{title}: {len(y):,} texts, {int(y.sum()):,} positive")
    print(f"  {'system':36s} macro-F1  false-positive rate")
    rows = [("default model", model_pred)]
    if lex is not None:
        rows += [("lexicons alone (harm score > 0)", (lex > 0).astype(int)),
                 ("lexicons alone (harm score >= 0.5)", (lex >= 0.5).astype(int)),
                 ("model OR lexicons (>= 0.5)", model_pred | (lex >= 0.5).astype(int))]
    for name, pred in rows:
        fpr = float(pred[y == 0].mean()) if (y == 0).any() else float("nan")
        f1 = macro_f1(y, pred, 2) if 0 < y.sum() < len(y) else float("nan")
        print(f"  {name:36s} {f1:8.4f}  {fpr:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=None)
    parser.add_argument("--no-retrain", action="store_true", help="skip part 2 (retraining the recipe)")
    args = parser.parse_args()
    if args.datasets:
        os.environ["KHIEN_DATASETS"] = str(args.datasets)
    root = datasets_root()
    vihos = set()
    for split in ("train", "dev", "test"):
        vihos.update(norm(r["content"]) for r in read_csv(root / "vihos" / f"{split}.csv", "content"))
    test = read_csv(root / "vihsd" / "test.csv", "free_text")
    all_texts = [r["free_text"] for r in test]
    y_all = np.array([0 if r["label_id"] == "0" else 1 for r in test])
    in_vihos = np.array([norm(t) in vihos for t in all_texts])
    print(f"ViHSD test: {len(test):,} texts ({int(y_all.sum()):,} offensive or hate); {int(in_vihos.sum()):,} also in "
          f"ViHOS, of which {int(y_all[in_vihos].sum()):,} offensive or hate: the de-duplicated test has "
          f"{int(y_all[~in_vihos].sum())} offensive or hate texts left")

    detector = ClassifierDetector()
    model = detector.model
    off = model.labels.index("offensive")
    batch_all = [Prepared(Item(str(i), t)) for i, t in enumerate(all_texts)]
    started = time.perf_counter()
    for p in batch_all:
        p.views  # noqa: B018  (computed once per post, shared by all detectors)
    views_s = time.perf_counter() - started
    lex_all = lexicon_scores(batch_all)

    # 1. the shipped model on the de-duplicated test (all clean)
    keep = np.flatnonzero(~in_vihos)
    batch = [batch_all[i] for i in keep]
    proba = np.vstack([detector.scores(batch[a:a + 2048]) for a in range(0, len(batch), 2048)])
    compare("1. shipped model, ViHSD test minus ViHOS texts", y_all[keep], (model.decide(proba) == off).astype(int),
            None if lex_all is None else lex_all[keep])

    # 2. the same recipe with every ViHSD test text kept out of training, on the full test
    if not args.no_retrain:
        test_norm = {norm(t) for t in all_texts}
        started = time.perf_counter()
        held = train_default(exclude=lambda t: norm(t) in test_norm)
        train_s = time.perf_counter() - started
        p_all = held.predict_proba(view_texts([p.views for p in batch_all]))
        print(f"\n(recipe retrained without the ViHSD test texts: {held.meta['training']['examples']:,} training "
              f"texts, {train_s:.0f} s)")
        compare("2. default recipe without ViHSD-test texts, full ViHSD test", y_all,
                (held.decide(p_all) == held.labels.index("offensive")).astype(int), lex_all)

    # 3. out of domain: ViCTSD toxicity
    victsd = read_csv(root / "victsd" / "ViCTSD_test.csv", "Comment")
    vb = [Prepared(Item(str(i), r["Comment"])) for i, r in enumerate(victsd)]
    yv = np.array([int(r["Toxicity"]) for r in victsd])
    pv = detector.scores(vb)
    compare("3. shipped model, ViCTSD test (toxic vs not, out of domain)", yv,
            (model.decide(pv) == off).astype(int), lexicon_scores(vb))
    print("\nanchor: lexicons alone ~0.70 (project measurement); goal for the model >= 0.82")

    # 4. speed
    n = len(batch_all)
    print(f"\nspeed on the {n:,} ViHSD test posts (best of 5 runs; the machine is shared):")
    print(f"  views (computed once per post, shared by all detectors): {n / views_s:,.0f} posts/s on one core")
    print(f"  classifier prediction from views: {best_rate(detector.scores, batch_all):,.0f} posts/s on one core")
    print(f"  classifier detector (signals + evidence): {best_rate(detector.detect_batch, batch_all):,.0f} posts/s on one core")
    cores = min(2, os.cpu_count() or 1)
    halves = [all_texts[i::cores] for i in range(cores)]
    with mp.get_context("fork").Pool(cores) as pool:
        rates = pool.map(_throughput_worker, [(h, 5) for h in halves])
    print(f"  classifier detector (signals + evidence), {cores} processes: {sum(rates):,.0f} posts/s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
