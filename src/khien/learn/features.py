"""Hashed n-gram features over the engine's text views, computed for a whole batch at once.

Each :class:`FeatureSpec` names a view (``canonical`` or ``folded``, the same normalisation the
lexicons see, so teencode and obfuscation are undone before the model looks; or ``lower``, the
NFC text only lower-cased, which keeps the signal normalisation erases: teencode spellings,
repeated letters, emphasis), a kind (``word``:
n-grams of tokens; ``char``: character n-grams inside space-padded tokens, like scikit-learn's
``char_wb``) and a range of n.

Every n-gram becomes a 64-bit key: a polynomial hash of its characters (modulo 2**64, computed
for all n-grams of a batch with a few numpy operations on prefix sums), salted with the spec and
n, then mixed. The key is a pure function of the n-gram's text, so it is the same in every process
and on every machine (Python's ``hash`` is salted per process and is not used). A
:class:`Vocabulary` keeps the keys seen in at least ``min_df`` training documents, as a sorted
array; a key maps to its column by binary search. With 64-bit keys collisions are negligible, so
this behaves as a vocabulary model while storing no strings.

Why this design: a Python loop over n-grams costs ~50-100 µs per post; the batch form costs a few
microseconds, which is what lets the detector predict tens of thousands of posts a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = [
    "FeatureSpec",
    "DEFAULT_SPECS",
    "Vocabulary",
    "token_text",
    "tokens_with_spans",
    "ngram_keys",
    "fit_vocabulary",
    "transform",
    "pieces",
    "tfidf_rows",
]

TOKEN_RE = re.compile(r"\w+|[^\w\s]+")
VIEWS = ("canonical", "folded", "lower")
KINDS = ("word", "char")

_MASK = (1 << 64) - 1
_BASE = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_BASE_INV = pow(_BASE, -1, 1 << 64)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """One family of n-grams: which view, word or character n-grams, which n."""

    view: str
    kind: str
    n_min: int
    n_max: int

    def __post_init__(self) -> None:
        if self.view not in VIEWS or self.kind not in KINDS or not 1 <= self.n_min <= self.n_max <= 8:
            raise ValueError(f"bad feature spec {self}")

    def to_dict(self) -> dict[str, object]:
        return {"view": self.view, "kind": self.kind, "n_min": self.n_min, "n_max": self.n_max}

    @classmethod
    def from_dict(cls, data: dict) -> "FeatureSpec":
        return cls(str(data["view"]), str(data["kind"]), int(data["n_min"]), int(data["n_max"]))


DEFAULT_SPECS = (
    FeatureSpec("canonical", "word", 1, 2),
    FeatureSpec("folded", "word", 1, 2),
    FeatureSpec("folded", "char", 1, 5),
)


def token_text(view_text: str) -> str:
    """The text the hashes read: tokens joined by one space, with a space before and after."""
    return " " + " ".join(TOKEN_RE.findall(view_text)) + " "


def tokens_with_spans(view_text: str) -> list[tuple[str, int, int]]:
    """Tokens of a view with their ``[start, end)`` in that view (for evidence)."""
    return [(m.group(0), m.start(), m.end()) for m in TOKEN_RE.finditer(view_text)]


_pow_cache: dict[str, np.ndarray] = {
    "pow": np.ones(1, dtype=np.uint64),
    "inv": np.ones(1, dtype=np.uint64),
}


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**i and BASE**-i modulo 2**64 for i < n (cached, grown by doubling)."""
    have = _pow_cache["pow"]
    if len(have) < n:
        size = max(n, 2 * len(have), 4096)
        with np.errstate(over="ignore"):
            pw = np.full(size, _BASE, dtype=np.uint64)
            pw[0] = 1
            iv = np.full(size, _BASE_INV, dtype=np.uint64)
            iv[0] = 1
            _pow_cache["pow"] = np.cumprod(pw, dtype=np.uint64)
            _pow_cache["inv"] = np.cumprod(iv, dtype=np.uint64)
    return _pow_cache["pow"][:n], _pow_cache["inv"][:n]


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the polynomial hash over all 64 bits."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * _M1
        x = x ^ (x >> np.uint64(27))
        x = x * _M2
        return x ^ (x >> np.uint64(31))


