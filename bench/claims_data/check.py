"""Check the claims data set: every line parses, fields and labels are valid, every factcheck_id
(and near) exists, no text appears twice; print counts per batch and label.

    python bench/claims_data/check.py
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = ("spreads", "debunks", "asks", "near_miss", "unrelated")
FC_FIELDS = ("id", "claim", "rating", "publisher", "url", "review_date", "topic", "language")


def read(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            sys.exit(f"{path.name}:{n}: {e}")
    return rows


def main() -> None:
    fcs = read(HERE / "factchecks.jsonl")
    ids = {d["id"] for d in fcs}
    assert len(ids) == len(fcs), "duplicate fact-check id"
    for d in fcs:
        missing = [k for k in FC_FIELDS if not d.get(k)]
        assert not missing, (d.get("id"), missing)
        assert d["language"] == "vi" and "2019-01-01" <= d["review_date"] <= "2026-12-31", d["id"]
    for p in read(HERE / "near_pairs.jsonl"):
        assert p["a"] in ids and p["b"] in ids, p
    texts: dict[str, str] = {}
    total = collections.Counter()
    for path in sorted((HERE / "batches").glob("*.jsonl")):
        counts = collections.Counter()
        for d in read(path):
            assert d["label"] in LABELS, d
            fc, near = d.get("factcheck_id"), d.get("near")
            if d["label"] in ("spreads", "debunks", "asks"):
                assert fc in ids, d
            elif d["label"] == "near_miss":
                assert fc is None and near in ids, d
            else:
                assert fc is None and near is None, d
            key = d["text"].strip().lower()
            assert key not in texts, (d["id"], texts.get(key))
            texts[key] = d["id"]
            counts[d["label"]] += 1
            words = len(d["text"].split())
            counts["<8 words"] += words < 8
            counts["no accents"] += not d["accents"]
        total.update(counts)
        print(row(path.stem, counts))
    print(row("all", total))
    topics = collections.Counter(d["topic"] for d in fcs)
    print(f"fact-checks {len(fcs)}: " + ", ".join(f"{k}={v}" for k, v in sorted(topics.items())))


def row(name: str, counts: collections.Counter) -> str:
    cells = "  ".join(f"{k}={counts[k]}" for k in (*LABELS, "<8 words", "no accents"))
    return f"{name:32} {sum(counts[k] for k in LABELS):4}  {cells}"

if __name__ == "__main__":
    main()
