"""MinHash signatures for a batch of shingle sets, vectorised with numpy, and their LSH band keys."""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["MinHasher", "EMPTY"]

_PRIME = np.uint64((1 << 31) - 1)
EMPTY = np.uint32((1 << 31) - 1)  # every hash of an empty set (real hashes are below it)
_CHUNK = 4_096  # shingles hashed at once: bounds the (chunk x num_perm) temporary to 2 MB


class MinHasher:
    """``num_perm`` universal hashes ``(a * x + b) mod (2**31 - 1)`` drawn from a fixed ``seed``,
    over 32-bit shingle hashes; signatures are uint32.

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
        """A ``(len(shingle_sets), num_perm)`` uint32 array; an empty set gets all-:data:`EMPTY`."""
        counts = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
        flat = np.concatenate(list(shingle_sets)) if len(shingle_sets) else np.empty(0, dtype=np.uint32)
        return self.signatures_flat(flat, counts)

    def signatures_flat(self, flat: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Signatures of sets given one after the other: ``flat`` holds ``counts[0]`` shingles of
        the first set, then ``counts[1]`` of the second, ... (duplicates do not matter)."""
        out = np.full((len(counts), self.num_perm), EMPTY, dtype=np.uint32)
        rows = np.flatnonzero(counts)
        if rows.size == 0:
            return out
        x = flat.astype(np.uint64)
        ends = np.cumsum(counts[rows])
        starts = ends - counts[rows]
        # cut between sets so that each block's hash matrix stays small
        first = 0
        while first < rows.size:
            last = int(np.searchsorted(ends, starts[first] + _CHUNK, side="right"))
            last = max(last, first + 1)
            lo, hi = int(starts[first]), int(ends[last - 1])
            hashed = x[lo:hi, None] * self._a[None, :]
            hashed += self._b[None, :]
            hashed %= _PRIME  # numpy divides by a constant without a division (libdivide)
            out[rows[first:last]] = np.minimum.reduceat(hashed, starts[first:last] - lo, axis=0)  # < p: fits uint32
            first = last
        return out

    @staticmethod
    def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
        """One 64-bit key per band, ``(n, bands)`` uint64; the band's number is mixed in so equal
        rows in different bands do not collide."""
        n = signatures.shape[0]
        sig = signatures.reshape(n, bands, rows).astype(np.uint64)
        key = np.zeros((n, bands), dtype=np.uint64)
        mult = np.uint64(0x9E3779B97F4A7C15)
        with np.errstate(over="ignore"):  # wrapping multiplication is the point of the mix
            for r in range(rows):
                key = (key ^ sig[:, :, r]) * mult
            key ^= np.arange(1, bands + 1, dtype=np.uint64)[None, :] * np.uint64(0xBF58476D1CE4E5B9)
        return key