def _salt(spec_index: int, n: int) -> np.uint64:
    with np.errstate(over="ignore"):
        return np.uint64(((spec_index * 16 + n + 1) * 0x9E3779B97F4A7C15) & _MASK)


def ngram_keys(
    texts: Sequence[str], specs: Sequence[FeatureSpec], spec_indices: Sequence[int]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each spec (all on one view): (document index, key) of every n-gram of ``texts``.

    ``texts`` are :func:`token_text` strings of one view; ``spec_indices`` are the specs' positions
    in the model's spec list (part of the salt, so families never share keys).
    """
    n_docs = len(texts)
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n_docs)
    big = "".join(texts)
    total = len(big)
    codes = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lens)
    pw, inv = _powers(total + 1)
    prefix = np.zeros(total + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(codes * pw[:total], out=prefix[1:])
    space = codes == 32
    out: list[tuple[np.ndarray, np.ndarray]] = []

    def hashes(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return (prefix[ends] - prefix[starts]) * inv[starts]

    tok_starts = tok_ends = None
    for spec, index in zip(specs, spec_indices):
        docs_parts: list[np.ndarray] = []
        keys_parts: list[np.ndarray] = []
        if spec.kind == "char":
            spaces = np.zeros(total + 1, dtype=np.int64)
            np.cumsum(space, out=spaces[1:])
            for n in range(spec.n_min, spec.n_max + 1):
                if total < n:
                    continue
                # Texts start and end with a space, so an n-gram that crosses from one text into
                # the next has an inner space (n >= 3) or is two spaces (n == 2): no text index
                # comparison is needed.
                s = np.arange(total - n + 1, dtype=np.int64)
                e = s + n
                if n == 1:
                    ok = ~space
                elif n == 2:
                    ok = ~(space[:-1] & space[1:])
                else:
                    ok = spaces[e - 1] == spaces[s + 1]
                s, e = s[ok], e[ok]
                docs_parts.append(doc[s])
                keys_parts.append(_mix(hashes(s, e) ^ _salt(index, n)))
        else:
            if tok_starts is None:
                prev_space = np.ones(total, dtype=bool)
                prev_space[1:] = space[:-1]
                next_space = np.ones(total, dtype=bool)
                next_space[:-1] = space[1:]
                tok_starts = np.flatnonzero(~space & prev_space)
                tok_ends = np.flatnonzero(~space & next_space) + 1
            for n in range(spec.n_min, spec.n_max + 1):
                m = len(tok_starts) - n + 1
                if m <= 0:
                    continue
                s = tok_starts[:m]
                e = tok_ends[n - 1:]
                ok = doc[s] == doc[e - 1]
                s, e = s[ok], e[ok]
                docs_parts.append(doc[s])
                keys_parts.append(_mix(hashes(s, e) ^ _salt(index, n)))
        if docs_parts:
            out.append((np.concatenate(docs_parts), np.concatenate(keys_parts)))
        else:
            out.append((np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)))
    return out


def key_of(ngram: str, spec_index: int, n: int) -> int:
    """The key of one n-gram as written in a :func:`token_text` (used by tests and explanations)."""
    h = 0
    p = 1
    for ch in ngram:
        h = (h + ord(ch) * p) & _MASK
        p = (p * _BASE) & _MASK
    return int(_mix(np.array([h], dtype=np.uint64) ^ _salt(spec_index, n))[0])


@dataclass(frozen=True)
class Vocabulary:
    """Kept keys per spec (sorted), their column offsets, and the idf of every column."""

    specs: tuple[FeatureSpec, ...]
    keys: tuple[np.ndarray, ...]  # one sorted uint64 array per spec
    idf: np.ndarray  # float32, one per column

    @property
    def offsets(self) -> np.ndarray:
        sizes = [len(k) for k in self.keys]
        return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    @property
    def size(self) -> int:
        return int(sum(len(k) for k in self.keys))

    @cached_property
    def table(self) -> "KeyTable":
        return KeyTable(np.concatenate(self.keys) if self.keys else np.zeros(0, dtype=np.uint64))

    def columns(self, keys: np.ndarray) -> np.ndarray:
        """Column of every key, -1 for keys outside the vocabulary."""
        return self.table.lookup(keys)


class KeyTable:
    """Open-addressing hash table from 64-bit keys to their position, probed for whole arrays.

    Keys are already well mixed, so their low bits are the home slot; the table is at most a
    quarter full, so most keys are resolved by the first probe. Measured ~3x faster than a binary search over the
    sorted keys for a batch of posts.
    """

    def __init__(self, keys: np.ndarray) -> None:
        n = len(keys)
        size = 1 << max(4, int(4 * max(n, 1) - 1).bit_length())  # at most a quarter full
        self.mask = size - 1
        self.slots = np.zeros(size, dtype=np.uint64)
        self.values = np.full(size, -1, dtype=np.int32)
        keys = keys.astype(np.uint64)
        if np.any(keys == 0):
            raise ValueError("key 0 is reserved for empty slots")
        home = (keys & np.uint64(self.mask)).astype(np.int64)
        pos = home.copy()
        pending = np.arange(n, dtype=np.int64)
        while len(pending):
            slot = pos[pending]
            free = self.slots[slot] == 0
            cand, cand_slot = pending[free], slot[free]
            # several keys may want the same free slot: the first of each wins, the others probe on
            won_slot, first = np.unique(cand_slot, return_index=True)
            won = cand[first]
            self.slots[won_slot] = keys[won]
            self.values[won_slot] = won
            placed = np.zeros(n, dtype=bool)
            placed[won] = True
            pending = pending[~placed[pending]]
            pos[pending] = (pos[pending] + 1) & self.mask
        self.max_probe = int(((pos - home) & self.mask).max()) if n else 0

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        slot = (keys & np.uint64(self.mask)).astype(np.intp)
        found = self.slots.take(slot)
        hit = found == keys
        out = np.where(hit, self.values.take(slot), -1)
        # only keys whose home slot holds another key probe further (a minority)
        pending = np.flatnonzero(~hit & (found != 0))
        for _ in range(self.max_probe):
            if not len(pending):
                break
            s = (slot[pending] + 1) & self.mask
            slot[pending] = s
            found = self.slots.take(s)
            hit = found == keys[pending]
            out[pending[hit]] = self.values.take(s[hit])
            pending = pending[~hit & (found != 0)]
        return out


def _keys_by_spec(view_texts: dict[str, list[str]], specs: Sequence[FeatureSpec]) -> list[tuple[np.ndarray, np.ndarray]]:
    result: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(specs)
    for view in VIEWS:
        idx = [i for i, s in enumerate(specs) if s.view == view]
        if not idx:
            continue
        for i, pair in zip(idx, ngram_keys(view_texts[view], [specs[i] for i in idx], idx)):
            result[i] = pair
    return result  # type: ignore[return-value]


def _views_of(specs: Sequence[FeatureSpec], view_texts: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The texts of the views ``specs`` read (only those: the others may be costly to compute)."""
    out: dict[str, list[str]] = {}
    for view in dict.fromkeys(s.view for s in specs):
        if view not in view_texts:
            raise ValueError(f"the features need the {view!r} view, which the texts lack")
        out[view] = view_texts[view]
    return out


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(n, a + size)) for a in range(0, n, size)] or [(0, 0)]


