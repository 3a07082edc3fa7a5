"""Read fact-checks from schema.org ClaimReview JSON-LD, JSONL or CSV; write them back as JSON-LD.

JSON-LD: a document is one ClaimReview object, a list of them, or an object with ``@graph``; a
``Claim`` object with a ``review`` list (several reviews of one claim) is read too. Fields read
(and written back by :func:`to_claimreview`, so a round-trip keeps every one of them):

========================================  ===============================================
ClaimReview                               FactCheck
========================================  ===============================================
``identifier``                            ``id`` (else a hash of ``url`` and the claim)
``claimReviewed``                         ``claim`` (required)
``reviewRating.alternateName``            ``rating_text`` (required; ``textualRating`` too)
``reviewRating.ratingValue/best/worst``   ``rating_value``, ``best_rating``, ``worst_rating``
``author.name`` / ``author.url``          ``publisher`` (name required unless ``--publisher``)
``url``                                   ``url`` (required)
``name`` / ``headline``                   ``title``
``datePublished``                         ``review_date``
``inLanguage``                            ``language`` (default ``vi``)
``itemReviewed.author.name``              ``claimant``
``itemReviewed.datePublished``            ``claim_date``
``itemReviewed.appearance[].url``         ``appearances``
``khien:topic``                           ``topic`` (Khiên's own property; default ``other``)
========================================  ===============================================

JSONL and CSV carry the same fields flat, with these column names: :data:`COLUMNS`
(``appearances`` is a JSON list in JSONL and space-separated URLs in CSV). A JSONL line may also
be a whole ClaimReview object.

A bad record is reported as ``record N: field.path: what is wrong`` (N counts from 1 in the order
of the document) and the other records are still read. A document that is not JSON at all is an
:class:`~khien.errors.InputError`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from ..errors import InputError
from .records import FactCheck, Publisher, Topic, fact_check_id, normalise_rating

__all__ = ["RecordError", "Parsed", "COLUMNS", "parse_document", "parse_jsonld", "parse_jsonl", "parse_csv",
           "to_claimreview", "to_jsonld", "TOPIC_PROPERTY"]

TOPIC_PROPERTY = "khien:topic"
COLUMNS = ("id", "claim", "rating", "rating_value", "best_rating", "worst_rating", "publisher", "publisher_url",
           "url", "title", "review_date", "language", "topic", "claimant", "claim_date", "appearances")
_MAX_TEXT = 5000


@dataclass(frozen=True, slots=True)
class RecordError:
    """One record that could not be read: its number (from 1), the field path and the reason."""

    record: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"record {self.record}: {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class Parsed:
    """What a document held: the fact-checks read and the records refused."""

    fact_checks: tuple[FactCheck, ...]
    errors: tuple[RecordError, ...]


class _Bad(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _text(value: Any, field: str, *, required: bool = False) -> str | None:
    if isinstance(value, Mapping) and "@value" in value:  # a JSON-LD value object
        value = value["@value"]
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Bad(field, "missing")
        return None
    if not isinstance(value, str):
        raise _Bad(field, f"expected text, found {type(value).__name__}")
    value = " ".join(value.split())
    if len(value) > _MAX_TEXT:
        raise _Bad(field, f"at most {_MAX_TEXT} characters, found {len(value)}")
    return value


def _number(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Bad(field, "expected a number, found a boolean")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _Bad(field, f"expected a number, found {value!r}") from None


def _url(value: Any, field: str, *, required: bool = False) -> str | None:
    text = _text(value, field, required=required)
    if text is not None and not text.startswith(("http://", "https://")):
        raise _Bad(field, f"expected an http(s) URL, found {text!r}")
    return text


def _topic(value: Any, field: str) -> Topic:
    text = _text(value, field)
    if text is None:
        return Topic.OTHER
    try:
        return Topic(text.lower())
    except ValueError:
        raise _Bad(field, f"unknown topic {text!r}; expected one of {', '.join(t.value for t in Topic)}") from None


def _one(value: Any) -> Any:
    """The first of a JSON-LD value that may be a list."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _obj(value: Any, field: str) -> Mapping[str, Any]:
    value = _one(value)
    if value is None:
        return {}
    if isinstance(value, str):  # an author given by name only
        return {"name": value}
    if not isinstance(value, Mapping):
        raise _Bad(field, f"expected an object, found {type(value).__name__}")
    return value


