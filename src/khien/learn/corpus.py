"""The project's own labelled corpus (``corpus/`` at the repository root): batches and their split.

Each batch is a JSON Lines file ``corpus/batches/bNN.jsonl`` written from its own brief
(``bNN.brief.md``); ``corpus/split.yaml`` names the batches held out for evaluation. Splitting is
by batch, never by row, so held-out figures measure how decisions carry over to posts written by
other people from other briefs, not memory of near-identical rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import yaml

from ..errors import ModelError

__all__ = ["CorpusPost", "STANCES", "CATEGORIES", "corpus_root", "read_batches", "read_split", "load_corpus"]

STANCES = ("solicits", "warns", "asks", "reports", "other")
CATEGORIES = ("scam", "impersonation", "spam", "hate", "harassment", "violence", "sexual", "self_harm", "profanity")


@dataclass(frozen=True, slots=True)
class CorpusPost:
    id: str
    text: str
    labels: tuple[str, ...]
    stance: str
    kind: str
    style: tuple[str, ...]
    batch: str


def corpus_root() -> Path:
    """``corpus/`` next to ``src/`` in the repository."""
    return Path(__file__).resolve().parents[3] / "corpus"


def read_split(root: Path | None = None) -> dict[str, tuple[str, ...]]:
    root = root or corpus_root()
    try:
        raw = yaml.safe_load((root / "split.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ModelError(f"cannot read {root / 'split.yaml'}: {exc}") from exc
    out = {k: tuple(raw.get(k) or ()) for k in ("train", "heldout")}
    if set(out["train"]) & set(out["heldout"]):
        raise ModelError("corpus/split.yaml: a batch cannot be both train and heldout")
    return out


def _parse(line: str, where: str, batch: str) -> CorpusPost:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{where}: not JSON ({exc.msg})") from exc
    if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
        raise ModelError(f"{where}: expected an object with a non-empty 'text'")
    labels = tuple(row.get("labels") or ())
    bad = [x for x in labels if x not in CATEGORIES]
    if bad:
        raise ModelError(f"{where}: unknown label {bad[0]!r}; valid: {', '.join(CATEGORIES)}")
    stance = row.get("stance")
    if stance not in STANCES:
        raise ModelError(f"{where}: stance must be one of {', '.join(STANCES)}; found {stance!r}")
    return CorpusPost(str(row.get("id") or where), row["text"], labels, stance, str(row.get("kind") or ""),
                      tuple(row.get("style") or ()), batch)


def read_batches(names: Iterable[str], root: Path | None = None) -> list[CorpusPost]:
    root = root or corpus_root()
    out: list[CorpusPost] = []
    for name in names:
        path = root / "batches" / f"{name}.jsonl"
        if not path.exists():
            raise ModelError(f"corpus batch {name} not found at {path}")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                out.append(_parse(line, f"{path.name}:{n}", name))
    return out


def load_corpus(part: str, root: Path | None = None) -> list[CorpusPost]:
    """``part`` is ``train`` or ``heldout`` (see ``corpus/split.yaml``)."""
    split = read_split(root)
    if part not in split:
        raise ModelError(f"unknown corpus part {part!r}; use train or heldout")
    return read_batches(split[part], root)


def batches_of(posts: Sequence[CorpusPost]) -> list[str]:
    return sorted({p.batch for p in posts})


def card_table(root: Path | None = None) -> str:
    """The per-batch statistics table of the data card (``python -m khien.learn.corpus``)."""
    from collections import Counter

    split = read_split(root)
    side = {b: "train" for b in split["train"]} | {b: "held out" for b in split["heldout"]}
    head = ("| batch | split | posts | scam | spam | hate | harassment | violence | sexual | self-harm | "
            "harmless | of which neighbours | political | no diacritics | solicits/warns/asks/reports/other |")
    lines = [head, "|" + "---|" * 15]
    total = Counter()
    for batch in sorted(side):
        posts = read_batches([batch], root)
        labels = Counter(l for p in posts for l in p.labels)
        harmless = [p for p in posts if not p.labels]
        neighbours = sum("neighbour" in p.kind for p in harmless)
        political = sum(p.kind.startswith("political") for p in harmless)
        no_dia = sum("no_diacritics" in p.style for p in posts)
        stances = Counter(p.stance for p in posts)
        row = [batch, side[batch], len(posts)] + [labels[c] for c in ("scam", "spam", "hate", "harassment", "violence",
                                                                      "sexual", "self_harm")]
        row += [len(harmless), neighbours, political, f"{100 * no_dia / max(len(posts), 1):.0f}%",
                "/".join(str(stances[s]) for s in STANCES)]
        lines.append("| " + " | ".join(str(x) for x in row) + " |")
        total["posts"] += len(posts)
    lines.append(f"\nTotal: {total['posts']} posts.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(card_table())