def fit_vocabulary(
    view_texts: dict[str, list[str]],
    specs: Sequence[FeatureSpec],
    *,
    min_df: int = 2,
    max_features: int | None = None,
    chunk: int = 4096,
) -> Vocabulary:
    """Keep, per spec, the keys found in at least ``min_df`` documents (the most frequent
    ``max_features`` over all specs if given, ties broken by key so the result is deterministic)."""
    needed = _views_of(specs, view_texts)
    n_docs = len(needed[specs[0].view]) if specs else 0
    per_spec: list[list[np.ndarray]] = [[] for _ in specs]
    for a, b in _chunks(n_docs, chunk):
        part = {v: t[a:b] for v, t in needed.items()}
        for i, (docs, keys) in enumerate(_keys_by_spec(part, specs)):
            if len(keys) == 0:
                continue
            order = np.lexsort((docs, keys))
            k, d = keys[order], docs[order]
            first = np.ones(len(k), dtype=bool)
            first[1:] = (k[1:] != k[:-1]) | (d[1:] != d[:-1])
            per_spec[i].append(k[first])
    uniq: list[np.ndarray] = []
    dfs: list[np.ndarray] = []
    for parts in per_spec:
        allk = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
        u, c = np.unique(allk, return_counts=True)
        keep = c >= min_df
        uniq.append(u[keep])
        dfs.append(c[keep])
    if max_features is not None and sum(len(u) for u in uniq) > max_features:
        spec_id = np.concatenate([np.full(len(u), i) for i, u in enumerate(uniq)])
        allk = np.concatenate(uniq)
        alld = np.concatenate(dfs)
        order = np.lexsort((allk, -alld))[:max_features]
        chosen = np.zeros(len(allk), dtype=bool)
        chosen[order] = True
        uniq = [allk[chosen & (spec_id == i)] for i in range(len(specs))]
        dfs = [alld[chosen & (spec_id == i)] for i in range(len(specs))]
    idf = np.concatenate([np.log((1.0 + n_docs) / (1.0 + d)) + 1.0 for d in dfs]).astype(np.float32)
    return Vocabulary(tuple(specs), tuple(uniq), idf)


