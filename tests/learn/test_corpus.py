"""The corpus the project writes and owns: valid rows, a brief beside every batch, a split by batch, and
held-out batches that share no text with the training batches."""

from __future__ import annotations

from collections import Counter

import pytest

from khien.errors import ModelError
from khien.learn.corpus import CATEGORIES, STANCES, corpus_root, load_corpus, read_batches, read_split
from khien.text.views import canonical_text


@pytest.fixture(scope="module")
def split():
    return read_split()


def test_split_is_by_batch_and_every_batch_has_a_brief(split):
    root = corpus_root()
    on_disk = {p.stem for p in (root / "batches").glob("*.jsonl")}
    named = set(split["train"]) | set(split["heldout"])
    assert on_disk == named, "every batch file is named in corpus/split.yaml, and only those"
    assert not set(split["train"]) & set(split["heldout"])
    assert len(split["heldout"]) >= 2
    for name in named:
        assert (root / "batches" / f"{name}.brief.md").read_text(encoding="utf-8").strip()
    assert (root / "README.md").exists(), "the data card"


def test_rows_are_valid_and_the_corpus_is_large_enough(split):
    posts = load_corpus("train") + load_corpus("heldout")
    assert len(posts) >= 6000
    ids = Counter(p.id for p in posts)
    assert not [i for i, n in ids.items() if n > 1]
    assert all(p.stance in STANCES and set(p.labels) <= set(CATEGORIES) for p in posts)


def test_heldout_batches_cover_every_kind_and_its_neighbours():
    for batch in read_split()["heldout"]:
        posts = read_batches([batch])
        labels = Counter(l for p in posts for l in p.labels)
        for cat in ("scam", "spam", "hate", "harassment", "self_harm"):
            assert labels[cat] >= 15, (batch, cat)
        kinds = Counter(p.kind.split(".")[0] for p in posts if not p.labels)
        assert kinds["scam_neighbour"] >= 50 and kinds["political"] >= 10, (batch, kinds)


def test_no_text_is_shared_between_train_and_heldout():
    train = {canonical_text(p.text) for p in load_corpus("train")}
    shared = [p.id for p in load_corpus("heldout") if canonical_text(p.text) in train]
    assert not shared


def test_political_criticism_is_never_labelled_harmful():
    posts = load_corpus("train") + load_corpus("heldout")
    assert not [p.id for p in posts if p.kind.startswith("political") and p.labels]


def test_a_bad_row_is_reported_with_its_place(tmp_path):
    (tmp_path / "batches").mkdir()
    (tmp_path / "batches" / "x1.jsonl").write_text('{"text": "ok", "labels": [], "stance": "other"}\n{"text": "x", "labels": ["politics"], "stance": "other"}\n', encoding="utf-8")
    with pytest.raises(ModelError, match=r"x1.jsonl:2.*politics"):
        read_batches(["x1"], tmp_path)
