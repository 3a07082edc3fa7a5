"""Hashed n-gram features: stable keys, and the engine's normalisation applied before hashing."""

from __future__ import annotations

import numpy as np
import pytest

from khien.learn import features as F
from khien.learn.model import view_texts


def test_keys_match_the_scalar_definition_and_are_stable():
    spec = F.FeatureSpec("canonical", "word", 1, 2)
    (docs, keys), = F.ngram_keys([F.token_text("mày ngu quá")], [spec], [0])
    # unigrams then bigrams, in order
    assert list(docs) == [0] * 5
    assert int(keys[0]) == F.key_of("mày", 0, 1)
    assert int(keys[3]) == F.key_of("mày ngu", 0, 2)
    # a different family salt gives a different key for the same text
    assert F.key_of("mày", 1, 1) != F.key_of("mày", 0, 1)


def test_char_ngrams_stay_inside_tokens_and_texts():
    spec = F.FeatureSpec("folded", "char", 3, 3)
    texts = [F.token_text("ab cd"), F.token_text("ef")]
    (docs, keys), = F.ngram_keys(texts, [spec], [0])
    expected = [[" ab", "ab ", " cd", "cd "], [" ef", "ef "]]
    got = [sorted(int(k) for k, d in zip(keys, docs) if d == i) for i in range(2)]
    assert got == [sorted(F.key_of(g, 0, 3) for g in e) for e in expected]


def test_obfuscated_and_plain_text_get_the_same_features():
    vocab = F.fit_vocabulary(view_texts(["đồ ngu không biết gì", "đồ ngu không biết gì"]), F.DEFAULT_SPECS)
    plain = F.transform(view_texts(["đồ ngu không biết gì"]), vocab).toarray()
    tricky = F.transform(view_texts(["ĐỒ NGU ko biết gì"]), vocab).toarray()
    assert plain.sum() > 0
    np.testing.assert_allclose(plain, tricky, atol=1e-6)


def test_lower_view_keeps_the_spelling_normalisation_erases():
    texts = view_texts(["ĐỒ NGU ko biết gì", "Cảm ơn   Bạn!!"])
    assert texts["lower"] == [" đồ ngu ko biết gì ", " cảm ơn bạn !! "]
    assert texts["canonical"][0] != texts["lower"][0]  # "ko" is normalised there
    specs = (F.FeatureSpec("lower", "char", 2, 3),)
    vocab = F.fit_vocabulary(view_texts(["đồ ngu ko biết", "đồ ngu không biết"]), specs, min_df=1)
    a, b = F.transform(view_texts(["đồ ngu ko biết", "đồ ngu không biết"]), vocab).toarray()
    assert not np.allclose(a, b)
    with pytest.raises(ValueError, match="lower"):
        F.transform({"canonical": [" a "], "folded": [" a "]}, vocab)


def test_rows_are_l2_normalised_per_family():
    texts = view_texts(["cảm ơn bạn nhiều", "cảm ơn bạn nhé"])
    vocab = F.fit_vocabulary(texts, F.DEFAULT_SPECS, min_df=1)
    x = F.transform(texts, vocab).toarray()
    offsets = vocab.offsets
    for a, b in zip(offsets[:-1], offsets[1:]):
        np.testing.assert_allclose(np.linalg.norm(x[:, a:b], axis=1), 1.0, rtol=1e-5)


def test_key_table_finds_every_key_and_only_those():
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(1, 2**63, size=5000, dtype=np.int64).astype(np.uint64))
    table = F.KeyTable(keys)
    assert np.array_equal(table.lookup(keys), np.arange(len(keys)))
    others = rng.integers(1, 2**63, size=1000, dtype=np.int64).astype(np.uint64)
    others = others[~np.isin(others, keys)]
    assert np.all(table.lookup(others) == -1)
