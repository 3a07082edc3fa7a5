"""A published fact-check, as Khiên keeps it, and the normalised rating scale.

A :class:`FactCheck` is one review of one claim by one publisher (a claim reviewed by two
publishers is two fact-checks with the same ``claim``). Its ``id`` is stable: the importer's
``identifier`` when the source gives one, else a hash of the review URL and the claim text, so
importing the same file twice updates rows instead of adding them.

The rating is kept twice: ``rating_text`` exactly as the publisher wrote it (``textualRating`` /
``reviewRating.alternateName``) and ``rating``, a small scale every policy can read
(:class:`Rating`). :func:`normalise_rating` maps a text through :data:`RATING_WORDS` (compared
folded: lower case, no diacritics, no punctuation, so ``"SAI SỰ THẬT!"`` and ``"sai su that"`` are
one key); a text it does not know falls back to the position of ``ratingValue`` between
``worstRating`` and ``bestRating``; with neither, the rating is ``unrated``. Never a guess from
free words: an unknown label must not become ``false`` and put a label on someone's post.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from ..text import fold_accents

__all__ = ["Rating", "Topic", "Publisher", "FactCheck", "RATING_WORDS", "normalise_rating", "rating_key",
           "fact_check_id", "publisher_key"]


class Rating(StrEnum):
    """The normalised verdict, from the claim's point of view (``false`` = the claim is false)."""

    FALSE = "false"
    MOSTLY_FALSE = "mostly_false"
    MIXED = "mixed"
    MOSTLY_TRUE = "mostly_true"
    TRUE = "true"
    UNRATED = "unrated"


class Topic(StrEnum):
    """What a fact-check is about. Factual claims only: there is deliberately no topic for
    political opinion, and opinions are never matched (issue 15)."""

    HEALTH = "health"
    DISASTER = "disaster"
    FRAUD = "fraud"
    FINANCE = "finance"
    TECHNOLOGY = "technology"
    FABRICATED_MEDIA = "fabricated_media"
    OTHER = "other"


# Folded rating text -> scale. Vietnamese labels used by Vietnamese fact-checkers and newsrooms,
# then the English ones of the IFCN signatories' ClaimReview feeds. Keys are compared after
# rating_key(), so list each label once, folded.
RATING_WORDS: dict[str, Rating] = {
    # false
    "sai": Rating.FALSE, "sai su that": Rating.FALSE, "tin gia": Rating.FALSE, "bia dat": Rating.FALSE,
    "khong dung": Rating.FALSE, "khong dung su that": Rating.FALSE, "tin don sai": Rating.FALSE,
    "gia mao": Rating.FALSE, "hoan toan sai": Rating.FALSE, "lua dao": Rating.FALSE,
    "anh gia": Rating.FALSE, "video gia": Rating.FALSE, "anh ghep": Rating.FALSE, "cat ghep": Rating.FALSE,
    "false": Rating.FALSE, "fake": Rating.FALSE, "hoax": Rating.FALSE, "pants on fire": Rating.FALSE,
    "incorrect": Rating.FALSE, "fabricated": Rating.FALSE, "scam": Rating.FALSE, "altered": Rating.FALSE,
    "altered photo": Rating.FALSE, "altered video": Rating.FALSE, "manipulated": Rating.FALSE,
    # mostly false
    "gay hieu nham": Rating.MOSTLY_FALSE, "sai lech": Rating.MOSTLY_FALSE, "phan lon sai": Rating.MOSTLY_FALSE,
    "danh lua": Rating.MOSTLY_FALSE, "xuyen tac": Rating.MOSTLY_FALSE,
    "misleading": Rating.MOSTLY_FALSE, "mostly false": Rating.MOSTLY_FALSE, "distorted": Rating.MOSTLY_FALSE,
    "false context": Rating.MOSTLY_FALSE, "exaggerated": Rating.MOSTLY_FALSE,
    # mixed
    "dung mot phan": Rating.MIXED, "sai mot phan": Rating.MIXED, "nua dung nua sai": Rating.MIXED,
    "thieu boi canh": Rating.MIXED, "thieu ngu canh": Rating.MIXED, "chua chinh xac": Rating.MIXED,
    "half true": Rating.MIXED, "mixed": Rating.MIXED, "mixture": Rating.MIXED, "partly false": Rating.MIXED,
    "partly true": Rating.MIXED, "missing context": Rating.MIXED, "needs context": Rating.MIXED,
    # mostly true
    "phan lon dung": Rating.MOSTLY_TRUE, "co co so": Rating.MOSTLY_TRUE, "mostly true": Rating.MOSTLY_TRUE,
    "mostly correct": Rating.MOSTLY_TRUE,
    # true
    "dung": Rating.TRUE, "dung su that": Rating.TRUE, "chinh xac": Rating.TRUE, "su that": Rating.TRUE,
    "true": Rating.TRUE, "correct": Rating.TRUE, "accurate": Rating.TRUE,
    # no verdict
    "chua xac minh": Rating.UNRATED, "chua kiem chung": Rating.UNRATED, "khong the xac minh": Rating.UNRATED,
    "chua ro": Rating.UNRATED, "chuyen che": Rating.UNRATED, "unproven": Rating.UNRATED,
    "unverified": Rating.UNRATED, "satire": Rating.UNRATED, "no evidence": Rating.UNRATED,
}