def _appearances(value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for i, entry in enumerate(items):
        url = entry.get("url") if isinstance(entry, Mapping) else entry
        found = _url(url, f"{field}[{i}]")
        if found:
            out.append(found)
    return tuple(out)


def _from_claimreview(node: Mapping[str, Any], default_publisher: str | None,
                      claim: Mapping[str, Any] | None = None) -> FactCheck:
    if not isinstance(node, Mapping):
        raise _Bad("@type", f"expected a ClaimReview object, found {type(node).__name__}")
    kind = node.get("@type")
    if kind is not None and "ClaimReview" not in (kind if isinstance(kind, list) else [kind]):
        raise _Bad("@type", f"expected ClaimReview, found {kind!r}")
    claim_text = _text(node.get("claimReviewed"), "claimReviewed")
    item = claim if claim is not None else _obj(node.get("itemReviewed"), "itemReviewed")
    if claim_text is None:  # the claim's own text when the review does not quote it
        claim_text = _text(item.get("text") or item.get("name"), "claimReviewed", required=True)
    assert claim_text is not None
    rating = _obj(node.get("reviewRating"), "reviewRating")
    rating_text = _text(rating.get("alternateName") or node.get("textualRating") or rating.get("textualRating"),
                        "reviewRating.alternateName", required=True)
    value = _number(rating.get("ratingValue"), "reviewRating.ratingValue")
    best = _number(rating.get("bestRating"), "reviewRating.bestRating")
    worst = _number(rating.get("worstRating"), "reviewRating.worstRating")
    author = _obj(node.get("author"), "author")
    name = _text(author.get("name"), "author.name", required=default_publisher is None) or default_publisher
    assert name is not None
    url = _url(node.get("url"), "url", required=True)
    assert url is not None
    claimant = _obj(item.get("author"), "itemReviewed.author")
    language = _text(node.get("inLanguage") or item.get("inLanguage"), "inLanguage") or "vi"
    return FactCheck(
        id=_text(node.get("identifier"), "identifier") or fact_check_id(url, claim_text),
        claim=claim_text,
        rating_text=rating_text or "",
        rating=normalise_rating(rating_text, value, best, worst),
        publisher=Publisher(name, _url(author.get("url"), "author.url")),
        url=url,
        title=_text(node.get("name") or node.get("headline"), "name"),
        review_date=_text(node.get("datePublished"), "datePublished"),
        language=language.lower(),
        topic=_topic(node.get(TOPIC_PROPERTY), TOPIC_PROPERTY),
        claimant=_text(claimant.get("name"), "itemReviewed.author.name"),
        claim_date=_text(item.get("datePublished"), "itemReviewed.datePublished"),
        appearances=_appearances(item.get("appearance") or item.get("firstAppearance"), "itemReviewed.appearance"),
        rating_value=value, best_rating=best, worst_rating=worst,
    )


def _nodes(document: Any) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any] | None]]:
    """(ClaimReview node, the Claim it reviews when the document nests reviews under a Claim)."""
    if isinstance(document, list):
        for entry in document:
            yield from _nodes(entry)
        return
    if isinstance(document, Mapping) and "@graph" in document:
        yield from _nodes(document["@graph"])
        return
    if isinstance(document, Mapping) and document.get("@type") == "Claim" and "review" in document:
        reviews = document["review"]
        for review in reviews if isinstance(reviews, list) else [reviews]:
            yield review, document
        return
    yield document, None


def _collect(entries: Iterator[Any], read: Any) -> Parsed:
    found: list[FactCheck] = []
    errors: list[RecordError] = []
    for number, entry in enumerate(entries, start=1):
        try:
            found.append(read(entry))
        except _Bad as bad:
            errors.append(RecordError(number, bad.field, bad.message))
    return Parsed(tuple(found), tuple(errors))


