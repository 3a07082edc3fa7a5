"""Golden decisions: what ``khien scan`` decides for ``examples/`` and for 100,000 generated posts.

The generator is deterministic (fixed seed, corpus train batches and examples only). Each decision is
reduced to a digest of its JSON with the fields that may legitimately differ between engine builds
removed (``fingerprint``: the digest of the engine that made it). ``tests/golden/test_decisions.py``
compares today's decisions with ``decisions.golden.json``; after an intended change of behaviour,
write a new golden file with::

    python tests/golden/decisions.py --write

and say in the commit message why decisions changed.
"""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("decisions.golden.json")
GENERATED = 100_000
CHUNK = 1_000
VOLATILE = ("fingerprint",)


def _fold(text: str) -> str:
    import unicodedata

    out = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in out if unicodedata.category(ch) != "Mn")


def generated_posts(n: int = GENERATED, seed: int = 11) -> list[dict]:
    """Train-batch corpus texts and examples, varied: as written, folded, shuffled, suffixed, with authors."""
    sys.path.insert(0, str(REPO / "src"))
    from khien.learn.corpus import load_corpus

    texts = [p.text for p in load_corpus("train")]
    with open(REPO / "examples" / "posts.jsonl", encoding="utf-8") as fh:
        examples = [json.loads(line) for line in fh if line.strip()]
    texts += [e["text"] for e in examples if isinstance(e.get("text"), str)]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = texts[rng.randrange(len(texts))]
        variant = rng.randrange(5)
        if variant == 1:
            text = _fold(text)
        elif variant == 2:
            words = text.split()
            rng.shuffle(words)
            text = " ".join(words)
        elif variant == 3:
            text = f"{text} #{i}"
        post: dict = {"id": f"g{i:06d}", "text": text}
        if variant == 4:
            post["author"] = {"id": f"a{i % 997}", "display_name": rng.choice(
                ["Vietcombank CSKH", "Lan Anh", "Shop Mẹ Bơ", "Công an phường", "Tin tức 24h", "Minh Trí"])}
        out.append(post)
    return out


def digest(decision: dict) -> str:
    body = {k: v for k, v in decision.items() if k not in VOLATILE}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def scan(posts_path: Path, workers: int = 2) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "decisions.jsonl"
        subprocess.run([sys.executable, "-m", "khien", "scan", str(posts_path), "-o", str(out), "-q",
                        "--workers", str(workers)], check=False, capture_output=True, timeout=1800)
        with open(out, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]


def current() -> dict:
    """Digests of today's decisions: per example item, and per chunk of 1,000 generated posts."""
    examples = {d["id"]: digest(d) for d in scan(REPO / "examples" / "posts.jsonl")}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for post in generated_posts():
                fh.write(json.dumps(post, ensure_ascii=False) + "\n")
        decided = scan(path)
    chunks = []
    for start in range(0, len(decided), CHUNK):
        h = hashlib.sha256("".join(digest(d) for d in decided[start:start + CHUNK]).encode()).hexdigest()[:16]
        chunks.append(h)
    return {"examples": examples, "generated": {"count": len(decided), "chunk": CHUNK, "chunks": chunks}}


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python tests/golden/decisions.py --write")
    GOLDEN.write_text(json.dumps(current(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
