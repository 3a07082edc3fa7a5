"""Detection quality, per kind, where it cannot flatter: held-out corpus batches, held-out fixtures and
real data sets, beside the development figures and beside the engine before a given revision.

    python bench/quality.py [--before REV] [--datasets ../shared/datasets] [--json FILE]

Sections (every figure is the engine as shipped: `khien scan` with the packaged policy and models):

1. development: examples/ (the demo set) and the corpus *train* batches (the model saw these: optimistic);
2. held-out corpus batches (corpus/split.yaml: whole batches written from other briefs, never used
   for training, tuning or word lists): per kind, the share acted on (for self-harm: routed to
   review), the precision of each category's actions, the action rate on hard negatives (the
   harmless neighbours of each harm: warnings, news, questions, victims' stories, banter ...), on
   lawful political criticism and on ordinary posts;
3. the held-out fixtures in tests/fixtures;
4. real data sets from ../shared/datasets (evaluation only, never shipped): ViHSD test without the
   texts that occur in ViHOS (which trains the shipped models), ViCTSD test, VFND news, ViSpamReviews
   test: the share of each class the engine acts on.

With ``--before REV`` the same measurements run on the code at REV (a temporary git worktree, its
own policy, lexicons and models) and each figure is printed beside it. This script only uses the
engine API both versions share.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HARMS = ("scam", "impersonation", "spam", "hate", "harassment", "violence", "sexual", "self_harm")
csv.field_size_limit(1 << 28)


def engine():
    from khien import Engine

    return Engine.from_policy()


def decide(eng, texts: list[str]) -> list:
    from khien import Item

    out = []
    for a in range(0, len(texts), 512):
        out.extend(eng.decide_batch([Item(id=str(a + i), text=t) for i, t in enumerate(texts[a:a + 512])]))
    return out


def top_category(d) -> str | None:
    return d.rules[0].split(".", 1)[0] if d.action != "allow" and d.rules else None


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def corpus_part(part: str) -> list[dict]:
    """The corpus read directly (not through khien.learn.corpus, which the code before this work lacks)."""
    import yaml

    split = yaml.safe_load((REPO / "corpus" / "split.yaml").read_text(encoding="utf-8"))
    rows = []
    for batch in split[part]:
        rows += read_jsonl(REPO / "corpus" / "batches" / f"{batch}.jsonl")
    return rows


def group_of(post: dict) -> str:
    kind = str(post.get("kind") or "")
    if post.get("labels"):
        return "harm"
    if kind.startswith("political"):
        return "political"
    if "neighbour" in kind:
        return "hard_negative"
    return "ordinary"


def corpus_figures(eng, posts: list[dict], prefix: str) -> dict[str, float]:
    return figures_of(posts, decide(eng, [p["text"] for p in posts]), prefix)


def figures_of(posts: list[dict], decisions: list, prefix: str) -> dict[str, float]:
    """Per-kind figures of decisions already made on corpus posts."""
    fig: dict[str, float] = {}
    want, got = Counter(), Counter()
    acted_as, right_as = Counter(), Counter()
    groups, acted_groups = Counter(), Counter()
    for p, d in zip(posts, decisions):
        labels = set(p.get("labels") or ())
        g = group_of(p)
        groups[g] += 1
        acted_groups[g] += d.action != "allow"
        for c in labels & set(HARMS):
            want[c] += 1
            got[c] += (d.action == "review") if c == "self_harm" else (d.action != "allow")
        cat = top_category(d)
        if cat:
            acted_as[cat] += 1
            right_as[cat] += cat in labels or (cat == "impersonation" and "scam" in labels)
    for c in HARMS:
        if want[c]:
            fig[f"{prefix}/{c}/caught"] = got[c] / want[c]
            fig[f"{prefix}/{c}/n"] = want[c]
        if acted_as[c]:
            fig[f"{prefix}/{c}/precision"] = right_as[c] / acted_as[c]
    for g in ("hard_negative", "political", "ordinary"):
        if groups[g]:
            fig[f"{prefix}/{g}/acted"] = acted_groups[g] / groups[g]
            fig[f"{prefix}/{g}/n"] = groups[g]
    return fig


def examples_figures(eng) -> dict[str, float]:
    posts = read_jsonl(REPO / "examples" / "posts.jsonl")
    gold = {}
    with open(REPO / "examples" / "gold.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            gold[row["id"]] = row["action"].strip()
    decisions = decide(eng, [p["text"] for p in posts])
    tp = sum(d.action != "allow" and gold[p["id"]] != "allow" for p, d in zip(posts, decisions))
    fp = sum(d.action != "allow" and gold[p["id"]] == "allow" for p, d in zip(posts, decisions))
    fn = sum(d.action == "allow" and gold[p["id"]] != "allow" for p, d in zip(posts, decisions))
    return {"examples/acted/precision": tp / max(tp + fp, 1), "examples/acted/recall": tp / max(tp + fn, 1)}


def fixtures_figures(eng) -> dict[str, float]:
    pos = read_jsonl(REPO / "tests" / "fixtures" / "positives.jsonl")
    neg = read_jsonl(REPO / "tests" / "fixtures" / "hard_negatives.jsonl")
    dp, dn = decide(eng, [p["text"] for p in pos]), decide(eng, [p["text"] for p in neg])
    fig: dict[str, float] = {}
    total, acted = Counter(), Counter()
    for p, d in zip(pos, dp):
        total[p["category"]] += 1
        acted[p["category"]] += (d.action == "review") if p["category"] == "self_harm" else d.action != "allow"
    for c in sorted(total):
        fig[f"fixtures/{c}/caught"] = acted[c] / total[c]
    fig["fixtures/hard_negative/acted"] = sum(d.action != "allow" for d in dn) / len(dn)
    crit = [d for p, d in zip(neg, dn) if p["kind"] == "criticism"]
    fig["fixtures/political/acted"] = sum(d.action != "allow" for d in crit) / max(len(crit), 1)
    return fig


def _csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def acted_by_class(fig: dict[str, float], prefix: str, rows: list[dict], ds: list, column: str,
                   classes: tuple[tuple[str, str], ...]) -> None:
    """The share of each class (``(value, name)`` of ``column``) the engine acts on."""
    for value, name in classes:
        sel = [d for r, d in zip(rows, ds) if r[column] == value]
        if sel:
            fig[f"{prefix}/{name}/acted"] = sum(d.action != "allow" for d in sel) / len(sel)
            fig[f"{prefix}/{name}/n"] = len(sel)
            if prefix == "vfnd":
                fig[f"{prefix}/{name}/removed_as_scam"] = sum(top_category(d) == "scam" and d.action == "remove" for d in sel) / len(sel)


def real_figures(eng, root: Path) -> dict[str, float]:
    fig: dict[str, float] = {}
    vihos = set()
    for split in ("train", "dev", "test"):
        p = root / "vihos" / f"{split}.csv"
        if p.exists():
            vihos |= {" ".join(r["content"].split()).lower() for r in _csv(p)}
    p = root / "vihsd" / "test.csv"
    if p.exists():
        rows = [r for r in _csv(p) if " ".join(r["free_text"].split()).lower() not in vihos]
        acted_by_class(fig, "vihsd", rows, decide(eng, [r["free_text"] for r in rows]), "label_id",
                       (("0", "clean"), ("1", "offensive"), ("2", "hate")))
    p = root / "victsd" / "ViCTSD_test.csv"
    if p.exists():
        rows = _csv(p)
        acted_by_class(fig, "victsd", rows, decide(eng, [r["Comment"] for r in rows]), "Toxicity",
                       (("0", "not_toxic"), ("1", "toxic")))
    rows = []
    for name in ("vn_news_226_tlfr.csv", "vn_news_223_tdlfr.csv"):
        if (root / "vfnd" / name).exists():
            rows += _csv(root / "vfnd" / name)
    if rows:
        acted_by_class(fig, "vfnd", rows, decide(eng, [r["text"] for r in rows]), "label", (("0", "real"), ("1", "fake")))
    p = root / "vispamreviews" / "test.csv"
    if p.exists():
        rows = _csv(p)
        acted_by_class(fig, "vispam", rows, decide(eng, [r["Comment"] for r in rows]), "Label",
                       (("0", "not_spam"), ("1", "spam")))
    return fig


def measure(datasets: Path) -> dict[str, float]:
    eng = engine()
    fig: dict[str, float] = {}
    fig.update(examples_figures(eng))
    fig.update(corpus_figures(eng, corpus_part("train"), "train"))
    fig.update(corpus_figures(eng, corpus_part("heldout"), "heldout"))
    fig.update(fixtures_figures(eng))
    fig.update(real_figures(eng, datasets))
    return fig


def before(rev: str, datasets: Path) -> dict[str, float]:
    """The same figures on the code at ``rev``, in a temporary worktree."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "before"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), rev], check=True,
                       capture_output=True)
        try:
            env = {**os.environ, "PYTHONPATH": str(tree / "src")}
            out = subprocess.run([sys.executable, __file__, "--json-only", "--datasets", str(datasets)], env=env,
                                 check=True, capture_output=True, text=True, cwd=str(tree))
            return json.loads(out.stdout)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], capture_output=True)


