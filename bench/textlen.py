"""Benchmark: the engine's cost on one long text, beside the same characters as many short posts.

    python bench/textlen.py [--max 1000000] [--sizes 10000,100000,300000,1000000] [--text varied|repeated]
                            [--no-memory] [--repeat 1]

For each size N one text of N characters is decided with ``Engine.decide``; next to it, in the same
run, the **baseline**: the same N characters cut into ~500-character posts and decided with
``Engine.decide_batch`` in batches of 512 (the engine's normal cost per character, what the runners do).
The figure that matters is the ratio of seconds per 100k characters (long / baseline): the engine is
linear in text length when it stays near 1 as N grows.

Texts:

- ``varied`` (default): real posts (examples/posts.jsonl and the corpus's train batches) in a fixed
  shuffled order, joined by newlines, cut at N characters;
- ``repeated``: one harmful sentence repeated (repeated n-grams are the classic quadratic trigger).

Peak memory is measured by ``tracemalloc`` in a second, separate decide (tracemalloc slows Python
allocation, so the timings come from runs without it) and printed as bytes and as a multiple of the
text's UTF-8 size. ``--no-memory`` skips it.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from khien import Engine, Item  # noqa: E402

REPEATED = "Chuyển khoản ngay 500k vào số tài khoản 0987654321 để nhận quà, thằng óc chó kia câm mồm đi. "
POST_CHARS = 500
BATCH = 512


def real_posts(seed: int = 11) -> list[str]:
    """Texts of examples/posts.jsonl and the corpus's train batches, shuffled with a fixed seed."""
    from khien.learn.corpus import load_corpus

    lines = (REPO / "examples" / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    texts += [p.text for p in load_corpus("train")]
    random.Random(seed).shuffle(texts)
    return texts


def long_text(n: int, kind: str, posts: list[str]) -> str:
    if kind == "repeated":
        return (REPEATED * (n // len(REPEATED) + 1))[:n]
    parts: list[str] = []
    size = 0
    i = 0
    while size < n:
        t = posts[i % len(posts)]
        parts.append(t)
        size += len(t) + 1
        i += 1
    return "\n".join(parts)[:n]


def short_posts(text: str) -> list[str]:
    """``text`` cut into ~500-character posts at spaces or newlines (the same characters)."""
    out = []
    at = 0
    while at < len(text):
        end = min(at + POST_CHARS, len(text))
        if end < len(text):
            cut = max(text.rfind(" ", at, end), text.rfind("\n", at, end))
            end = cut if cut > at else end
        out.append(text[at:end])
        at = end
    return out


def time_long(engine: Engine, text: str) -> float:
    gc.collect()
    started = time.perf_counter()
    engine.decide(Item(id="long", text=text))
    return time.perf_counter() - started


def time_baseline(engine: Engine, posts: list[str]) -> float:
    items = [Item(id=f"s{i}", text=t) for i, t in enumerate(posts)]
    gc.collect()
    started = time.perf_counter()
    for at in range(0, len(items), BATCH):
        engine.decide_batch(items[at:at + BATCH])
    return time.perf_counter() - started


def peak_long(engine: Engine, text: str) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        engine.decide(Item(id="long", text=text))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,300000,1000000")
    ap.add_argument("--max", type=int, default=None, help="skip sizes above this many characters")
    ap.add_argument("--text", choices=("varied", "repeated"), default="varied")
    ap.add_argument("--repeat", type=int, default=1, help="time each figure this many times; the best is kept")
    ap.add_argument("--no-memory", action="store_true")
    args = ap.parse_args()

    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.max is not None:
        sizes = [s for s in sizes if s <= args.max]
    engine = Engine.from_policy()
    posts = real_posts()
    engine.decide_batch([Item(id="w", text=t) for t in posts[:64]])  # lazy loads and caches

    print(f"text={args.text}; baseline: the same characters as ~{POST_CHARS}-character posts through "
          f"decide_batch (batches of {BATCH})")
    head = (f"{'chars':>9} {'long s':>9} {'s/100k':>8} {'base s':>8} {'base s/100k':>11} {'ratio':>6} "
            f"{'peak MB':>8} {'peak/text':>9}")
    print(head)
    for n in sizes:
        text = long_text(n, args.text, posts)
        t_long = min(time_long(engine, text) for _ in range(args.repeat))
        pieces = short_posts(text)
        t_base = min(time_baseline(engine, pieces) for _ in range(args.repeat))
        per_long = t_long / n * 100_000
        per_base = t_base / n * 100_000
        mem = ""
        if not args.no_memory:
            peak = peak_long(engine, text)
            size = len(text.encode("utf-8"))
            mem = f"{peak / 1e6:>8.1f} {peak / size:>8.1f}x"
        print(f"{n:>9,} {t_long:>9.2f} {per_long:>8.3f} {t_base:>8.2f} {per_base:>11.3f} "
              f"{per_long / per_base:>5.2f}x {mem}", flush=True)


if __name__ == "__main__":
    main()