# A document's token text longer than this is read in pieces of about this size (see pieces).
PIECE_CHARS = 1 << 14

KeysOf = Callable[[Mapping[str, list[str]]], Sequence[tuple[np.ndarray, np.ndarray]]]


def transform(view_texts: Mapping[str, list[str]], vocab: Vocabulary, *, chunk: int = 8192,
              keys: KeysOf | None = None) -> sp.csr_matrix:
    """TF-IDF rows (sublinear tf, idf, each spec's block L2-normalised) for the documents.

    ``keys`` gives the ``(document, key)`` pairs per spec of ``vocab`` for a batch of view texts
    (default: :func:`ngram_keys` salted by each spec's position in ``vocab.specs``). Documents
    longer than :data:`PIECE_CHARS` are counted piece by piece (:func:`pieces`), so the
    intermediate arrays stay the size of a piece, not of the text; the counts, and so the rows,
    are the same as in one pass.
    """
    keys_of: KeysOf = keys or (lambda part: _keys_by_spec(part, vocab.specs))
    needed = _views_of(vocab.specs, view_texts)
    n_docs = len(next(iter(needed.values()))) if needed else len(next(iter(view_texts.values())))
    blocks = []
    for a, b in _chunks(n_docs, chunk):
        part = {v: t[a:b] for v, t in needed.items()}
        long_rows = [i for i in range(b - a) if any(len(t[i]) > PIECE_CHARS for t in part.values())]
        if not long_rows:
            blocks.append(tfidf_rows(keys_of(part), vocab, b - a))
            continue
        skip = set(long_rows)
        short = {v: [" " if i in skip else x for i, x in enumerate(t)] for v, t in part.items()}
        x = count_rows(keys_of(short), vocab, b - a)
        for i in long_rows:
            x = x + _long_counts({v: t[i] for v, t in part.items()}, i, vocab, b - a, keys_of)
        x.has_canonical_format = False  # sort and sum as count_rows does, whatever the addition left
        x.sum_duplicates()
        x.eliminate_zeros()
        blocks.append(weigh_rows(x, vocab, b - a))
    return sp.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]


