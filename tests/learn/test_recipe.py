"""The default model's recipe: the project's examples, and (when the data sets are present) a
byte-for-byte rebuild of the packaged model."""

from __future__ import annotations

import pytest

from khien.learn.format import default_model_path
from khien.learn.recipe import _digest, build_default, datasets_root


def test_examples_turn_brackets_into_spans(examples):
    assert set(examples.labels) == {"clean", "offensive"}
    assert len(examples) >= 100
    for text, label, spans in zip(examples.texts, examples.labels, examples.spans):
        assert "[" not in text and "]" not in text
        assert bool(spans) == (label == "offensive"), text
        for s, e in spans:
            assert text[s:e].strip() == text[s:e] and e > s


def test_examples_contain_no_dataset_rows(examples):
    root = datasets_root()
    if not (root / "vihos").is_dir():
        pytest.skip("datasets not present")
    from khien.learn.recipe import read_vihos

    vihos = {t.strip().lower() for t in read_vihos(root / "vihos", ("train", "dev", "test")).texts}
    assert not [t for t in examples.texts if t.strip().lower() in vihos]


@pytest.mark.slow
def test_recipe_rebuilds_the_packaged_model_byte_for_byte(tmp_path):
    if not (datasets_root() / "vihos").is_dir():
        pytest.skip("ViHOS not present (set KHIEN_DATASETS)")
    built = build_default(tmp_path / "default")
    assert _digest(built) == _digest(default_model_path())