def show(now: dict[str, float], old: dict[str, float] | None, rev: str | None) -> None:
    sections = defaultdict(list)
    for key in now:
        if not key.endswith("/n"):
            sections[key.split("/", 1)[0]].append(key)
    titles = {"examples": "1a. development: examples/ (lexicons were grown on it)",
              "train": "1b. development: corpus train batches (the model was trained on them)",
              "crossval": "leave-one-batch-out over the corpus train batches (each batch decided by a model trained without it)",
              "heldout": "2. HELD-OUT corpus batches (never used for training or tuning)",
              "fixtures": "3. held-out fixtures (tests/fixtures)",
              "vihsd": "4a. ViHSD test, texts not in ViHOS (research licence; evaluation only)",
              "victsd": "4b. ViCTSD test (research licence; evaluation only)",
              "vfnd": "4c. VFND news articles (evaluation only)",
              "vispam": "4d. ViSpamReviews test (evaluation only)"}
    head = f"{'figure':38} {'now':>7}" + (f" {'before':>7}  (before = {rev})" if old is not None else "")
    for sec, keys in sections.items():
        print(f"\n{titles.get(sec, sec)}\n{head}")
        for key in keys:
            name = key.split("/", 1)[1]
            n = now.get(key.rsplit("/", 1)[0] + "/n")
            label = f"{name}" + (f" (n={int(n)})" if n else "")
            line = f"{label:38} {now[key]:7.3f}"
            if old is not None:
                line += f" {old[key]:7.3f}" if key in old else f" {'—':>7}"
            print(line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=Path, default=REPO.parent / "shared" / "datasets")
    ap.add_argument("--before", default=None, help="a git revision to measure beside the current code")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    ap.add_argument("--json-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    now = measure(args.datasets)
    if args.json_only:
        print(json.dumps(now))
        return 0
    old = before(args.before, args.datasets) if args.before else None
    show(now, old, args.before)
    if args.json:
        args.json.write_text(json.dumps({"now": now, "before": old, "before_rev": args.before}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