def parse_jsonld(data: bytes | str, *, publisher: str | None = None) -> Parsed:
    """Fact-checks from a ClaimReview JSON-LD document (see the module docstring)."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"the document is not JSON: {exc}", hint="Give a ClaimReview JSON-LD document, "
                         "a .jsonl file (one record a line) or a .csv file.") from None
    return _collect(_nodes(document), lambda pair: _from_claimreview(pair[0], publisher, pair[1]))


def _from_flat(row: Mapping[str, Any], default_publisher: str | None, *, csv_row: bool) -> FactCheck:
    unknown = sorted(set(row) - set(COLUMNS))
    if unknown:
        raise _Bad(unknown[0], f"unknown column; expected some of {', '.join(COLUMNS)}")
    claim = _text(row.get("claim"), "claim", required=True)
    rating_text = _text(row.get("rating"), "rating", required=True)
    url = _url(row.get("url"), "url", required=True)
    name = _text(row.get("publisher"), "publisher", required=default_publisher is None) or default_publisher
    assert claim is not None and rating_text is not None and url is not None and name is not None
    value = _number(row.get("rating_value"), "rating_value")
    best = _number(row.get("best_rating"), "best_rating")
    worst = _number(row.get("worst_rating"), "worst_rating")
    raw_appearances = row.get("appearances")
    if csv_row and isinstance(raw_appearances, str):
        raw_appearances = raw_appearances.split()
    return FactCheck(
        id=_text(row.get("id"), "id") or fact_check_id(url, claim),
        claim=claim, rating_text=rating_text, rating=normalise_rating(rating_text, value, best, worst),
        publisher=Publisher(name, _url(row.get("publisher_url"), "publisher_url")), url=url,
        title=_text(row.get("title"), "title"), review_date=_text(row.get("review_date"), "review_date"),
        language=(_text(row.get("language"), "language") or "vi").lower(), topic=_topic(row.get("topic"), "topic"),
        claimant=_text(row.get("claimant"), "claimant"), claim_date=_text(row.get("claim_date"), "claim_date"),
        appearances=_appearances(raw_appearances or None, "appearances"),
        rating_value=value, best_rating=best, worst_rating=worst,
    )


def parse_jsonl(data: bytes | str, *, publisher: str | None = None) -> Parsed:
    """One record a line: the flat :data:`COLUMNS`, or a whole ClaimReview object. Blank lines skipped."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    lines = [line for line in text.splitlines() if line.strip()]

    def read(line: str) -> FactCheck:
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise _Bad("line", f"not JSON: {exc}") from None
        if not isinstance(row, Mapping):
            raise _Bad("line", f"expected an object, found {type(row).__name__}")
        if "claimReviewed" in row or "@type" in row:
            return _from_claimreview(row, publisher)
        return _from_flat(row, publisher, csv_row=False)

    return _collect(iter(lines), read)


def parse_csv(data: bytes | str, *, publisher: str | None = None) -> Parsed:
    """A header row naming some of :data:`COLUMNS`, then one fact-check a row (UTF-8, BOM allowed)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        return Parsed((), ())
    unknown = [c for c in reader.fieldnames if c not in COLUMNS]
    if unknown:
        raise InputError(f"CSV column {unknown[0]!r} is unknown; expected some of {', '.join(COLUMNS)}",
                         field=unknown[0])
    rows = ({k: v for k, v in row.items() if k is not None and v not in (None, "")} for row in reader)
    return _collect(rows, lambda row: _from_flat(row, publisher, csv_row=True))


def parse_document(name: str, data: bytes, *, publisher: str | None = None) -> Parsed:
    """Read ``data`` by the file name's ending: ``.csv``, ``.jsonl``, else JSON-LD (``.jsonld``, ``.json``)."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return parse_csv(data, publisher=publisher)
    if lower.endswith((".jsonl", ".ndjson")):
        return parse_jsonl(data, publisher=publisher)
    return parse_jsonld(data, publisher=publisher)


def _drop_none(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if v is not None and v != {} and v != []}


def to_claimreview(fc: FactCheck) -> dict[str, Any]:
    """One fact-check as a ClaimReview object; :func:`parse_jsonld` reads it back to an equal record."""
    rating = _drop_none({"@type": "Rating", "alternateName": fc.rating_text, "ratingValue": fc.rating_value,
                         "bestRating": fc.best_rating, "worstRating": fc.worst_rating})
    item = _drop_none({
        "@type": "Claim",
        "author": _drop_none({"@type": "Person", "name": fc.claimant}) if fc.claimant else None,
        "datePublished": fc.claim_date,
        "appearance": [{"@type": "CreativeWork", "url": u} for u in fc.appearances],
    })
    return _drop_none({
        "@context": "https://schema.org", "@type": "ClaimReview", "identifier": fc.id, "url": fc.url,
        "claimReviewed": fc.claim, "name": fc.title, "datePublished": fc.review_date, "inLanguage": fc.language,
        "author": _drop_none({"@type": "Organization", "name": fc.publisher.name, "url": fc.publisher.url}),
        "reviewRating": rating, "itemReviewed": item if len(item) > 1 else None, TOPIC_PROPERTY: fc.topic.value,
    })


def to_jsonld(fact_checks: list[FactCheck] | tuple[FactCheck, ...]) -> bytes:
    """A JSON-LD document (``@graph``) of ``fact_checks``."""
    graph = [to_claimreview(fc) for fc in fact_checks]
    for node in graph:
        node.pop("@context", None)
    return orjson.dumps({"@context": "https://schema.org", "@graph": graph}, option=orjson.OPT_INDENT_2)
