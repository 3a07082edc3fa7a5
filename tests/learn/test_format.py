"""The safe model format: round trip, integrity check, foreign and corrupt files."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from khien.errors import ModelError
from khien.learn import default_model_path, load_model, save_model


def test_round_trip_predicts_the_same(tmp_path, examples_model):
    path = save_model(examples_model, tmp_path / "m")
    assert sorted(p.name for p in path.iterdir()) == ["arrays.npz", "model.json"]
    loaded = load_model(path)
    texts = ["đồ ngu", "cảm ơn bạn", "hôm nay trời đẹp"]
    np.testing.assert_allclose(loaded.predict_proba(texts), examples_model.predict_proba(texts), rtol=1e-6)
    meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
    assert meta["labels"] == ["clean", "offensive"]
    assert len(meta["training"]["data_sha256"]) == 64 and meta["code_version"]
    assert "offensive" in meta["decision_thresholds"]


def test_arrays_contain_no_pickled_objects(tmp_path, examples_model):
    path = save_model(examples_model, tmp_path / "m")
    with np.load(path / "arrays.npz", allow_pickle=False) as npz:
        assert all(npz[name].dtype != object for name in npz.files)


def test_corrupt_arrays_are_refused(tmp_path, examples_model):
    path = save_model(examples_model, tmp_path / "m")
    blob = bytearray((path / "arrays.npz").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (path / "arrays.npz").write_bytes(bytes(blob))
    with pytest.raises(ModelError, match="sha256"):
        load_model(path)


def test_foreign_and_missing_files_are_refused(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_model(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="model.json is missing"):
        load_model(tmp_path / "empty")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "model.json").write_text('{"format": "sklearn-pickle"}', encoding="utf-8")
    with pytest.raises(ModelError, match="does not describe"):
        load_model(foreign)
    (foreign / "model.json").write_text("not json", encoding="utf-8")
    with pytest.raises(ModelError, match="not valid JSON"):
        load_model(foreign)
    a_file = tmp_path / "model.pkl"
    a_file.write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(ModelError, match="directory"):
        load_model(a_file)


def test_a_pickled_array_with_a_matching_hash_is_still_refused(tmp_path, examples_model):
    path = save_model(examples_model, tmp_path / "m")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        body = io.BytesIO()
        np.lib.format.write_array(body, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
        zf.writestr("weights.npy", body.getvalue())
    blob = buffer.getvalue()
    (path / "arrays.npz").write_bytes(blob)
    meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
    import hashlib

    meta["arrays"]["sha256"] = hashlib.sha256(blob).hexdigest()
    (path / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="arrays are not as expected"):
        load_model(path)


def test_the_packaged_default_model_loads_and_is_small():
    path = default_model_path()
    model = load_model(path)
    assert model.labels == ("clean", "offensive")
    assert model.meta["categories"]["offensive"] == "profanity"
    assert sum(p.stat().st_size for p in path.iterdir()) < 5 * 1024 * 1024
