"""A time-bucketed LSH index whose old entries expire by themselves.

Entries (an LSH band key, or an entity, pointing at a cluster id) live in the bucket of the
hour (``bucket_s``) their post arrived in. When time moves past a bucket, the bucket is *sealed*:
its entries (sorted arrays already: no bucket pays Python dict overhead for its band keys) are
merged into one sorted numpy array of all sealed buckets (8 bytes of key, 8 of
cluster id and 4 of bucket number per entry), so a batch of queries is one binary search
over every sealed bucket at once. A bucket older than the window is dropped whole, so
the index holds at most ``window_s / bucket_s + 1`` buckets at any stream length: memory is
bounded by the posts of one window, never by the stream's length (the expiry datasketch's
``MinHashLSH`` lacks, ekzhu/datasketch#219).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["BucketedIndex", "Bucket"]


@dataclass(slots=True)
class Bucket:
    """The entries of one time bucket: band keys as sorted unique arrays (the first post to
    bring a key names its cluster), entities in a dict."""

    number: int
    open: bool = True
    keys: np.ndarray | None = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    cids: np.ndarray | None = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    entities: dict[str, int] = field(default_factory=dict)  # few posts carry contacts: kept as a dict
    touched: list[int] = field(default_factory=list)  # cluster ids that got a member in this bucket
    posts: int = 0  # posts indexed in this bucket

    def add(self, keys: np.ndarray, cids: np.ndarray) -> None:
        """Add band keys (uint64, unique, none already held) pointing at ``cids``."""
        if keys.size == 0:
            return
        order = np.argsort(keys)
        keys, cids = keys[order], cids[order]
        at = np.searchsorted(self.keys, keys)
        self.keys = np.insert(self.keys, at, keys)
        self.cids = np.insert(self.cids, at, cids)

    def seal(self) -> None:
        """No more entries: the bucket's time is past."""
        if self.open:
            self.open = False
            self.touched = list(dict.fromkeys(self.touched))  # one entry per cluster from here on

    def lookup(self, queries: np.ndarray) -> np.ndarray:
        """Cluster ids for ``queries`` (uint64, any shape) in this bucket; -1 where absent."""
        out = np.full(queries.shape, -1, dtype=np.int64)
        if self.keys is None or self.keys.size == 0:
            return out
        flat = queries.ravel()
        at = np.searchsorted(self.keys, flat)
        at[at == self.keys.size] = 0
        hit = self.keys[at] == flat
        out.ravel()[hit] = self.cids[at[hit]]
        return out

    def nbytes(self) -> int:
        """An estimate of this bucket's memory (arrays exactly; dicts at CPython's entry size;
        once merged into its index, the bucket's entries are counted by the index)."""
        size = 0
        if self.keys is not None:
            size += self.keys.nbytes + self.cids.nbytes
        size += sum(_DICT_ENTRY + 49 + len(k) for k in self.entities)
        size += len(self.touched) * 8
        return size


_DICT_ENTRY = 40  # hash, key and value pointers plus the index slot, at 2/3 load


class BucketedIndex:
    """Buckets keyed by ``floor(ts / bucket_s)``; :meth:`advance` seals and drops them.

    The caller keeps time order: :meth:`advance` is called with each post's time before its
    entries are added, and returns the buckets dropped (their ``touched`` cluster ids let the
    caller expire clusters without scanning all of them). Sealed buckets' band keys live in one
    sorted array (:meth:`lookup_sealed`); a sealed bucket keeps only its entities and counts.
    """

    def __init__(self, window_s: float, bucket_s: float) -> None:
        self.bucket_s = bucket_s
        self.span = int(np.ceil(window_s / bucket_s))  # sealed buckets kept besides the open one
        self.buckets: dict[int, Bucket] = {}
        self.current: Bucket | None = None
        self.keys = np.empty(0, dtype=np.uint64)  # every sealed bucket's band keys, sorted
        self.cids = np.empty(0, dtype=np.int64)
        self.numbers = np.empty(0, dtype=np.int32)  # the bucket each entry came from

    def bucket_of(self, ts: float) -> int:
        return int(ts // self.bucket_s)

    def advance(self, ts: float) -> list[Bucket]:
        """Make ``ts``'s bucket the open one (if it is later); seal the old, drop expired ones."""
        number = self.bucket_of(ts)
        if self.current is not None and number <= self.current.number:
            return []
        if self.current is not None:
            self._merge(self.current)
        self.current = self.buckets[number] = Bucket(number)
        dropped = [self.buckets.pop(n) for n in sorted(self.buckets) if n < number - self.span]
        if dropped:
            keep = self.numbers >= number - self.span
            self.keys, self.cids, self.numbers = self.keys[keep], self.cids[keep], self.numbers[keep]
        return dropped

    def _merge(self, bucket: Bucket) -> None:
        """Seal ``bucket`` and insert its sorted entries into the index's sorted arrays."""
        bucket.seal()
        if bucket.keys is not None and bucket.keys.size:
            at = np.searchsorted(self.keys, bucket.keys)
            self.keys = np.insert(self.keys, at, bucket.keys)
            self.cids = np.insert(self.cids, at, bucket.cids)
            self.numbers = np.insert(self.numbers, at, np.int32(bucket.number))
        bucket.keys = bucket.cids = None  # held by the index from now on

    def lookup_sealed(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every sealed entry matching ``queries`` (uint64, ``(n, bands)``): ``(rows, bands,
        cluster ids)``, one triple per entry (a key held by several buckets gives several)."""
        n, bands = queries.shape
        if self.keys.size == 0 or queries.size == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        flat = queries.ravel()
        lo = np.searchsorted(self.keys, flat, side="left")
        found = np.flatnonzero(self.keys[np.minimum(lo, self.keys.size - 1)] == flat)
        if found.size == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        lo = lo[found]  # most queries miss: the run's end is searched for the hits only
        runs = np.searchsorted(self.keys, flat[found], side="right") - lo
        which = np.repeat(found, runs)  # query index of each matching entry
        # entry positions: lo of its query plus its rank within the run
        ranks = np.arange(which.size) - np.repeat(np.cumsum(runs) - runs, runs)
        entries = np.repeat(lo, runs) + ranks
        return which // bands, which % bands, self.cids[entries]

    def sealed(self) -> list[Bucket]:
        return [b for b in self.buckets.values() if b is not self.current]

    def nbytes(self) -> int:
        return sum(b.nbytes() for b in self.buckets.values()) \
            + self.keys.nbytes + self.cids.nbytes + self.numbers.nbytes
