"""Benchmark: items/s of the whole `khien scan` path, beside a transformer baseline measured here.

    python bench/scan.py [--mix realistic|examples] [--items 100000] [--workers N] [--baseline-posts 64]

Two inputs:

- ``realistic`` (default): natural Vietnamese social-media comments (ViHOS, MIT, read from
  ../shared/datasets/vihos) with 5% scams that ask the reader to act (from the corpus's train
  batches); this is the mix the speed goal (>= 5,000 posts/s) is set on;
- ``examples``: examples/posts.jsonl, 80% harmful and long (the worst case for the engine).

Ids are made unique and texts varied with a counter, with shuffled word order in a third of the
copies, so caches cannot help. `khien scan` runs as a
subprocess exactly as a user runs it, reading a file and writing decisions; its wall time and peak
memory (max RSS of the scan process tree) are reported.

Baseline: a forward pass of a PhoBERT-base-sized transformer encoder (12 layers, hidden 768, 12 heads,
FFN 3072, vocabulary 64k, sequence length 128) with random weights, in NumPy on the same cores
(speed does not depend on the weights). The issue reports ~13 posts/s for PhoBERT-base in PyTorch here.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def realistic_posts(seed: int = 7) -> list[dict]:
    """ViHOS comments (95%) and soliciting scams from the corpus's train batches (5%), shuffled."""
    import csv

    sys.path.insert(0, str(REPO / "src"))
    from khien.learn.corpus import load_corpus
    from khien.learn.recipe import datasets_root

    natural = []
    for split in ("train", "dev", "test"):
        with open(datasets_root() / "vihos" / f"{split}.csv", encoding="utf-8", newline="") as fh:
            natural += [r["content"] for r in csv.DictReader(fh) if r["content"].strip()]
    scams = [p.text for p in load_corpus("train") if "scam" in p.labels and p.stance == "solicits"]
    rng = random.Random(seed)
    n_scam = max(1, round(len(natural) * 5 / 95))
    texts = natural + [scams[i % len(scams)] for i in range(n_scam)]
    rng.shuffle(texts)
    return [{"id": "", "text": t} for t in texts]


def make_input(path: Path, n: int, seed: int = 7, mix: str = "realistic") -> int:
    if mix == "realistic":
        posts = realistic_posts(seed)
    else:
        posts = [json.loads(l) for l in (REPO / "examples" / "posts.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    rng = random.Random(seed)
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            post = dict(posts[i % len(posts)])
            post["id"] = f"b{i:07d}"
            text = post["text"]
            if i % 3 == 1:
                words = text.split(" ")
                rng.shuffle(words)
                text = " ".join(words)
            post["text"] = f"{text} #{i}"
            line = json.dumps(post, ensure_ascii=False)
            size += len(line) + 1
            fh.write(line + "\n")
    return size


def transformer_posts_per_second(posts: int = 64, seq: int = 128, batch: int = 16, seed: int = 0) -> float:
    """Forward pass of a BERT-base-sized encoder (PhoBERT-base shape) in float32 NumPy."""
    rng = np.random.default_rng(seed)
    d, heads, ff, layers, vocab = 768, 12, 3072, 12, 64001
    emb = rng.standard_normal((vocab, d), dtype=np.float32) * 0.02
    weights = [
        {
            "qkv": rng.standard_normal((d, 3 * d), dtype=np.float32) * 0.02,
            "o": rng.standard_normal((d, d), dtype=np.float32) * 0.02,
            "f1": rng.standard_normal((d, ff), dtype=np.float32) * 0.02,
            "f2": rng.standard_normal((ff, d), dtype=np.float32) * 0.02,
        }
        for _ in range(layers)
    ]

    def layer_norm(x: np.ndarray) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-5)

    def gelu(x: np.ndarray) -> np.ndarray:
        return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))

    def forward(tokens: np.ndarray) -> np.ndarray:
        b, n = tokens.shape
        x = emb[tokens]
        hd = d // heads
        for w in weights:
            qkv = x @ w["qkv"]
            q, k, v = np.split(qkv, 3, axis=-1)
            q = q.reshape(b, n, heads, hd).transpose(0, 2, 1, 3)
            k = k.reshape(b, n, heads, hd).transpose(0, 2, 3, 1)
            v = v.reshape(b, n, heads, hd).transpose(0, 2, 1, 3)
            att = (q @ k) / np.sqrt(hd)
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(b, n, d)
            x = layer_norm(x + ctx @ w["o"])
            x = layer_norm(x + gelu(x @ w["f1"]) @ w["f2"])
        return x[:, 0]

    forward(rng.integers(0, vocab, (2, seq)))  # warm up
    started = time.perf_counter()
    done = 0
    while done < posts:
        forward(rng.integers(0, vocab, (batch, seq)))
        done += batch
    return done / (time.perf_counter() - started)