def pieces(text: str, overlap: int, size: int = PIECE_CHARS) -> Iterator[tuple[str, float]]:
    """``(piece, sign)`` of a token text: pieces of about ``size`` characters, cut at spaces, each
    starting ``overlap`` tokens before the previous one ended, and each shared stretch once more
    with sign -1.

    Every n-gram of at most ``overlap + 1`` words (and every character n-gram, which never crosses
    a space) lies in a piece; one lying in two neighbouring pieces lies in the stretch they share,
    so the signed counts over the pieces are exactly the counts over ``text``.
    """
    n = len(text)
    start = prev_cut = 0
    while n - start > size:
        cut = text.rfind(" ", start + 1, start + size)
        while True:
            if cut <= start:
                cut = text.find(" ", start + size)
            if cut < 0 or cut >= n - 1:
                cut = -1
                break
            back = cut  # ``overlap`` tokens back from the cut; must not reach into the last shared stretch
            for _ in range(overlap):
                back = text.rfind(" ", start, back) if back > start else -1
            if back > prev_cut and back > start:
                break
            cut = text.find(" ", cut + 1)
            if cut < 0:
                break
        if cut < 0:
            break
        yield text[start:cut + 1], 1.0
        yield text[back:cut + 1], -1.0
        start, prev_cut = back, cut
    yield text[start:], 1.0


def _long_counts(texts: Mapping[str, str], row: int, vocab: Vocabulary, m: int, keys_of: KeysOf) -> sp.csr_matrix:
    """Row ``row`` of the counts of one long document, read piece by piece (rows of ``m``)."""
    overlap = max([s.n_max for s in vocab.specs if s.kind == "word"], default=1)
    total: sp.csr_matrix | None = None
    blank = {v: [" "] for v in texts}
    for view, text in texts.items():
        for piece, sign in pieces(text, overlap):
            x = count_rows(keys_of({**blank, view: [piece]}), vocab, 1, sign=sign)
            total = x if total is None else total + x
    assert total is not None
    coo = total.tocoo()
    return sp.csr_matrix((coo.data, (np.full(len(coo.data), row), coo.col)), shape=(m, vocab.size))


def tfidf_rows(pairs: Sequence[tuple[np.ndarray, np.ndarray]], vocab: Vocabulary, m: int) -> sp.csr_matrix:
    """TF-IDF rows of ``m`` documents from their ``(document, key)`` pairs, one pair of arrays per
    spec of ``vocab``: sublinear tf, idf, each spec's block L2-normalised."""
    x = count_rows(pairs, vocab, m)
    if x.nnz == 0:
        return sp.csr_matrix((m, vocab.size), dtype=np.float32)
    return weigh_rows(x, vocab, m)


def count_rows(pairs: Sequence[tuple[np.ndarray, np.ndarray]], vocab: Vocabulary, m: int, *,
               sign: float = 1.0) -> sp.csr_matrix:
    """How often each vocabulary column occurs in each of ``m`` documents (float32, summed, sorted;
    times ``sign``). Counts are whole numbers far below 2**24, so float32 sums of them are exact."""
    rows_parts, cols_parts = [], []
    for docs, keys in pairs:
        if len(keys) == 0:
            continue
        cols = vocab.columns(keys)
        hit = cols >= 0
        rows_parts.append(docs[hit])
        cols_parts.append(cols[hit])
    if not rows_parts:
        return sp.csr_matrix((m, vocab.size), dtype=np.float32)
    rows = np.concatenate(rows_parts)
    cols = np.concatenate(cols_parts)
    x = sp.csr_matrix((np.full(len(rows), sign, dtype=np.float32), (rows, cols)), shape=(m, vocab.size))
    x.sum_duplicates()
    return x


def weigh_rows(x: sp.csr_matrix, vocab: Vocabulary, m: int) -> sp.csr_matrix:
    """TF-IDF of count rows (as :func:`count_rows` gives them, no zeros stored), in place."""
    if x.nnz == 0:
        return sp.csr_matrix((m, vocab.size), dtype=np.float32)
    offsets = vocab.offsets
    n_specs = len(vocab.specs)
    data = (1.0 + np.log(x.data)) * vocab.idf[x.indices]
    spec_of = np.searchsorted(offsets, x.indices, side="right") - 1
    row_of = np.repeat(np.arange(m), np.diff(x.indptr))
    norms = np.sqrt(np.bincount(row_of * n_specs + spec_of, weights=data * data, minlength=m * n_specs))
    x.data = (data / norms[row_of * n_specs + spec_of]).astype(np.float32)
    return x
