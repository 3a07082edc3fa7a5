"""Match a post against fact-checks: retrievers, their fusion, and what matched (for the highlight).

A :class:`Matcher` holds the fact-checks (usually: live, from trusted publishers) and one or more
:class:`Retriever` s. Today there is one, :class:`BM25Retriever`; the dense retriever of issue 15
(a multilingual sentence-embedding model run on CPU) is a second class with the same ``search``
method, passed in ``retrievers=``. With one retriever a match's ``score`` is that retriever's own
score; with several, the ranked lists are fused by reciprocal rank fusion (:func:`rrf`, Cormack et
al. 2009: ``sum 1 / (RRF_K + rank)``), which needs no score calibration between retrievers. The two
calibrated tiers (suggest / label) are applied later, on top of :class:`Match`, and read
``scores`` (each retriever's own score) as well as the fused one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Protocol, Sequence

import numpy as np

from ..clock import SYSTEM, Clock
from .bm25 import BM25Index, Token, tokens
from .dense import has_accents
from .records import FactCheck
from .stance import ClaimStance, claim_window, stance
from .tiers import Tier, Tiers, load_tiers

if TYPE_CHECKING:
    from pathlib import Path

    from .dense import DenseRetriever, VectorCache

__all__ = ["Query", "Ranked", "Retriever", "BM25Retriever", "Match", "Matcher", "rrf", "RRF_K", "DEPTH",
           "focus", "candidate_stance", "DENSE_MAX_WORDS"]

RRF_K = 60  # the constant of Cormack et al.: damps the weight of the very first ranks
DEPTH = 50  # how many candidates each retriever gives the fusion
# Up to this many fact-checks the dense side scans every claim (finds paraphrases sharing no word);
# beyond, it re-scores BM25's candidates only: the scan of 100,000 x 384 costs 20-60 ms a post on a
# loaded core (bench/claims.py), the re-scoring nothing.
DENSE_SCAN_LIMIT = 20_000
# The dense model reads at most this many words of a post: its cost grows with the length (about 2 ms
# a word on one core), and a long post's vector is mostly about the rest of the post. When BM25 found
# candidates, the words read are the sentences holding the words the post shares with its best
# candidates (:func:`focus`), not the start of the post.
DENSE_MAX_WORDS = 64
FOCUS_CANDIDATES = 3


@dataclass(frozen=True, slots=True)
class Query:
    """A post prepared once for every retriever: its text and its folded syllables with spans."""

    text: str
    tokens: tuple[Token, ...]

    @classmethod
    def of(cls, text: str) -> "Query":
        return cls(text, tuple(tokens(text)))

    @property
    def syllables(self) -> list[str]:
        return [t.text for t in self.tokens]


@dataclass(frozen=True, slots=True)
class Ranked:
    """One retriever's candidate: a fact-check's position in the matcher, a score, shared terms."""

    doc: int
    score: float
    terms: tuple[str, ...] = ()


class Retriever(Protocol):
    """Finds candidates for a query among the matcher's fact-checks (by position)."""

    name: str

    def search(self, query: Query, k: int) -> list[Ranked]: ...


class BM25Retriever:
    """:class:`~khien.claims.bm25.BM25Index` over the claims' text."""

    name = "bm25"

    def __init__(self, fact_checks: Sequence[FactCheck]) -> None:
        self.index = BM25Index([fc.claim for fc in fact_checks])

    def search(self, query: Query, k: int) -> list[Ranked]:
        return [Ranked(h.doc, h.score, h.terms) for h in self.index.search(query.syllables, k)]


