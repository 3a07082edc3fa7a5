"""A fast linear text classifier over the engine's views: train, calibrate, tune thresholds, predict.

Model: TF-IDF of hashed n-grams (:mod:`khien.learn.features`) → one linear scorer per class
(scikit-learn's ``LinearSVC`` or ``LogisticRegression``, trained with balanced class weights) →
*vector scaling* (a scale and a shift per class, fitted on held-out data by minimising the
negative log-likelihood) gives calibrated probabilities → per-class offsets on the log
probabilities, tuned on held-out data for macro-F1, give the decision.

Inference needs only numpy and scipy: features for a whole batch, one sparse-dense product, a
softmax. When the training data has spans, the model also keeps, for every token seen at least
twice, how often it was inside a span; evidence is then the tokens that usually are. Without spans,
evidence is the tokens whose own n-gram weights push hardest towards the predicted label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from ..errors import ModelError
from ..text.views import Views, fold_accents, views
from . import features as F
from .data import Dataset
from .calibrate import fit_calibration, tune_offsets
from .metrics import macro_f1

__all__ = ["TextModel", "TrainConfig", "train", "view_texts", "ViewTexts"]

_WORD = re.compile(r"\w")
_TOKEN_SPEC_INDEX = 15  # salt of the per-token keys of the span table (no feature family uses it)
_TOKEN_SPEC = F.FeatureSpec("canonical", "word", 1, 1)

Progress = Callable[[str], None]


class ViewTexts(Mapping[str, list[str]]):
    """Token texts of the views of a batch, each computed on first use (a model reads only the
    views its feature families name, so the detector does not pay for the others)."""

    def __init__(self, vs: Sequence[Views]) -> None:
        self._views = vs
        self._texts: dict[str, list[str]] = {}

    def __getitem__(self, view: str) -> list[str]:
        found = self._texts.get(view)
        if found is not None:
            return found
        if view == "canonical":
            found = [F.token_text(v.canonical.text) for v in self._views]
        elif view == "folded":
            found = [fold_accents(t) for t in self["canonical"]]
        elif view == "lower":
            found = [F.token_text(v.nfc.text.lower()) for v in self._views]
        else:
            raise KeyError(view)
        self._texts[view] = found
        return found

    def __iter__(self):
        return iter(F.VIEWS)

    def __len__(self) -> int:
        return len(F.VIEWS)


def view_texts(source: Sequence[str] | Sequence[Views]) -> ViewTexts:
    """Token texts of the canonical, folded and lower views, from raw texts or from computed views.

    The folded view is the canonical view with diacritics removed, one character for one, so its
    token text is the canonical token text folded: one tokenisation serves both views. The lower
    view is the NFC text lower-cased and nothing else (teencode, repeated letters and spelling
    kept, which normalisation erases but which carry signal). Each is computed on first use.
    """
    return ViewTexts([views(s) if isinstance(s, str) else s for s in source])


@dataclass
class TextModel:
    """A trained classifier. Build with :func:`train` or :func:`khien.learn.format.load_model`."""

    labels: tuple[str, ...]
    vocab: F.Vocabulary
    weights: np.ndarray  # (features, classes) float32
    bias: np.ndarray  # (classes,)
    scale: np.ndarray  # calibration: p = softmax(scale * raw + shift)
    shift: np.ndarray
    offsets: np.ndarray  # decision = argmax(log p + offsets)
    span_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    span_scores: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "model"))

    # -- prediction -------------------------------------------------------------------------
    def raw_scores(self, texts: Mapping[str, list[str]]) -> np.ndarray:
        x = F.transform(texts, self.vocab)
        return np.asarray(x @ self.weights, dtype=np.float64) + self.bias

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        z = raw * self.scale + self.shift
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def decide(self, proba: np.ndarray) -> np.ndarray:
        return np.argmax(np.log(np.maximum(proba, 1e-12)) + self.offsets, axis=1)

    def predict_proba(self, source: Sequence[str] | Sequence[Views] | Mapping[str, list[str]]) -> np.ndarray:
        """Calibrated probabilities, one row per text, columns in :attr:`labels` order."""
        texts = source if isinstance(source, Mapping) else view_texts(source)
        return self.calibrate(self.raw_scores(texts))

    def predict(self, source: Sequence[str] | Sequence[Views] | Mapping[str, list[str]]) -> list[str]:
        return [self.labels[i] for i in self.decide(self.predict_proba(source))]

    def thresholds(self) -> dict[str, float]:
        """For two classes: the probability of the second label above which it is decided."""
        if len(self.labels) != 2:
            return {}
        # log p1 + o1 > log p0 + o0  <=>  p1 > 1 / (1 + exp(o1 - o0))
        return {self.labels[1]: float(1.0 / (1.0 + np.exp(self.offsets[1] - self.offsets[0])))}

    # -- evidence ---------------------------------------------------------------------------
    def _token_weight_keys(self) -> tuple[int, int] | None:
        """(spec index, column offset) of the first word-unigram family, for linear evidence."""
        offsets = self.vocab.offsets
        for i, spec in enumerate(self.vocab.specs):
            if spec.kind == "word" and spec.n_min == 1:
                return i, int(offsets[i])
        return None

    def token_scores(self, canonical_texts: Sequence[str], label: int, *, linear: bool = False) -> list[list[tuple[int, int, float]]]:
        """For each canonical view text: its tokens as ``(start, end, score)`` in view offsets.

        With a span table (and not ``linear``) the score is the share of the token's training
        occurrences that were inside a span; otherwise its unigram weight towards ``label``.
        """
        tokenised = [F.tokens_with_spans(t) for t in canonical_texts]
        joined = [" " + " ".join(tok for tok, _, _ in toks) + " " for toks in tokenised]
        if len(self.span_keys) and not linear:
            spec, index, table, values = _TOKEN_SPEC, _TOKEN_SPEC_INDEX, self.span_keys, self.span_scores
        else:
            found = self._token_weight_keys()
            if found is None:
                return [[] for _ in canonical_texts]
            index, col0 = found
            spec = F.FeatureSpec(self.vocab.specs[index].view, "word", 1, 1)
            table = self.vocab.keys[index]
            cols = np.arange(len(table)) + col0
            values = self.weights[cols, label] * self.vocab.idf[cols]
            if len(self.labels) == 2:  # two classes: what counts is the margin between them
                values = (self.weights[cols, label] - self.weights[cols, 1 - label]) * self.vocab.idf[cols]
        if spec.view == "folded":
            joined = [fold_accents(t) for t in joined]  # same tokens, folded
        (docs, keys), = F.ngram_keys(joined, [spec], [index])
        pos = np.searchsorted(table, keys) if len(table) else np.zeros(len(keys), dtype=np.int64)
        pos[pos >= len(table)] = 0
        hit = (table[pos] == keys) if len(table) else np.zeros(len(keys), dtype=bool)
        score = np.where(hit, values[pos] if len(table) else 0.0, 0.0)
        out: list[list[tuple[int, int, float]]] = [[] for _ in canonical_texts]
        k = 0
        for d, toks in enumerate(tokenised):
            for _, s, e in toks:
                out[d].append((s, e, float(score[k])))
                k += 1
        return out

    def evidence_spans(
        self, canonical_texts: Sequence[str], label: int, *, max_spans: int = 3
    ) -> list[list[tuple[int, int]]]:
        """View-offset spans (merged runs of adjacent tokens) that support ``label`` per text.

        A token is evidence only when it carries the decision: its own weight pushes towards
        ``label`` and, with a span table, it was usually inside an annotated span in training (a word
        that merely occurs near offensive words, such as "khuyết tật" or "tham nhũng", is not).
        """
        result = []
        cut = 0.4 if len(self.span_keys) else 0.0
        linear = self.token_scores(canonical_texts, label, linear=True) if len(self.span_keys) else None
        for d, (text, toks) in enumerate(zip(canonical_texts, self.token_scores(canonical_texts, label))):
            chosen = [i for i, (_, _, sc) in enumerate(toks) if sc > cut]
            if linear is not None:
                weights = linear[d]
                top = max((w for _, _, w in weights), default=0.0)
                chosen = [i for i in chosen if weights[i][2] > 0 and weights[i][2] >= 0.2 * top]
            if not len(self.span_keys):
                chosen = sorted(sorted(chosen, key=lambda i: -toks[i][2])[:max_spans])
            runs: list[list[int]] = []
            for i in chosen:
                # join runs separated only by punctuation tokens ("đ.m" is three tokens)
                if runs and all(not _WORD.search(text[toks[j][0]:toks[j][1]]) for j in range(runs[-1][-1] + 1, i)):
                    runs[-1].append(i)
                else:
                    runs.append([i])
            runs.sort(key=lambda r: -max(toks[i][2] for i in r))
            spans = sorted((toks[r[0]][0], toks[r[-1]][1]) for r in runs[:max_spans])
            result.append(spans)
        return result


@dataclass(frozen=True)
class TrainConfig:
    """How to train. Defaults were chosen by measurement on ViHSD (see ``bench/vihsd.py``)."""

    specs: tuple[F.FeatureSpec, ...] = F.DEFAULT_SPECS
    min_df: int = 2
    max_features: int | None = None
    algorithm: str = "svm"  # "svm" (LinearSVC) or "logreg"
    c_grid: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4)
    holdout: float = 0.1  # share of the training data held out when no dev set is given
    refit: bool = False  # after choosing C, calibration and thresholds on dev: refit on train + dev
    # Expected share of each class where the model is used, when it differs from the dev data's
    # (e.g. a balanced training set for a rare harm): probabilities and thresholds are corrected
    # for it (prior shift; dev items are weighted to that mix when tuning thresholds).
    class_prior: tuple[tuple[str, float], ...] | None = None
    seed: int = 0
    # k > 1: pool the training data and dev (if given), and choose C, fit the calibration and tune
    # the thresholds on k-fold out-of-fold scores of the whole pool, then train on all of it. A
    # small dev set makes those choices noisy (ViHSD dev: 2,672 texts, 212 offensive); the pool
    # gives ten times more held-out scores. 0: the held-out set decides (dev or ``holdout``).
    cv_folds: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "specs": [s.to_dict() for s in self.specs],
            "min_df": self.min_df,
            "max_features": self.max_features,
            "algorithm": self.algorithm,
            "c_grid": list(self.c_grid),
            "holdout": self.holdout,
            "refit": self.refit,
            "class_prior": dict(self.class_prior) if self.class_prior else None,
            "seed": self.seed,
            # only when used, so models trained without it keep their exact bytes
            **({"cv_folds": self.cv_folds} if self.cv_folds else {}),
        }


def _fit_linear(x: sp.csr_matrix, y: np.ndarray, n_classes: int, c: float, config: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if config.algorithm == "svm":
        clf = LinearSVC(C=c, class_weight="balanced", random_state=config.seed, max_iter=5000, dual=True)
    elif config.algorithm == "logreg":
        clf = LogisticRegression(C=c * 30, class_weight="balanced", max_iter=3000, random_state=config.seed)
    else:
        raise ModelError(f"unknown algorithm {config.algorithm!r}; valid: svm, logreg")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; quality is judged on held-out data
        clf.fit(x, y)
    coef = np.asarray(clf.coef_, dtype=np.float64)
    intercept = np.asarray(clf.intercept_, dtype=np.float64)
    weights = np.zeros((x.shape[1], n_classes))
    bias = np.zeros(n_classes)
    if n_classes == 2:
        weights[:, 1] = coef[0]
        bias[1] = intercept[0]
    else:
        weights[:] = coef.T
        bias[:] = intercept
    return weights.astype(np.float32), bias


def _span_table(data: Dataset, vs: Sequence[Views]) -> tuple[np.ndarray, np.ndarray]:
    """For each token seen at least twice: how often it was inside a labelled span."""
    assert data.spans is not None
    joined: list[str] = []
    inside: list[bool] = []
    for v, spans in zip(vs, data.spans):
        toks = F.tokens_with_spans(v.canonical.text)
        joined.append(" " + " ".join(t for t, _, _ in toks) + " ")
        for _, s, e in toks:
            o_s, o_e = v.canonical.span(s, e)
            inside.append(any(a < o_e and o_s < b for a, b in spans))
    (docs, keys), = F.ngram_keys(joined, [_TOKEN_SPEC], [_TOKEN_SPEC_INDEX])
    flags = np.asarray(inside, dtype=np.float64)
    uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    hits = np.bincount(inverse, weights=flags, minlength=len(uniq))
    keep = counts >= 2
    score = (hits[keep] + 0.5) / (counts[keep] + 1.0)
    return uniq[keep], score.astype(np.float32)


def _split(n: int, y: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split of ``range(n)`` into (train, held-out)."""
    rng = np.random.default_rng(seed)
    held: list[np.ndarray] = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        take = int(round(len(idx) * share))
        if len(idx) >= 2:
            take = min(max(take, 1), len(idx) - 1)
        else:
            take = 0
        held.append(idx[:take])
    held_idx = np.sort(np.concatenate(held))
    mask = np.ones(n, dtype=bool)
    mask[held_idx] = False
    return np.flatnonzero(mask), held_idx


