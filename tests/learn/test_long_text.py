"""A long text is read in pieces, with the same result as one pass (issue 11, "Bounded work").

The n-gram hashing allocates ~150 bytes per character of the texts it is given; a 1 MB post used to
be given whole (several times: once per view, once per evidence request), so the worker held
hundreds of times the text. These tests count the largest text handed to the hashing (bounded by
the piece size, whatever the post's length) and check that the features and the intent detector's
signals, evidence included, are exactly those of one pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khien.detect.base import Prepared
from khien.detect.intent import IntentDetector
from khien.learn import features as F
from khien.learn import intent as intent_module
from khien.learn.model import view_texts
from khien.model import Item

REPO = Path(__file__).resolve().parents[2]


def long_post(chars: int) -> str:
    """Real posts (examples/posts.jsonl) joined by newlines up to ``chars`` characters."""
    lines = (REPO / "examples" / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    posts = [json.loads(line)["text"] for line in lines if line.strip()]
    out, size, i = [], 0, 0
    while size < chars:
        out.append(posts[i % len(posts)])
        size += len(out[-1]) + 1
        i += 1
    return "\n".join(out)[:chars]


@pytest.fixture
def largest_hashed(monkeypatch):
    """The largest number of characters one F.ngram_keys call was given."""
    seen = [0]
    real = F.ngram_keys

    def counting(texts, specs, indices):
        seen[0] = max(seen[0], sum(len(t) for t in texts))
        return real(texts, specs, indices)

    monkeypatch.setattr(F, "ngram_keys", counting)
    return seen


def test_features_of_a_long_text_are_those_of_one_pass(monkeypatch):
    detector = IntentDetector()
    vocab = detector.model.vocab
    texts = view_texts([long_post(20_000), "Chị ơi chuyển khoản giúp em 5 triệu nhé", long_post(3_000)])
    needed = {v: texts[v] for v in ("canonical", "folded")}
    monkeypatch.setattr(F, "PIECE_CHARS", 1 << 40)
    whole = F.transform(needed, vocab)
    monkeypatch.setattr(F, "PIECE_CHARS", 701)  # many pieces, cut anywhere between words
    pieces = F.transform(needed, vocab)
    assert whole.nnz > 1000
    assert (whole.indptr == pieces.indptr).all() and (whole.indices == pieces.indices).all()
    assert (whole.data == pieces.data).all()


def test_the_intent_detector_hashes_pieces_not_the_whole_text(largest_hashed):
    detector = IntentDetector()
    for chars in (4 * F.PIECE_CHARS, 16 * F.PIECE_CHARS):
        largest_hashed[0] = 0
        signals = detector.detect_batch([Prepared(Item(id="long", text=long_post(chars)))])[0]
        assert any(s.evidence for s in signals)  # the evidence path ran too
        # a piece is cut at the last space before PIECE_CHARS (a word longer than that stays whole)
        assert largest_hashed[0] <= F.PIECE_CHARS + 64


def test_intent_signals_of_a_long_text_do_not_depend_on_pieces_or_groups(monkeypatch):
    detector = IntentDetector()
    batch = [Prepared(Item(id=f"p{i}", text=t)) for i, t in enumerate(
        [long_post(30_000), "thằng óc chó kia câm mồm đi, tao biết nhà mày ở đâu", long_post(2_000),
         "x\u0301 lừa đảo chuyển khoản ngay"])]  # the last: a token of a mark alone, which folding drops
    monkeypatch.setattr(F, "PIECE_CHARS", 1 << 40)
    monkeypatch.setattr(intent_module, "_GROUP_TOKENS", 1 << 40)
    whole = detector.detect_batch(batch)
    monkeypatch.setattr(F, "PIECE_CHARS", 997)
    monkeypatch.setattr(intent_module, "_GROUP_TOKENS", 300)
    split = detector.detect_batch(batch)
    assert sum(len(s.evidence) for sigs in whole for s in sigs) > 5
    assert split == whole
