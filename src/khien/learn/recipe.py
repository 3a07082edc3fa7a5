"""Rebuild the packaged default model: ``python -m khien.learn.recipe`` (``make model``).

Trained only on data whose licence allows it:

- ViHOS (Hoang et al., EACL 2023; MIT licence, © 2023 Phu Hoang Gia): comments with character
  spans of hate/offensive text. A comment with a span is ``offensive``, one without is ``clean``;
  the spans become the model's evidence table. Read from ``$KHIEN_DATASETS/vihos`` or
  ``<repo>/../shared/datasets/vihos``; never copied into the repository.
- Khiên's own examples (``khien/learn/examples.tsv``), written by the project, with the
  offensive words in ``[brackets]``.

ViHOS train + test + the examples train the model; ViHOS dev chooses the regularisation, fits the
calibration and tunes the threshold. Everything is seeded and the file writer is deterministic,
so the same inputs give the same bytes (``--check`` verifies that against the packaged files).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import KhienError, ModelError
from .data import Dataset, read_dataset
from .features import FeatureSpec
from .format import default_model_path, save_model
from .model import TextModel, TrainConfig, train

__all__ = ["build_default", "train_default", "datasets_root", "read_examples", "read_vihos", "CONFIG"]

# Chosen by measurement (bench/default_model.py, part 2): canonical words 1-2 + folded chars 2-5
# scored as well as larger families with 40% fewer features (faster). ViHOS is about half
# offensive; on social media far fewer comments are (ViHSD 17%, ViCTSD 11%): the prior correction
# to 10% keeps the balanced training set from flagging clean posts (false positives on clean
# ViHSD comments 10.6% -> 5.7% for the same macro-F1).
CONFIG = TrainConfig(
    specs=(FeatureSpec("canonical", "word", 1, 2), FeatureSpec("folded", "char", 2, 5)),
    seed=0,
    c_grid=(0.05, 0.1, 0.2, 0.4, 0.8),
    max_features=150_000,
    class_prior=(("clean", 0.9), ("offensive", 0.1)),
)
CATEGORIES = {"offensive": "profanity", "clean": None}
_BRACKET = re.compile(r"\[([^\[\]]+)\]")


def datasets_root() -> Path:
    """``$KHIEN_DATASETS``, else ``../shared/datasets`` next to the repository root."""
    env = os.environ.get("KHIEN_DATASETS")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3]
    return repo.parent / "shared" / "datasets"


def _check_licence(folder: Path) -> None:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in (folder / "LICENSE.txt", folder / "README.md") if p.exists()]
    if not texts or not any("MIT License" in t or "license: mit" in t.lower() for t in texts):
        raise ModelError(f"{folder}: cannot find the MIT licence text of ViHOS; refusing to train the shipped model on it")


def read_vihos(folder: Path, splits: tuple[str, ...] = ("train", "test")) -> Dataset:
    """ViHOS comments labelled ``offensive`` (at least one span) or ``clean``, with their spans."""
    if not folder.is_dir():
        raise ModelError(f"ViHOS not found at {folder}", hint="Set KHIEN_DATASETS to the folder that holds vihos/.")
    _check_licence(folder)
    out: Dataset | None = None
    for split in splits:
        raw = read_dataset(folder / f"{split}.csv", text_column="content", spans_column="index_spans", require_labels=False)
        assert raw.spans is not None
        labels = tuple("offensive" if s else "clean" for s in raw.spans)
        part = Dataset(raw.texts, labels, raw.spans, f"vihos/{split}")
        out = part if out is None else out.concat(part)
    assert out is not None
    return out


def read_examples(path: Path | None = None) -> Dataset:
    """The project's own examples, brackets turned into spans."""
    path = path or Path(__file__).with_name("examples.tsv")
    texts, labels, spans = [], [], []
    header_seen = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        label, _, marked = line.partition("\t")
        text_parts, found, pos = [], [], 0
        for m in _BRACKET.finditer(marked):
            text_parts.append(marked[pos:m.start()])
            start = sum(len(p) for p in text_parts)
            text_parts.append(m.group(1))
            found.append((start, start + len(m.group(1))))
            pos = m.end()
        text_parts.append(marked[pos:])
        texts.append("".join(text_parts))
        labels.append(label.strip())
        spans.append(tuple(found))
    return Dataset(tuple(texts), tuple(labels), tuple(spans), str(path.name))