def rrf(lists: Sequence[Sequence[Ranked]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of ranked lists: (doc, fused score), best first; ties by doc."""
    fused: dict[int, float] = {}
    for ranked in lists:
        for rank, entry in enumerate(ranked, start=1):
            fused[entry.doc] = fused.get(entry.doc, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True, slots=True)
class Match:
    """A candidate fact-check for a post.

    ``score``: the retriever's score (one retriever) or the RRF score (several); ``scores``: each
    retriever's own score by name (absent when it did not find this one); ``terms``: the folded
    terms post and claim share (``ung_thu`` is a bigram); ``spans``: the ``[start, end)`` spans of
    the post's ORIGINAL text whose syllables matched, merged, for the highlight. With calibrated
    tiers (``Matcher(tiers=...)``, :meth:`Matcher.calibrated`): ``score`` is the calibrated
    probability in [0, 1], ``scores`` also holds the features (``cover``, ``cos``), ``stance`` the
    post's stance towards this claim and ``tier`` ``label``/``suggest``/None (below suggest).
    """

    fact_check: FactCheck
    score: float
    scores: dict[str, float]
    terms: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    tier: Tier | None = None
    stance: ClaimStance | None = None
    mode: str = field(default="", compare=False)


def _spans(query: Query, terms: Sequence[str]) -> tuple[tuple[int, int], ...]:
    syllables = {part for term in terms for part in term.split("_")}
    spans: list[tuple[int, int]] = []
    for tok in query.tokens:
        if tok.text in syllables:
            if spans and tok.start - spans[-1][1] <= 1:
                spans[-1] = (spans[-1][0], tok.end)
            else:
                spans.append((tok.start, tok.end))
    return tuple(spans)


def focus(text: str, spans: Sequence[tuple[int, int]], max_words: int = DENSE_MAX_WORDS) -> str:
    """What the dense model reads of ``text``: the sentences touching ``spans`` (all of the text
    without spans), cut to ``max_words`` words."""
    window = claim_window(text, spans, after=0) if spans else None
    part = (text if window is None else text[window[0]:window[1]]).strip()
    words = part.split()
    return " ".join(words[:max_words]) if len(words) > max_words else part


def _pair_spans(query: Query, terms: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """Where the post carries the claim: the spans of its adjacent syllable pairs that are shared
    bigrams (``ung_thu``); a lone shared syllable (``moi`` of both "mỗi" and "mọi") can sit anywhere.
    Without any shared bigram: every shared syllable's span."""
    pairs = {t for t in terms if "_" in t}
    toks = query.tokens
    spans = tuple((a.start, b.end) for a, b in zip(toks, toks[1:]) if f"{a.text}_{b.text}" in pairs)
    return spans or _spans(query, terms)


def candidate_stance(text: str, query: Query, claim: str, terms: Sequence[str]) -> ClaimStance:
    """The post's stance towards one candidate, its cues read in the window around the shared words."""
    spans = _pair_spans(query, terms)
    return stance(text, claim, claim_window(text, spans), claim_window(text, spans, after=0))


def _review_date(fc: FactCheck) -> date | None:
    try:
        return date.fromisoformat(fc.review_date[:10]) if fc.review_date else None
    except ValueError:
        return None


class Matcher:
    """Fact-checks and the retrievers over them. Built once; ``match`` is read-only.

    Two ways to build one:

    - ``Matcher(fact_checks[, retrievers])``: ranked candidates, BM25's score (or RRF of several
      retrievers); no tiers (round one's behaviour, kept for ``khien claims match``);
    - ``Matcher.calibrated(fact_checks)`` (or ``Matcher(..., tiers=load_tiers(), dense=...)``):
      BM25 and, when the ``claims`` extra is installed, the dense model; each candidate scored by
      the calibrated model of :mod:`khien.claims.tiers` and given a stance and a tier.

    Cost: BM25 runs on every post; the dense query (the expensive part) is skipped when BM25 alone
    is decisive (its calibrated score reaches ``tiers.models["bm25"].label`` for the first candidate
    and the second is below ``suggest``) and when BM25's best candidate is below ``tiers.dense_gate``
    (most posts: a word or two shared with some claim); the model reads the post's sentences about
    BM25's best candidates (:func:`focus`); its cosines cover every claim (one matrix product) up to
    ``dense_scan_limit`` fact-checks, BM25's candidates only beyond.
    """

    def __init__(self, fact_checks: Sequence[FactCheck], retrievers: Sequence[Retriever] | None = None, *,
                 tiers: Tiers | None = None, dense: "DenseRetriever | None" = None,
                 max_label_age_days: int | None = None, clock: Clock = SYSTEM, skip_decisive: bool = True,
                 dense_scan_limit: int = DENSE_SCAN_LIMIT) -> None:
        self.fact_checks = tuple(fact_checks)
        self.retrievers = tuple(retrievers) if retrievers is not None else (BM25Retriever(self.fact_checks),)
        self.tiers = tiers
        self.dense = dense
        self.max_label_age_days = max_label_age_days
        self.clock = clock
        self.skip_decisive = skip_decisive
        self.dense_scan_limit = dense_scan_limit
        self._bm25: BM25Index | None = None
        if tiers is not None:
            bm25 = next((r for r in self.retrievers if isinstance(r, BM25Retriever)), None)
            self._bm25 = bm25.index if bm25 is not None else BM25Index([fc.claim for fc in self.fact_checks])
            # A claim's BM25 score against itself (each term once): the denominator of ``cover``.
            self._self = np.maximum(np.asarray(self._bm25.matrix.sum(axis=0), dtype=np.float32).ravel(), 1e-6)
            self._dates = [_review_date(fc) for fc in self.fact_checks]

    @classmethod
    def calibrated(cls, fact_checks: Sequence[FactCheck], *, dense: "bool | DenseRetriever" = True,
                   tiers: Tiers | None = None, max_label_age_days: int | None = None,
                   clock: Clock = SYSTEM, embeddings_cache: "VectorCache | str | Path | None" = None) -> "Matcher":
        """BM25 + the dense model when ``dense`` and the ``claims`` extra is importable, with tiers.

        ``embeddings_cache``: a :class:`~khien.claims.dense.VectorCache` (or an ``.npz`` file's path)
        keeping the claims' vectors between starts
        (:class:`~khien.claims.dense.DenseRetriever`); without it every claim is embedded here.
        """
        from .dense import DenseRetriever, available

        fact_checks = tuple(fact_checks)
        retriever = dense if isinstance(dense, DenseRetriever) else (
            DenseRetriever(fact_checks, cache=embeddings_cache) if dense and available() else None)
        return cls(fact_checks, tiers=tiers or load_tiers(), dense=retriever,
                   max_label_age_days=max_label_age_days, clock=clock)

    def match(self, text: str, k: int = 5, *, today: date | None = None, mode: str | None = None) -> list[Match]:
        """The ``k`` best candidates for ``text``, best first (fewer when fewer share a term).

        Calibrated matchers only: ``today`` (default: the clock's) for the age rule; ``mode``
        (``fused``/``bm25``/``dense``) forces a retriever mix, for the bench.
        """
        if self.tiers is not None:
            return self._calibrated(text, k, today, mode)
        query = Query.of(text)
        results = [(r.name, r.search(query, max(k, DEPTH) if len(self.retrievers) > 1 else k))
                   for r in self.retrievers]
        by_doc: dict[int, dict[str, Ranked]] = {}
        for name, ranked in results:
            for entry in ranked:
                by_doc.setdefault(entry.doc, {})[name] = entry
        if len(results) == 1:
            order = [(e.doc, e.score) for e in results[0][1]]
        else:
            order = rrf([ranked for _, ranked in results])
        out = []
        for doc, score in order[:k]:
            found = by_doc[doc]
            shared = tuple(dict.fromkeys(t for entry in found.values() for t in entry.terms))
            out.append(Match(self.fact_checks[doc], score, {n: e.score for n, e in found.items()}, shared,
                             _spans(query, shared)))
        return out

    def candidates(self, text: str, mode: str | None = None) -> tuple[Query, str, dict[int, dict[str, float]],
                                                                     dict[int, tuple[str, ...]]]:
        """The features of every candidate (for the matcher and the calibration recipe).

        ``mode``: ``fused``, ``bm25`` or ``dense`` forced; None: the matcher's own choice.
        """
        assert self.tiers is not None and self._bm25 is not None
        query = Query.of(text)
        hits = self._bm25.search(query.syllables, DEPTH)
        feats: dict[int, dict[str, float]] = {}
        terms: dict[int, tuple[str, ...]] = {}
        for h in hits:
            feats[h.doc] = {"bm25": h.score, "cover": min(1.0, h.score / float(self._self[h.doc]))}
            terms[h.doc] = h.terms
        if mode is None:
            mode = "bm25" if self.dense is None else "fused"
            if mode == "fused" and self.skip_decisive and (self._decisive(feats) or self._below_gate(feats)):
                mode = "bm25"
        if mode in ("fused", "dense"):
            if self.dense is None:
                raise ValueError(f"mode {mode!r} needs the dense retriever (the claims extra)")
            if mode == "fused":
                best = sorted(hits, key=lambda h: -h.score)[:FOCUS_CANDIDATES]
                read = focus(text, _pair_spans(query, [t for h in best for t in h.terms]))
            else:  # embeddings alone (the bench's baseline): the post as it comes, cut to length
                read = focus(text, ())
            if mode == "fused" and len(self.fact_checks) > self.dense_scan_limit and feats:
                # At scale the dense side re-scores BM25's candidates only (no scan of every claim)
                docs = list(feats)
                cos = np.zeros(len(self.fact_checks), dtype=np.float32)
                cos[docs] = self.dense.cosines(read, docs)
            else:
                cos = self.dense.cosines(read)
                top = np.argpartition(-cos, min(DEPTH, cos.shape[0]) - 1)[:DEPTH] if cos.shape[0] > DEPTH \
                    else np.arange(cos.shape[0])
                if mode == "dense":
                    feats = {int(d): {} for d in top}
                for d in top:
                    feats.setdefault(int(d), {"cover": 0.0})
            # The model reads folded text less well (docs/claims.md): the calibration gives a folded
            # query's cosine its own weight and offset.
            folded = 0.0 if has_accents(read) else 1.0
            for d, f in feats.items():
                f["cos"] = float(cos[d])
                f["folded"] = folded
                f["cos_folded"] = folded * float(cos[d])
        return query, mode, feats, terms

    def _decisive(self, feats: dict[int, dict[str, float]]) -> bool:
        assert self.tiers is not None
        model = self.tiers.models["bm25"]
        scores = sorted((model.score(f) for f in feats.values()), reverse=True)
        return bool(scores) and scores[0] >= model.label and (len(scores) < 2 or scores[1] < model.suggest)

    def _below_gate(self, feats: dict[int, dict[str, float]]) -> bool:
        """BM25's best candidate is too weak for the dense model to make it a match (``tiers.dense_gate``):
        most posts of a platform share a word or two with some claim and nothing more."""
        assert self.tiers is not None
        gate = self.tiers.dense_gate
        if gate <= 0.0:
            return False
        model = self.tiers.models["bm25"]
        return not feats or max(model.score(f) for f in feats.values()) < gate

    def _calibrated(self, text: str, k: int, today: date | None, mode: str | None) -> list[Match]:
        assert self.tiers is not None
        query, mode, feats, terms = self.candidates(text, mode)
        model = self.tiers.models[mode]
        ranked = sorted(((model.score(f), d) for d, f in feats.items()), key=lambda p: (-p[0], p[1]))[:k]
        today = today or datetime.fromtimestamp(self.clock.now(), timezone.utc).date()
        words = len(query.tokens)
        out = []
        for score, doc in ranked:
            fc = self.fact_checks[doc]
            shared = terms.get(doc, ())
            st = candidate_stance(text, query, fc.claim, shared)
            tier = self.tiers.tier(score, mode, st, words, self._dates[doc], today, self.max_label_age_days)
            out.append(Match(fc, score, dict(feats[doc]), shared, _spans(query, shared), tier, st, mode))
        return out