def _code_version() -> str:
    from .. import __version__

    return __version__


def normalisation_digest() -> str:
    """sha256 of the text tables the views are built from: a model is only valid with the same."""
    from importlib import resources

    import hashlib

    h = hashlib.sha256()
    folder = resources.files("khien.text.data")
    for entry in sorted((p for p in folder.iterdir() if p.name.endswith(".tsv")), key=lambda p: p.name):
        h.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return h.hexdigest()


def train(
    data: Dataset,
    dev: Dataset | None = None,
    config: TrainConfig = TrainConfig(),
    *,
    name: str = "model",
    categories: Mapping[str, str | None] | None = None,
    progress: Progress | None = None,
) -> TextModel:
    """Train a :class:`TextModel`.

    ``dev`` (or, without it, a stratified ``config.holdout`` share of ``data``) chooses the
    regularisation strength (the path stops when dev macro-F1 stops improving), fits the
    calibration and tunes the per-class offsets; with ``config.cv_folds`` > 1, k-fold out-of-fold
    scores of train + dev make those choices and the model is trained on both. Raises :class:`ModelError` when the data cannot
    train a classifier (one class only, dev labels the training data lacks).
    """
    say = progress or (lambda _msg: None)
    classes = data.classes
    if len(classes) < 2:
        raise ModelError(
            f"training data has a single class ({classes[0] if classes else 'none'!s}); a classifier needs at least two",
            hint="Check --label-column, or add examples of the other classes.",
        )
    index = {c: i for i, c in enumerate(classes)}
    y_all = np.array([index[label] for label in data.labels], dtype=np.int64)
    counts = np.bincount(y_all, minlength=len(classes))
    if dev is not None:
        unknown = sorted(set(dev.labels) - set(classes))
        if unknown:
            raise ModelError(
                f"dev data has label {unknown[0]!r} that the training data lacks; training labels: {', '.join(classes)}"
            )
    say(f"{len(data):,} training texts, classes: " + ", ".join(f"{c} ({n:,})" for c, n in zip(classes, counts)))

    if config.cv_folds == 1 or config.cv_folds < 0:
        raise ModelError(f"cv_folds must be 0 (no cross-validation) or at least 2; found {config.cv_folds}")
    if config.cv_folds > 1:
        return _train_cv(data, dev, config, classes, name=name, categories=categories, say=say)

    say("computing text views")
    train_views = [views(t) for t in data.texts]
    if dev is not None:
        tr_idx = np.arange(len(data))
        dev_views = [views(t) for t in dev.texts]
        y_dev = np.array([index[label] for label in dev.labels], dtype=np.int64)
        tr_texts = view_texts(train_views)
        dv_texts = view_texts(dev_views)
        held_out = "dev"
    else:
        tr_idx, dv_idx = _split(len(data), y_all, config.holdout, config.seed)
        if len(dv_idx) == 0:
            raise ModelError("too little data to hold out a calibration set; give --dev or more examples")
        all_texts = view_texts(train_views)
        tr_texts = {k: [v[i] for i in tr_idx] for k, v in all_texts.items()}
        dv_texts = {k: [v[i] for i in dv_idx] for k, v in all_texts.items()}
        y_dev = y_all[dv_idx]
        held_out = f"holdout {config.holdout:.0%} (seed {config.seed})"
    y_tr = y_all[tr_idx]
    if len(np.unique(y_tr)) < 2:
        raise ModelError("after holding out calibration data a single class is left; give --dev or more examples")

    say("building the vocabulary")
    vocab = F.fit_vocabulary(tr_texts, config.specs, min_df=config.min_df, max_features=config.max_features)
    if vocab.size == 0:
        raise ModelError("no n-gram occurs in two training texts; the data is too small or too varied",
                         hint="Add examples or lower min_df.")
    x_tr = F.transform(tr_texts, vocab)
    x_dv = F.transform(dv_texts, vocab)
    say(f"{vocab.size:,} features")

    best: tuple[float, float, np.ndarray, np.ndarray] | None = None
    for c in config.c_grid:
        weights, bias = _fit_linear(x_tr, y_tr, len(classes), c, config)
        raw = np.asarray(x_dv @ weights, dtype=np.float64) + bias
        f1 = macro_f1(y_dev, raw.argmax(axis=1), len(classes))
        say(f"C={c:g}: {held_out} macro-F1 {f1:.4f}")
        if best is not None and f1 < best[0]:
            break  # the path has turned: stop early
        if best is None or f1 > best[0]:
            best = (f1, c, weights, bias)
    assert best is not None
    _, c_best, weights, bias = best

    say("calibrating and tuning thresholds")
    raw = np.asarray(x_dv @ weights, dtype=np.float64) + bias
    scale, shift = fit_calibration(raw, y_dev)
    item_weights = None
    if config.class_prior:
        prior = dict(config.class_prior)
        unknown = sorted(set(prior) - set(classes))
        if unknown or abs(sum(prior.values()) - 1.0) > 1e-6:
            raise ModelError(f"class_prior must give every class a share summing to 1; found {prior}")
        dev_share = np.bincount(y_dev, minlength=len(classes)) / len(y_dev)
        target = np.array([prior.get(c, 0.0) for c in classes])
        ratio = target / np.maximum(dev_share, 1e-12)
        shift = shift + np.log(np.maximum(ratio, 1e-12))
        item_weights = ratio[y_dev]
    model = TextModel(classes, vocab, weights, bias, scale, shift, np.zeros(len(classes)))
    proba = model.calibrate(raw)
    model.offsets = tune_offsets(proba, y_dev, weights=item_weights)
    dev_f1 = macro_f1(y_dev, model.decide(proba), len(classes), item_weights)
    say(f"{held_out} macro-F1 after thresholds: {dev_f1:.4f}")

    if config.refit and dev is not None:
        say(f"refitting on train + dev with C={c_best:g}")
        x_all = sp.vstack([x_tr, x_dv], format="csr")
        model.weights, model.bias = _fit_linear(x_all, np.concatenate([y_tr, y_dev]), len(classes), c_best, config)

    if data.spans is not None:
        model.span_keys, model.span_scores = _span_table(
            Dataset(tuple(data.texts[i] for i in tr_idx), tuple(data.labels[i] for i in tr_idx),
                    tuple(data.spans[i] for i in tr_idx)),
            [train_views[i] for i in tr_idx],
        )
    model.meta = _metadata(name, classes, categories, data, dev, y_tr, held_out, dev_f1, c_best, config)
    return model


