"""MinHash signatures for a batch of shingle sets, vectorised with numpy, and their LSH band keys."""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["MinHasher"]

_PRIME = np.uint64((1 << 31) - 1)
_EMPTY = np.uint64((1 << 31) - 1)


class MinHasher:
    """``num_perm`` universal hashes ``(a * x + b) mod (2**31 - 1)`` drawn from a fixed ``seed``.

    The same seed gives the same signatures in every process and run, so band keys of two
    detectors (or of a restarted one) agree.
    """

    def __init__(self, num_perm: int, seed: int = 14) -> None:
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        # a, b < 2**31 and x < 2**32: a * x + b < 2**63 fits uint64 without wrapping.
        self._a = rng.integers(1, (1 << 31) - 1, size=num_perm, dtype=np.uint64)
        self._b = rng.integers(0, (1 << 31) - 1, size=num_perm, dtype=np.uint64)

    def signatures(self, shingle_sets: Sequence[np.ndarray]) -> np.ndarray:
        """A ``(len(shingle_sets), num_perm)`` uint64 array; an empty set gets all-``2**31-1``."""
        out = np.full((len(shingle_sets), self.num_perm), _EMPTY, dtype=np.uint64)
        sizes = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
        rows = np.flatnonzero(sizes)
        if rows.size == 0:
            return out
        flat = np.concatenate([shingle_sets[i] for i in rows]).astype(np.uint64)
        hashed = (flat[:, None] * self._a[None, :] + self._b[None, :]) % _PRIME
        starts = np.concatenate(([0], np.cumsum(sizes[rows])[:-1]))
        out[rows] = np.minimum.reduceat(hashed, starts, axis=0)
        return out

    @staticmethod
    def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
        """One 64-bit key per band, ``(n, bands)`` uint64; the band's number is mixed in so equal
        rows in different bands do not collide."""
        n = signatures.shape[0]
        sig = signatures.reshape(n, bands, rows)
        key = np.zeros((n, bands), dtype=np.uint64)
        mult = np.uint64(0x9E3779B97F4A7C15)
        with np.errstate(over="ignore"):  # wrapping multiplication is the point of the mix
            for r in range(rows):
                key = (key ^ sig[:, :, r]) * mult
            key ^= np.arange(1, bands + 1, dtype=np.uint64)[None, :] * np.uint64(0xBF58476D1CE4E5B9)
        return key
