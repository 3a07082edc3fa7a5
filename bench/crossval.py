"""Development figures that do not flatter: leave-one-batch-out over the corpus *train* batches.

For each train batch, the intent model is retrained without it (everything else as `make model`),
and the engine with that model decides the left-out batch. The figures (same definitions as
bench/quality.py section 2) are what the default policy's thresholds were chosen on; the held-out
batches are never read here.

    python bench/crossval.py [--policy POLICY.yaml] [--cache DIR] [--batches b01 b02 ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from quality import decide, figures_of, show  # noqa: E402


def main() -> int:
    from khien import Engine
    from khien.learn.corpus import read_batches, read_split
    from khien.learn.intent_format import save_intent
    from khien.learn.intent_recipe import train_default_intent

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policy", type=Path, default=None)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/khien-crossval"))
    ap.add_argument("--batches", nargs="*", default=None)
    ap.add_argument("--dump", type=Path, default=None, help="write every post with its decision as JSONL (train batches only)")
    args = ap.parse_args()
    batches = args.batches or list(read_split()["train"])
    import hashlib

    from khien.learn.corpus import load_corpus
    from khien.learn.static import load_vectors

    stamp = hashlib.sha256((load_vectors().meta["sha256"] + "".join(p.text for p in load_corpus("train"))).encode()).hexdigest()[:12]
    cache = args.cache / stamp  # a new corpus or new vectors train new fold models
    decisions_posts = []
    for b in batches:
        left_out = read_batches([b])
        texts = {p.text for p in left_out}
        path = cache / f"without-{b}"
        if not (path / "intent.json").exists():
            print(f"training without {b} ...", file=sys.stderr, flush=True)
            save_intent(train_default_intent(exclude=lambda t: t in texts), path)
        eng = Engine.from_policy(args.policy, overrides={"intent.v1": {"model": str(path)}})
        rows = [{"text": p.text, "labels": list(p.labels), "kind": p.kind} for p in left_out]
        decisions_posts.append((eng, rows))
    pooled_rows, pooled_decisions = [], []
    for eng, rows in decisions_posts:
        pooled_rows += rows
        pooled_decisions += decide(eng, [r["text"] for r in rows])
    show(figures_of(pooled_rows, pooled_decisions, "crossval"), None, None)
    if args.dump:
        import json

        with args.dump.open("w", encoding="utf-8") as fh:
            for row, d in zip(pooled_rows, pooled_decisions):
                fh.write(json.dumps({**row, "decision": d.to_dict()}, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
