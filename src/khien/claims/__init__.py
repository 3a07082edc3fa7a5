"""Fact-checks (issue 15): the records, ClaimReview import/export, and matching posts to them.

Pure core: no store, no service, no I/O framework (``.importlinter``). The store and the service
that keep fact-checks in the database are :mod:`khien.store.claims` and :mod:`khien.review.claims`.
"""

from .claimreview import COLUMNS, Parsed, RecordError, parse_document, to_claimreview, to_jsonld
from .match import BM25Retriever, Match, Matcher, Query, Ranked, Retriever, rrf
from .records import FactCheck, Publisher, Rating, Topic, fact_check_id, normalise_rating, publisher_key
from .stance import ClaimStance, stance
from .tiers import Tier, Tiers, load_tiers

__all__ = ["COLUMNS", "Parsed", "RecordError", "parse_document", "to_claimreview", "to_jsonld",
           "BM25Retriever", "Match", "Matcher", "Query", "Ranked", "Retriever", "rrf",
           "FactCheck", "Publisher", "Rating", "Topic", "fact_check_id", "normalise_rating", "publisher_key",
           "ClaimStance", "stance", "Tier", "Tiers", "load_tiers"]