def read_corpus_offensive() -> Dataset:
    """The corpus's train batches as offensive (an insult or swearing) or clean (no harm label).

    Posts labelled only hate, violence or sexual are left out: whether their words are offensive
    language or plain description is what the label does not say. Clean posts include the
    corpus's innocent neighbours (disability, parents, corruption, verification talk), which keep
    the model from calling ordinary words offensive."""
    from .corpus import load_corpus

    texts, labels = [], []
    for post in load_corpus("train"):
        if {"profanity", "harassment"} & set(post.labels):
            label = "offensive"
        elif not ({"hate", "violence", "sexual"} & set(post.labels)):
            label = "clean"
        else:
            continue
        texts.append(post.text)
        labels.append(label)
    return Dataset(tuple(texts), tuple(labels), tuple(() for _ in texts), "corpus/train")


def _without(data: Dataset, exclude: Callable[[str], bool]) -> Dataset:
    keep = [i for i, t in enumerate(data.texts) if not exclude(t)]
    spans = tuple(data.spans[i] for i in keep) if data.spans is not None else None
    return Dataset(tuple(data.texts[i] for i in keep), tuple(data.labels[i] for i in keep), spans, data.source)


def train_default(exclude: Callable[[str], bool] | None = None, *, progress=None) -> TextModel:
    """Train the default model in memory. ``exclude`` drops texts (benchmarks use it to keep
    their test texts out of training)."""
    root = datasets_root()
    data = read_vihos(root / "vihos", ("train", "test")).concat(read_examples()).concat(read_corpus_offensive())
    dev = read_vihos(root / "vihos", ("dev",))
    if exclude is not None:
        data, dev = _without(data, exclude), _without(dev, exclude)
    return train(data, dev, CONFIG, name="khien-default-v1", categories=CATEGORIES, progress=progress)


def build_default(output: Path | None = None, *, progress=None) -> Path:
    """Train the default model and write it (default: into the package)."""
    model = train_default(progress=progress)
    model.meta["sources"] = [
        {"name": "ViHOS", "splits": ["train", "test"], "licence": "MIT", "credit": "Hoang, Luu, Tran, Nguyen & Nguyen, "
         "ViHOS: Hate Speech Spans Detection for Vietnamese, EACL 2023 (github.com/phusroyal/ViHOS)"},
        {"name": "khien examples", "file": "khien/learn/examples.tsv", "licence": "Apache-2.0"},
        {"name": "khien corpus", "file": "corpus/ (train batches, see corpus/split.yaml)", "licence": "Apache-2.0"},
    ]
    return save_model(model, output or default_model_path())


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def build_intent(output: Path | None = None, *, progress=None) -> Path:
    """Train the intent model (:mod:`khien.learn.intent_recipe`) and write it (default: into the package)."""
    from .intent_format import default_intent_path, save_intent
    from .intent_recipe import train_default_intent

    return save_intent(train_default_intent(progress=progress), output or default_intent_path())


def _builds() -> dict[str, tuple[Callable[..., Path], Path]]:
    from .intent_format import default_intent_path

    return {"default": (build_default, default_model_path()), "intent": (build_intent, default_intent_path())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m khien.learn.recipe", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=None, help="a folder to write the models into (default: the package)")
    parser.add_argument("--only", choices=("default", "intent"), default=None, help="build one model only")
    parser.add_argument("--check", action="store_true", help="rebuild in a temporary folder and compare with the packaged models")
    args = parser.parse_args(argv)
    say = lambda msg: print(f"recipe: {msg}", file=sys.stderr)  # noqa: E731
    builds = {k: v for k, v in _builds().items() if args.only in (None, k)}
    try:
        if args.check:
            different = []
            with tempfile.TemporaryDirectory() as tmp:
                for name, (build, packaged) in builds.items():
                    built = build(Path(tmp) / name, progress=say)
                    if _digest(built) != _digest(packaged):
                        different.append(name)
            print("identical" if not different else f"DIFFERENT from the packaged model(s): {', '.join(different)}")
            return 0 if not different else 1
        for name, (build, _packaged) in builds.items():
            path = build(args.output / name if args.output else None, progress=say)
            for file, digest in _digest(path).items():
                print(f"{digest}  {path / file}")
        return 0
    except KhienError as exc:
        print(f"recipe: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