def torch_transformer_posts_per_second(posts: int = 64, seq: int = 128, batch: int = 16) -> float | None:
    """The same shape in PyTorch (CPU), when torch is installed (``pip install torch==2.13.0``)."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(768, 12, 3072, batch_first=True, activation="gelu")
    model = torch.nn.Sequential(torch.nn.Embedding(64001, 768), torch.nn.TransformerEncoder(layer, 12, enable_nested_tensor=False))
    model.eval()
    with torch.inference_mode():
        model(torch.randint(0, 64001, (2, seq)))
        started = time.perf_counter()
        done = 0
        while done < posts:
            model(torch.randint(0, 64001, (batch, seq)))
            done += batch
    return done / (time.perf_counter() - started)


def breakdown(path: Path, n: int = 5000) -> list[tuple[str, float]]:
    """In-process cost per post of each stage (views, every detector, policy) on the first ``n`` posts."""
    sys.path.insert(0, str(REPO / "src"))
    from khien import Engine, Item
    from khien.detect.base import Prepared
    from khien.policy import evaluate

    items = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            items.append(Item.from_dict(json.loads(line)))
            if len(items) >= n:
                break
    engine = Engine.from_policy()
    engine.decide_batch(items[:64])  # warm caches and lazy loads
    prepared = [Prepared(it) for it in items]
    out = []
    t = time.perf_counter()
    for p in prepared:
        p.views
    out.append(("views", (time.perf_counter() - t) / len(items)))
    signals = [[] for _ in prepared]
    for det in engine.detectors:
        t = time.perf_counter()
        for bucket, found in zip(signals, det.detect_batch(prepared)):
            bucket.extend(found)
        out.append((det.name, (time.perf_counter() - t) / len(items)))
    t = time.perf_counter()
    for p, sigs in zip(prepared, signals):
        evaluate(engine.policy, p.item, p.views, sigs, engine.detector_names)
    out.append(("policy", (time.perf_counter() - t) / len(items)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--mix", choices=("realistic", "examples"), default="realistic")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--baseline-posts", type=int, default=64)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "posts.jsonl"
        size = make_input(src, args.items, mix=args.mix)
        out = Path(tmp) / "decisions.jsonl"
        cmd = [sys.executable, "-m", "khien", "scan", str(src), "-o", str(out), "-q"]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True)
        wall = time.perf_counter() - started
        if proc.returncode not in (0, 1):
            sys.exit(f"khien scan failed: {proc.stderr.decode()[-2000:]}")
        decided = sum(1 for _ in out.open("rb"))
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        stages = breakdown(src)
    # Start-up (imports, policy, automata) is part of what a user waits for; report it separately too.
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "khien", "scan", "-", "-q"], input=b"", capture_output=True)
    startup = time.perf_counter() - t0

    baseline = torch_transformer_posts_per_second(args.baseline_posts)
    baseline_name = "PyTorch 2.13 CPU"
    if baseline is None:
        baseline = transformer_posts_per_second(args.baseline_posts)
        baseline_name = "NumPy (torch not installed)"
    rate = decided / wall
    steady = decided / max(wall - startup, 1e-9)
    print(f"machine: {os.cpu_count()} cores")
    source = "natural comments + 5% scams" if args.mix == "realistic" else "examples/"
    print(f"input: {args.items:,} posts, {source} ({size / 1e6:.1f} MB JSONL)")
    print(f"khien scan (end to end, subprocess): {decided:,} decisions in {wall:.2f} s = {rate:,.0f} posts/s")
    print(f"  start-up alone: {startup:.2f} s; excluding start-up: {steady:,.0f} posts/s")
    print(f"  peak memory (largest process, max RSS): {peak_mb:,.0f} MB")
    print(f"baseline: PhoBERT-base-sized transformer forward pass ({baseline_name}, random weights, seq 128): {baseline:.1f} posts/s")
    print(f"ratio: {rate / baseline:,.0f}x the transformer (goal on the realistic mix: >= 5,000 posts/s)")
    print("cost per post in one process (µs), every post goes through every stage; no stage runs the sentence encoder:")
    for name, seconds in stages:
        print(f"  {name:18} {seconds * 1e6:8.1f}")
    print(f"  {'total':18} {sum(s for _, s in stages) * 1e6:8.1f}")


if __name__ == "__main__":
    main()