def _folds(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Stratified fold number (0..k-1) of every item, seeded."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(y), dtype=np.int64)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        fold[idx] = np.arange(len(idx)) % k
    return fold


def _train_cv(
    data: Dataset,
    dev: Dataset | None,
    config: TrainConfig,
    classes: tuple[str, ...],
    *,
    name: str,
    categories: Mapping[str, str | None] | None,
    say: Progress,
) -> TextModel:
    """:func:`train` with ``config.cv_folds`` > 1: choices made on out-of-fold scores of train + dev."""
    k = len(classes)
    index = {c: i for i, c in enumerate(classes)}
    pool = data.concat(dev) if dev is not None else data
    y = np.array([index[label] for label in pool.labels], dtype=np.int64)
    if np.bincount(y, minlength=k).min() < config.cv_folds:
        raise ModelError(f"every class needs at least {config.cv_folds} examples for "
                         f"{config.cv_folds}-fold cross-validation",
                         hint="Lower cv_folds or add examples.")
    pooled = "train + dev" if dev is not None else "the training data"
    held_out = f"{config.cv_folds}-fold cross-validation on {pooled} (seed {config.seed})"
    say("computing text views")
    pool_views = [views(t) for t in pool.texts]
    texts = view_texts(pool_views)
    say("building the vocabulary")
    vocab = F.fit_vocabulary(texts, config.specs, min_df=config.min_df, max_features=config.max_features)
    if vocab.size == 0:
        raise ModelError("no n-gram occurs in two training texts; the data is too small or too varied",
                         hint="Add examples or lower min_df.")
    x = F.transform(texts, vocab)
    say(f"{vocab.size:,} features")
    fold = _folds(y, config.cv_folds, config.seed)

    def out_of_fold(c: float) -> np.ndarray:
        raw = np.zeros((len(y), k))
        for f in range(config.cv_folds):
            tr, te = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
            w, b = _fit_linear(x[tr], y[tr], k, c, config)
            raw[te] = np.asarray(x[te] @ w, dtype=np.float64) + b
        return raw

    def tuned(raw: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        scale, shift = fit_calibration(raw, y)
        probe = TextModel(classes, vocab, np.zeros((0, k), dtype=np.float32), np.zeros(k), scale, shift, np.zeros(k))
        proba = probe.calibrate(raw)
        probe.offsets = tune_offsets(proba, y)
        return macro_f1(y, probe.decide(proba), k), scale, shift, probe.offsets

    best: tuple[float, float, np.ndarray, np.ndarray, np.ndarray] | None = None
    for c in config.c_grid:
        f1, scale, shift, offsets = tuned(out_of_fold(c))
        say(f"C={c:g}: out-of-fold macro-F1 after thresholds {f1:.4f}")
        if best is not None and f1 < best[0]:
            break  # the path has turned: stop early
        if best is None or f1 > best[0]:
            best = (f1, c, scale, shift, offsets)
    assert best is not None
    cv_f1, c_best, scale, shift, offsets = best
    if config.class_prior:
        prior = dict(config.class_prior)
        unknown = sorted(set(prior) - set(classes))
        if unknown or abs(sum(prior.values()) - 1.0) > 1e-6:
            raise ModelError(f"class_prior must give every class a share summing to 1; found {prior}")
        share = np.bincount(y, minlength=k) / len(y)
        ratio = np.array([prior.get(c, 0.0) for c in classes]) / np.maximum(share, 1e-12)
        shift = shift + np.log(np.maximum(ratio, 1e-12))
        # thresholds for the target mix: retune on the out-of-fold scores weighted to it
        probe = TextModel(classes, vocab, np.zeros((0, k), dtype=np.float32), np.zeros(k), scale, shift, np.zeros(k))
        proba = probe.calibrate(out_of_fold(c_best))
        probe.offsets = offsets = tune_offsets(proba, y, weights=ratio[y])
        cv_f1 = macro_f1(y, probe.decide(proba), k, ratio[y])
    say(f"training on all {len(y):,} texts with C={c_best:g}")
    weights, bias = _fit_linear(x, y, k, c_best, config)
    model = TextModel(classes, vocab, weights, bias, scale, shift, offsets)
    if pool.spans is not None:
        model.span_keys, model.span_scores = _span_table(pool, pool_views)
    model.meta = _metadata(name, classes, categories, data, dev, y, held_out, cv_f1, c_best, config)
    return model


def _metadata(name: str, classes: Any, categories: Any, data: Any, dev: Any, y: np.ndarray, held_out: str,
              f1: float, c_best: float, config: Any) -> dict[str, Any]:
    """What a model file records about how it was trained (key order is part of the file's bytes)."""
    return {
        "name": name,
        "labels": list(classes),
        "categories": dict(categories) if categories else {},
        "code_version": _code_version(),
        "normalisation_sha256": normalisation_digest(),
        "training": {
            "data_sha256": data.digest(),
            "dev_sha256": dev.digest() if dev is not None else None,
            "examples": int(len(y)),
            "class_counts": {c: int(n) for c, n in zip(classes, np.bincount(y, minlength=len(classes)))},
            "held_out": held_out,
            "held_out_macro_f1": round(float(f1), 4),
            "C": c_best,
            "config": config.to_dict(),
        },
    }
