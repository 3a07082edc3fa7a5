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

from dataclasses import dataclass
from typing import Protocol, Sequence

from .bm25 import BM25Index, Token, tokens
from .records import FactCheck

__all__ = ["Query", "Ranked", "Retriever", "BM25Retriever", "Match", "Matcher", "rrf", "RRF_K", "DEPTH"]

RRF_K = 60  # the constant of Cormack et al.: damps the weight of the very first ranks
DEPTH = 50  # how many candidates each retriever gives the fusion


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
    the post's ORIGINAL text whose syllables matched, merged, for the highlight.
    """

    fact_check: FactCheck
    score: float
    scores: dict[str, float]
    terms: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]


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


class Matcher:
    """Fact-checks and the retrievers over them. Built once; ``match`` is read-only."""

    def __init__(self, fact_checks: Sequence[FactCheck], retrievers: Sequence[Retriever] | None = None) -> None:
        self.fact_checks = tuple(fact_checks)
        self.retrievers = tuple(retrievers) if retrievers is not None else (BM25Retriever(self.fact_checks),)

    def match(self, text: str, k: int = 5) -> list[Match]:
        """The ``k`` best candidates for ``text``, best first (fewer when fewer share a term)."""
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
