"""The intent model: what harm a post is, and what it does to the reader (its stance).

Two outputs from one set of features:

- **categories**: one calibrated probability per harm category (multi-label: a threat at a person
  is both harassment and violence);
- **stance**: solicits (asks the reader to pay, transfer, click, contact, install, send a code),
  warns, asks, reports (news, a victim's story, a quoted message) or other.

Features are the hashed n-grams of :mod:`khien.learn.features` (what the training texts said)
beside the TF-IDF-weighted mean of static word vectors distilled from a multilingual sentence
encoder (:mod:`khien.learn.static`: what they meant), so words the training data never used still
move the decision. Every head is a logistic regression; category heads are calibrated by Platt
scaling on out-of-fold scores, where the folds are whole corpus batches (different writers and
briefs), so the scores are honest about posts from other writers.

The whole model is linear in word-level features, so its evidence is exact: a cue is a word or a
two-word phrase whose own contribution pushes the score up (:meth:`IntentModel.cues`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import numpy as np
import scipy.sparse as sp

from ..errors import ModelError
from . import features as F
from .static import STATIC_SPECS, StaticVectors, _SPEC_INDEX

__all__ = ["IntentModel", "IntentData", "IntentConfig", "train_intent", "Cue"]

Progress = Callable[[str], None]
_BLOCK = 4096  # n-gram hits per block of the static-vector projections in cues_batch
_GROUP_TOKENS = 1 << 16  # tokens of the requests cues_batch scores at once
_NON_SPACE = re.compile(r"[^ ]+")
# a token of combining marks alone (the only kind folding empties), between the token text's spaces
_MARKS_ONLY = re.compile(r"(?<= )[\u0300-\u036f]+(?= )")
_WORD_SPECS = {"canonical", "folded"}


@dataclass(frozen=True, slots=True)
class Cue:
    """A span of a view's token text (``start``/``end`` into the canonical view) and its weight."""

    start: int
    end: int
    weight: float


@dataclass
class IntentData:
    """Training rows: texts, a 0/1/-1 matrix for the categories (-1: unknown), stance index or -1,
    and a group per row (corpus batch) for out-of-fold scoring."""

    texts: list[str]
    categories: tuple[str, ...]
    y_cat: np.ndarray  # (n, H) int8
    stances: tuple[str, ...]
    y_stance: np.ndarray  # (n,) int16, -1 unknown
    groups: list[str]
    source: str = ""


@dataclass(frozen=True)
class IntentConfig:
    specs: tuple[F.FeatureSpec, ...] = (
        F.FeatureSpec("canonical", "word", 1, 2),
        F.FeatureSpec("folded", "word", 1, 3),
        F.FeatureSpec("folded", "char", 2, 4),
    )
    max_features: int = 80_000
    min_df: int = 2
    alpha: float = 1.0  # weight of the static-vector block beside the n-gram blocks
    c_grid: tuple[float, ...] = (2.0, 8.0, 32.0)
    stance_c: float = 4.0
    folds: int = 5
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"specs": [s.to_dict() for s in self.specs], "max_features": self.max_features, "min_df": self.min_df,
                "alpha": self.alpha, "c_grid": list(self.c_grid), "stance_c": self.stance_c, "folds": self.folds,
                "seed": self.seed}


class Inputs(NamedTuple):
    """A batch as the model reads it: n-gram TF-IDF rows, static-vector weights, the scaled unit
    embedding, and each embedding's norm before scaling (the cues need it)."""

    x: sp.csr_matrix
    xs: sp.csr_matrix
    e: np.ndarray
    norms: np.ndarray


def model_inputs(vocab: F.Vocabulary, static: StaticVectors, alpha: float, texts: Mapping[str, list[str]]) -> Inputs:
    x = F.transform(texts, vocab)
    xs = static.weights(texts)
    e = np.asarray(xs @ static.vectors, dtype=np.float64)
    norms = np.maximum(np.linalg.norm(e, axis=1), 1e-6)
    return Inputs(x, xs, (e / norms[:, None]) * alpha, norms)


