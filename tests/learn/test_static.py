"""Static vectors: distillation is deterministic, embeddings are unit vectors that follow meaning, and
the file format refuses edited data."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from khien.errors import ModelError
from khien.learn.model import view_texts
from khien.learn.static import candidate_entries, distill, iter_token_texts, load_vectors, save_vectors

TEXTS = [
    "chuyển tiền gấp cho em nhé", "chuyển khoản gấp giúp mình", "chuyển tiền vào tài khoản này",
    "trời hôm nay đẹp quá", "trời mưa to quá đi", "hôm nay đi ăn phở",
    "chuyen tien gap cho em", "troi hom nay dep qua",
]
TOPIC = {"chuyển": 0, "tiền": 0, "khoản": 0, "tài": 0, "gấp": 0, "chuyen": 0, "tien": 0, "gap": 0,
         "trời": 1, "đẹp": 1, "mưa": 1, "troi": 1, "dep": 1, "phở": 2}


def fake_encoder(batch: list[str]) -> np.ndarray:
    """A stand-in for the sentence encoder: words of one topic share a direction, plus a hash jitter."""
    out = []
    for s in batch:
        v = np.zeros(16)
        for w in s.split():
            if w in TOPIC:
                v[TOPIC[w]] += 1.0
            seed = int(hashlib.sha256(w.encode()).hexdigest()[:8], 16)
            v += np.random.default_rng(seed).normal(0, 0.2, 16)
        out.append(v / np.linalg.norm(v))
    return np.array(out, dtype=np.float32)


@pytest.fixture(scope="module")
def vectors():
    return distill(iter_token_texts(TEXTS), fake_encoder, dim=4, min_df=1)


def test_candidates_are_words_and_pairs_without_punctuation_or_numbers():
    entries = candidate_entries({"canonical": [" chuyển 5 tiền , gấp "], "folded": [" chuyen 5 tien , gap "]}, min_df=1)
    words = {g for g, _ in entries[0]}
    assert "chuyển" in words and "tiền" in words
    assert not any("," in g or "5" in g.split() for g in words)


def test_distillation_is_deterministic_and_saved_byte_for_byte(tmp_path, vectors):
    again = distill(iter_token_texts(TEXTS), fake_encoder, dim=4, min_df=1)
    a = save_vectors(vectors, tmp_path / "a")
    b = save_vectors(again, tmp_path / "b")
    assert (a / "vectors.npz").read_bytes() == (b / "vectors.npz").read_bytes()


def test_embeddings_are_unit_vectors_that_follow_topic(vectors):
    e = vectors.embed(view_texts(["chuyển tiền gấp", "chuyển khoản giúp", "trời đẹp quá", "xyzzy"]))
    assert np.allclose(np.linalg.norm(e[:3], axis=1), 1.0, atol=1e-4)
    assert np.allclose(e[3], 0.0)  # no known word: a zero vector, not noise
    assert e[0] @ e[1] > e[0] @ e[2]


def test_text_without_diacritics_lands_near_its_accented_form(vectors):
    e = vectors.embed(view_texts(["chuyen tien gap", "chuyển tiền gấp", "troi dep qua"]))
    assert e[0] @ e[1] > e[0] @ e[2]


def test_load_refuses_edited_arrays(tmp_path, vectors):
    from khien.learn import static

    path = save_vectors(vectors, tmp_path / "v")
    data = bytearray((path / "vectors.npz").read_bytes())
    data[-5] ^= 0xFF
    (path / "vectors.npz").write_bytes(bytes(data))
    static._LOADED.pop(str(path.resolve()), None)
    with pytest.raises(ModelError, match="checksum"):
        load_vectors(path)


def test_packaged_vectors_load_and_cover_common_words():
    v = load_vectors()
    e = v.embed(view_texts(["chuyển khoản ngay", "số tài khoản", "hôm nay trời mưa"]))
    assert e.shape == (3, v.dim) and np.all(np.abs(np.linalg.norm(e, axis=1) - 1.0) < 1e-3)
    assert e[0] @ e[1] > e[0] @ e[2]