_NON_WORD = re.compile(r"[\W_]+")


def rating_key(text: str) -> str:
    """The comparison form of a rating label: folded, lower case, words joined by one space."""
    return " ".join(_NON_WORD.sub(" ", fold_accents(text.casefold())).split())


def normalise_rating(text: str | None, value: float | None = None, best: float | None = None,
                     worst: float | None = None) -> Rating:
    """The scale position of a publisher's rating (see the module docstring for the order of rules)."""
    if text:
        known = RATING_WORDS.get(rating_key(text))
        if known is not None:
            return known
    if value is not None:
        hi = 5.0 if best is None else best
        lo = 1.0 if worst is None else worst
        if hi > lo and lo <= value <= hi:
            position = (value - lo) / (hi - lo)
            # Five equal bands, from the worst (false) to the best (true).
            scale = (Rating.FALSE, Rating.MOSTLY_FALSE, Rating.MIXED, Rating.MOSTLY_TRUE, Rating.TRUE)
            return scale[min(4, int(position * 5))]
    return Rating.UNRATED


def publisher_key(name: str) -> str:
    """A publisher's comparison key (case, width and spacing do not matter; diacritics do)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def fact_check_id(review_url: str, claim: str) -> str:
    """The stable id of a fact-check that names none: ``fc-`` and 16 hex digits of a SHA-256."""
    digest = hashlib.sha256(f"{review_url.strip()}\n{' '.join(claim.split())}".encode()).hexdigest()
    return f"fc-{digest[:16]}"


@dataclass(frozen=True, slots=True)
class Publisher:
    """Who published the fact-check (a ClaimReview's ``author``)."""

    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class FactCheck:
    """One published review of one claim. Dates are ISO-8601 text as the publisher gave them."""

    id: str
    claim: str  # claimReviewed: the claim in the words the fact-checker quotes it
    rating_text: str  # textualRating, as written
    rating: Rating
    publisher: Publisher
    url: str  # the review's page: the link a label shows
    title: str | None = None  # the review's headline (name / headline)
    review_date: str | None = None
    language: str = "vi"
    topic: Topic = Topic.OTHER
    claimant: str | None = None  # itemReviewed.author.name
    claim_date: str | None = None  # itemReviewed.datePublished
    appearances: tuple[str, ...] = ()  # itemReviewed.appearance URLs
    rating_value: float | None = None
    best_rating: float | None = None
    worst_rating: float | None = None
    retired: bool = False