@dataclass
class IntentModel:
    categories: tuple[str, ...]
    stances: tuple[str, ...]
    vocab: F.Vocabulary
    static: StaticVectors
    alpha: float
    w_cat: np.ndarray  # (features, H)
    e_cat: np.ndarray  # (dim, H)
    b_cat: np.ndarray  # (H,)
    platt: np.ndarray  # (H, 2): p = sigmoid(a * raw + b)
    w_st: np.ndarray  # (features, S)
    e_st: np.ndarray  # (dim, S)
    b_st: np.ndarray  # (S,)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "intent"))

    # -- prediction ---------------------------------------------------------------------------
    def inputs(self, texts: Mapping[str, list[str]]) -> Inputs:
        return model_inputs(self.vocab, self.static, self.alpha, texts)

    def raw(self, texts: Mapping[str, list[str]], inputs: Inputs | None = None) -> tuple[np.ndarray, np.ndarray]:
        x, _, e, _ = inputs if inputs is not None else self.inputs(texts)
        cat = np.asarray(x @ self.w_cat, dtype=np.float64) + e @ self.e_cat + self.b_cat
        st = np.asarray(x @ self.w_st, dtype=np.float64) + e @ self.e_st + self.b_st
        return cat, st

    def predict(self, texts: Mapping[str, list[str]], inputs: Inputs | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(category probabilities (n, H), stance probabilities (n, S))."""
        cat, st = self.raw(texts, inputs)
        return _sigmoid(cat * self.platt[:, 0] + self.platt[:, 1]), _softmax(st)

    # -- evidence -----------------------------------------------------------------------------
    def cues(self, canonical_text: str, column: int, *, stance: bool = False, limit: int = 3) -> list[Cue]:
        """Words and two-word phrases of the canonical view whose own contribution raises the score of
        category ``column`` (or stance ``column``) the most, on word boundaries, strongest first."""
        from .model import view_texts

        inputs = self.inputs(view_texts([canonical_text]))
        return self.cues_batch([canonical_text], [(0, column, stance)], inputs, limit=limit)[0]

    def cues_batch(self, canonical_texts: Sequence[str], requests: Sequence[tuple[int, int, bool]], inputs: Inputs,
                   *, limit: int = 3) -> list[list[Cue]]:
        """:meth:`cues` for many ``(row, column, stance)`` requests at once; ``inputs`` from :meth:`inputs`
        over ``canonical_texts`` (a request's row indexes both). The model is linear in its word-level
        features, so a gram's contribution is its TF-IDF value times its weight (for the static block:
        its weight times the projection of its vector on the head's vector weights)."""
        if not requests:
            return []
        # Each text is read once however many requests name it: token spans as arrays, token texts
        # of both views, and the keys of its word n-grams, computed piece by piece.
        texts = {r: _RowText.of(canonical_texts[r]) for r in dict.fromkeys(int(r) for r, _, _ in requests)}
        # Requests are scored in groups of about _GROUP_TOKENS tokens: the arrays of a group are
        # ~100 bytes per token, so a long text asked for several categories would cost that many
        # times its length at once. A request's keys and positions come from its own text alone,
        # and a token's score only takes its own request's contributions, in the same order in any
        # grouping, so the cues depend neither on the grouping nor on the other texts of the batch.
        out: list[list[Cue]] = []
        group: list[tuple[int, int, bool]] = []
        size = 0
        for req in requests:
            n = len(texts[int(req[0])].starts)
            if group and size + n > _GROUP_TOKENS:
                out += self._cues_group(texts, group, inputs, limit)
                group, size = [], 0
            group.append(req)
            size += n
        return out + self._cues_group(texts, group, inputs, limit)

    def _cues_group(self, texts: "dict[int, _RowText]", requests: Sequence[tuple[int, int, bool]], inputs: Inputs,
                    limit: int) -> list[list[Cue]]:
        """Cues of ``requests``, each computed from its own row's text and inputs alone."""
        x, xs, _, norms = inputs
        rows = np.array([r for r, _, _ in requests], dtype=np.int64)
        n_tok = np.array([len(texts[int(r)].starts) for r in rows], dtype=np.int64)
        first = np.concatenate([[0], np.cumsum(n_tok)])
        req_col = np.array([c for _, c, _ in requests], dtype=np.int64)
        req_st = np.array([st for _, _, st in requests], dtype=bool)
        e_all = np.stack([(self.e_st if st else self.e_cat)[:, c] for _, c, st in requests])  # (R, dim)
        static_scale = self.alpha / norms[rows]
        score = np.zeros(int(first[-1]))

        def accumulate(view: str, spec: F.FeatureSpec, index: int, table, static: bool) -> None:
            # Each request reads the keys of its own row's word n-grams in ``view`` and places them
            # on that row's canonical tokens. A view may have fewer tokens than the canonical one
            # (folding empties a token of combining marks alone), so its n-gram at view position p
            # covers the canonical tokens ``where[v_first[q] + p + k]``, not ``p + k``.
            maps = [texts[int(r)].token_map(view) for r in rows]
            v_tok = np.array([texts[int(r)].tokens[view] for r in rows], dtype=np.int64)
            v_first = np.concatenate([[0], np.cumsum(v_tok)])
            where = np.concatenate([first[q] + (np.arange(v_tok[q], dtype=np.int64) if m is None else m)
                                    for q, m in enumerate(maps)])
            for n in range(spec.n_min, min(spec.n_max, 2) + 1):
                counts = np.maximum(v_tok - n + 1, 0)
                req = np.repeat(np.arange(len(requests)), counts)
                pos = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
                part = np.concatenate([texts[int(r)].gram_keys(view, index, n) for r in rows])
                if not len(part):
                    continue
                cols = table.columns(part)
                hit = np.flatnonzero(cols >= 0)
                if not len(hit):
                    continue
                r, c, p = req[hit], cols[hit], pos[hit]
                if static:
                    val = np.asarray(xs[rows[r], c]).ravel()
                    # row by row dot products, in blocks: a (hits, dim) float64 pair for a long text
                    # was ~1.5 kB per token
                    proj = np.concatenate([
                        np.einsum("ij,ij->i", self.static.vectors[c[i:i + _BLOCK]].astype(np.float64), e_all[r[i:i + _BLOCK]])
                        for i in range(0, len(c), _BLOCK)])
                    contrib = val * proj * static_scale[r]
                else:
                    val = np.asarray(x[rows[r], c]).ravel()
                    weight = np.where(req_st[r], self.w_st[c, np.where(req_st[r], req_col[r], 0)],
                                      self.w_cat[c, np.where(req_st[r], 0, req_col[r])])
                    contrib = val * weight
                good = contrib > 0
                for k in range(n):
                    np.add.at(score, where[v_first[r[good]] + p[good] + k], contrib[good] / n)

        for index, spec in enumerate(self.vocab.specs):
            if spec.kind == "word" and spec.n_min <= 2:
                accumulate(spec.view, spec, index, self.vocab, False)
        for sspec, sindex in zip(STATIC_SPECS, _SPEC_INDEX):
            accumulate(sspec.view, sspec, sindex, self.static.vocabulary, True)
        out: list[list[Cue]] = []
        for q, r in enumerate(rows.tolist()):
            row = texts[r]
            sc = score[first[q]:first[q + 1]]
            top = sc.max(initial=0.0)
            found: list[Cue] = []
            if top > 0:
                keep = (sc >= 0.4 * top) & row.alnum
                size = len(keep)
                for j in np.flatnonzero(keep & ~np.concatenate([[False], keep[:-1]])).tolist():
                    # a run of kept tokens from j, cut into cues of at most four tokens
                    while j < size and keep[j]:
                        k = j
                        while k + 1 < size and keep[k + 1] and k - j < 3:
                            k += 1
                        found.append(Cue(int(row.starts[j]), int(row.ends[k]), float(sc[j:k + 1].sum())))
                        j = k + 1
                found.sort(key=lambda c: -c.weight)
            out.append(found[:limit])
        return out


class _RowText:
    """One canonical text as :meth:`IntentModel.cues_batch` reads it: its tokens' spans, whether each
    starts with a letter or digit, and its token texts (canonical, folded). Arrays, not a tuple per
    token, so a long text costs a few bytes per character."""

    __slots__ = ("starts", "ends", "alnum", "views", "tokens", "keys", "maps")

    def __init__(self, starts: np.ndarray, ends: np.ndarray, alnum: np.ndarray, views: dict[str, str]) -> None:
        self.starts, self.ends, self.alnum, self.views = starts, ends, alnum, views
        self.tokens = {"canonical": len(starts), "folded": sum(1 for _ in _NON_SPACE.finditer(views["folded"]))}
        self.keys: dict[tuple[str, int, int], np.ndarray] = {}
        self.maps: dict[str, np.ndarray | None] = {}

    @classmethod
    def of(cls, canonical_text: str) -> "_RowText":
        from ..text.views import fold_accents

        spans = [(m.start(), m.end(), m.group(0)[:1].isalnum()) for m in F.TOKEN_RE.finditer(canonical_text)] \
            if len(canonical_text) <= F.PIECE_CHARS else None
        if spans is not None:
            starts = np.array([s for s, _, _ in spans], dtype=np.int64)
            ends = np.array([e for _, e, _ in spans], dtype=np.int64)
            alnum = np.array([a for _, _, a in spans], dtype=bool)
        else:  # a long text: spans gathered into arrays as the matches come, no list per token
            n = sum(1 for _ in F.TOKEN_RE.finditer(canonical_text))
            starts = np.empty(n, dtype=np.int64)
            ends = np.empty(n, dtype=np.int64)
            alnum = np.empty(n, dtype=bool)
            for i, m in enumerate(F.TOKEN_RE.finditer(canonical_text)):
                starts[i], ends[i], alnum[i] = m.start(), m.end(), m.group(0)[:1].isalnum()
        canon = F.token_text(canonical_text)
        return cls(starts, ends, alnum, {"canonical": canon, "folded": fold_accents(canon)})

    def gram_keys(self, view: str, index: int, n: int) -> np.ndarray:
        """Keys of the word n-grams of one view's token text, in order, as :func:`F.ngram_keys` gives
        them for the whole text; computed on pieces that share n - 1 tokens (an n-gram starting in
        the shared tokens crosses the cut, so no n-gram is read twice), so the arrays of a pass stay
        the size of a piece."""
        found = self.keys.get((view, index, n))
        if found is None:
            spec = F.FeatureSpec(view, "word", n, n)
            parts = [F.ngram_keys([piece], [spec], [index])[0][1] for piece in _windows(self.views[view], n - 1)]
            found = self.keys[(view, index, n)] = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return found

    def token_map(self, view: str) -> np.ndarray | None:
        """The canonical token each of ``view``'s tokens comes from, or None when they are the
        canonical tokens one for one (every view but a folded one that lost tokens).

        The folded token text is the canonical one folded character by character, and folding only
        removes combining marks (:func:`khien.text.views.fold_accents`), so each canonical token
        gives one folded token or, if it is marks alone, none."""
        if view not in self.maps:
            self.maps[view] = None
            lost = self.tokens["canonical"] - self.tokens[view]
            if lost:
                if view != "folded" or lost < 0:
                    raise ModelError(f"intent cues: the {view} view has {self.tokens[view]} tokens beside "
                                     f"{self.tokens['canonical']} canonical ones")
                self.maps[view] = np.delete(np.arange(self.tokens["canonical"], dtype=np.int64), self._emptied())
        return self.maps[view]

    def _emptied(self) -> np.ndarray:
        """Indices of the canonical tokens that fold to nothing, counted without a list per token."""
        from ..text.views import fold_accents

        canon = self.views["canonical"]
        out, index, at = [], -1, 0
        for m in _MARKS_ONLY.finditer(canon):
            index += canon.count(" ", at, m.start())  # the token text starts with a space
            at = m.start()
            if not fold_accents(m.group(0)):
                out.append(index)
        found = np.array(out, dtype=np.int64)
        if len(found) != self.tokens["canonical"] - self.tokens["folded"]:
            raise ModelError("intent cues: the folded view lost tokens that are not combining marks alone")
        return found


def _windows(text: str, overlap: int, size: int | None = None) -> list[str]:
    """Pieces of a token text of about ``size`` characters cut at spaces, each starting ``overlap``
    tokens before the previous one ended: the pieces :func:`F.pieces` counts with sign +1 (an
    n-gram of ``overlap + 1`` words lies whole in exactly one of them)."""
    return [piece for piece, sign in F.pieces(text, overlap, size or F.PIECE_CHARS) if sign > 0]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fold_ids(groups: Sequence[str], k: int, seed: int) -> np.ndarray:
    """Folds of whole groups (corpus batches); rows of large outside groups are spread over folds."""
    rng = np.random.default_rng(seed)
    names = sorted(set(groups))
    corpus_groups = [g for g in names if not g.startswith("ext:")]
    fold_of = {g: i % k for i, g in enumerate(corpus_groups)}
    out = np.empty(len(groups), dtype=np.int64)
    for i, g in enumerate(groups):
        out[i] = fold_of[g] if g in fold_of else int(rng.integers(k))
    return out


def _platt(raw: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, max_iter=1000)
    lr.fit(raw.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def _design(x: sp.csr_matrix, e: np.ndarray) -> sp.csr_matrix:
    return sp.hstack([x, sp.csr_matrix(e)], format="csr")


def train_intent(data: IntentData, static: StaticVectors, config: IntentConfig = IntentConfig(), *,
                 name: str = "khien-intent", progress: Progress | None = None) -> IntentModel:
    """Fit every head; choose each category head's C and Platt scaling from out-of-fold scores."""
    from sklearn.linear_model import LogisticRegression

    from .model import view_texts

    say = progress or (lambda _m: None)
    if len(data.texts) < 10:
        raise ModelError("the intent model needs at least 10 training texts")
    vt = view_texts(data.texts)
    needed = {v: vt[v] for v in dict.fromkeys([s.view for s in config.specs] + ["canonical", "folded"])}
    vocab = F.fit_vocabulary(needed, config.specs, min_df=config.min_df, max_features=config.max_features)
    x, _, e, _ = model_inputs(vocab, static, config.alpha, needed)
    design = _design(x, e)
    n_feat = x.shape[1]
    folds = _fold_ids(data.groups, config.folds, config.seed)
    say(f"{len(data.texts)} texts, {n_feat} n-gram features + {static.dim} vector dims, {len(set(folds))} folds")

    H = len(data.categories)
    w_cat = np.zeros((n_feat, H), dtype=np.float32)
    e_cat = np.zeros((static.dim, H))
    b_cat = np.zeros(H)
    platt = np.zeros((H, 2))
    report: dict[str, Any] = {}
    for h, cat in enumerate(data.categories):
        y = data.y_cat[:, h]
        known = np.flatnonzero(y >= 0)
        yk = y[known].astype(np.int64)
        if yk.sum() < 5:
            raise ModelError(f"category {cat!r} has {int(yk.sum())} positive examples; at least 5 are needed")
        best = None
        for c in config.c_grid:
            oof = np.zeros(len(known))
            for f in np.unique(folds[known]):
                tr, te = folds[known] != f, folds[known] == f
                if yk[tr].min() == yk[tr].max():
                    continue
                lr = LogisticRegression(C=c, solver="liblinear", dual=True, class_weight="balanced", max_iter=5000, random_state=0)
                lr.fit(design[known[tr]], yk[tr])
                oof[te] = lr.decision_function(design[known[te]])
            a, b = _platt(oof, yk)
            p = _sigmoid(a * oof + b)
            loss = float(-np.mean(yk * np.log(p + 1e-9) + (1 - yk) * np.log(1 - p + 1e-9)))
            if best is None or loss < best[0]:
                best = (loss, c, a, b, oof)
        loss, c, a, b, oof = best  # type: ignore[misc]
        lr = LogisticRegression(C=c, solver="liblinear", dual=True, class_weight="balanced", max_iter=5000, random_state=0)
        lr.fit(design[known], yk)
        coef = lr.coef_[0]
        w_cat[:, h] = coef[:n_feat]
        e_cat[:, h] = coef[n_feat:]
        b_cat[h] = lr.intercept_[0]
        platt[h] = (a, b)
        p = _sigmoid(a * oof + b)
        pred = p >= 0.5
        tp = int((pred & (yk == 1)).sum())
        report[cat] = {"C": c, "log_loss": round(loss, 4), "positives": int(yk.sum()), "rows": int(len(yk)),
                       "oof_precision": round(tp / max(int(pred.sum()), 1), 4), "oof_recall": round(tp / max(int(yk.sum()), 1), 4)}
        say(f"{cat}: C={c} oof P={report[cat]['oof_precision']} R={report[cat]['oof_recall']} (n+={int(yk.sum())})")

    S = len(data.stances)
    known = np.flatnonzero(data.y_stance >= 0)
    ys = data.y_stance[known].astype(np.int64)
    oof_pred = np.zeros(len(known), dtype=np.int64)
    for f in np.unique(folds[known]):
        tr, te = folds[known] != f, folds[known] == f
        lr = LogisticRegression(C=config.stance_c, max_iter=3000, class_weight="balanced")
        lr.fit(design[known[tr]], ys[tr])
        oof_pred[te] = lr.classes_[np.argmax(lr.decision_function(design[known[te]]), axis=1)]
    stance_acc = float((oof_pred == ys).mean()) if len(ys) else 0.0
    lr = LogisticRegression(C=config.stance_c, max_iter=3000, class_weight="balanced")
    lr.fit(design[known], ys)
    if list(lr.classes_) != list(range(S)):
        raise ModelError("every stance needs training examples")
    w_st = lr.coef_.T[:n_feat].astype(np.float32)
    e_st = lr.coef_.T[n_feat:]
    b_st = lr.intercept_
    report["stance"] = {"oof_accuracy": round(stance_acc, 4), "rows": int(len(ys))}
    say(f"stance: oof accuracy {stance_acc:.3f} on {len(ys)} rows")
    meta = {"name": name, "config": config.to_dict(), "training": report, "rows": len(data.texts),
            "sources": data.source, "static_vectors": static.meta.get("sha256")}
    return IntentModel(data.categories, data.stances, vocab, static, config.alpha, w_cat, e_cat, b_cat, platt,
                       w_st, e_st, b_st, meta)
