"""Rows of fact-checks and trusted publishers (tables ``fact_checks``, ``claim_publishers``; migration 0800).

Only reads and writes rows; the rules (what an import may change, the audit events) live in
:mod:`khien.review.claims`. Rows come back as :class:`StoredFactCheck` (a
:class:`~khien.claims.FactCheck` and its store-only facts) and :class:`TrustedPublisher`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import orjson
from sqlalchemy import delete, select, update

from ..claims.records import FactCheck, Publisher, Rating, Topic, publisher_key
from .db import Tx
from .bulk import any_in, insert_rows
from .schema import claim_embeddings, claim_publishers, fact_checks

__all__ = ["StoredFactCheck", "TrustedPublisher", "get_many", "upsert", "list_fact_checks", "retire",
           "trust", "untrust", "trusted_publishers", "matchable", "vectors", "put_vectors"]

_CHUNK = 500


def _m(row: Any) -> Mapping[str, Any]:
    return row._mapping if hasattr(row, "_mapping") else row


@dataclass(frozen=True, slots=True)
class StoredFactCheck:
    """A fact-check as stored: the record, who imported it and when, and when it was retired."""

    fact_check: FactCheck
    imported_by: str
    imported_at: str
    retired_at: str | None
    retired_by: str | None

    @classmethod
    def from_row(cls, row: Any) -> "StoredFactCheck":
        m = _m(row)
        fc = FactCheck(
            id=m["id"], claim=m["claim"], rating_text=m["rating_text"], rating=Rating(m["rating"]),
            publisher=Publisher(m["publisher"], m["publisher_url"]), url=m["url"], title=m["title"],
            review_date=m["review_date"], language=m["language"], topic=Topic(m["topic"]), claimant=m["claimant"],
            claim_date=m["claim_date"], appearances=tuple(orjson.loads(m["appearances"] or "[]")),
            rating_value=m["rating_value"], best_rating=m["best_rating"], worst_rating=m["worst_rating"],
            retired=m["retired_at"] is not None)
        return cls(fc, m["imported_by"], m["imported_at"], m["retired_at"], m["retired_by"])


@dataclass(frozen=True, slots=True)
class TrustedPublisher:
    id: int
    name: str
    url: str | None
    trusted_by: str
    trusted_at: str

    @classmethod
    def from_row(cls, row: Any) -> "TrustedPublisher":
        m = _m(row)
        return cls(int(m["id"]), m["name"], m["url"], m["trusted_by"], m["trusted_at"])


def _values(fc: FactCheck) -> dict[str, Any]:
    return {"claim": fc.claim, "rating_text": fc.rating_text, "rating": fc.rating.value,
            "rating_value": fc.rating_value, "best_rating": fc.best_rating, "worst_rating": fc.worst_rating,
            "publisher": fc.publisher.name, "publisher_key": publisher_key(fc.publisher.name),
            "publisher_url": fc.publisher.url, "url": fc.url, "title": fc.title, "review_date": fc.review_date,
            "language": fc.language, "topic": fc.topic.value, "claimant": fc.claimant, "claim_date": fc.claim_date,
            "appearances": orjson.dumps(list(fc.appearances)).decode()}


def get_many(tx: Tx, ids: Sequence[str]) -> dict[str, StoredFactCheck]:
    """The stored fact-checks among ``ids`` (one query per 500 ids)."""
    out: dict[str, StoredFactCheck] = {}
    unique = list(dict.fromkeys(ids))
    for i in range(0, len(unique), _CHUNK):
        for row in tx.conn.execute(select(fact_checks).where(fact_checks.c.id.in_(unique[i:i + _CHUNK]))):
            out[row.id] = StoredFactCheck.from_row(row)
    return out


def upsert(tx: Tx, new: Sequence[FactCheck], changed: Sequence[FactCheck], *, actor: str, when: str) -> None:
    """Insert ``new`` rows and overwrite the record fields of ``changed`` ones (their retirement stays)."""
    if new:
        tx.conn.execute(fact_checks.insert(), [
            {"id": fc.id, **_values(fc), "imported_by": actor, "imported_at": when} for fc in new])
    for fc in changed:
        tx.conn.execute(update(fact_checks).where(fact_checks.c.id == fc.id)
                        .values(**_values(fc), imported_by=actor, imported_at=when))


def list_fact_checks(tx: Tx, *, include_retired: bool = False, publisher: str | None = None,
                     limit: int | None = None) -> list[StoredFactCheck]:
    """Fact-checks, newest review first (then id)."""
    stmt = select(fact_checks)
    if not include_retired:
        stmt = stmt.where(fact_checks.c.retired_at.is_(None))
    if publisher is not None:
        stmt = stmt.where(fact_checks.c.publisher_key == publisher_key(publisher))
    # NULLS LAST spelled out: PostgreSQL puts NULLs first in a descending order, SQLite last.
    stmt = stmt.order_by(fact_checks.c.review_date.desc().nulls_last(), fact_checks.c.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [StoredFactCheck.from_row(r) for r in tx.conn.execute(stmt)]


def matchable(tx: Tx) -> list[FactCheck]:
    """Live fact-checks of trusted publishers, in id order (the order of the match index)."""
    trusted = select(claim_publishers.c.name_key)
    stmt = (select(fact_checks).where(fact_checks.c.retired_at.is_(None), fact_checks.c.publisher_key.in_(trusted))
            .order_by(fact_checks.c.id))
    return [StoredFactCheck.from_row(r).fact_check for r in tx.conn.execute(stmt)]


def retire(tx: Tx, fact_check_id: str, *, actor: str, when: str) -> bool:
    """Mark a live fact-check retired; False when it is not there or already retired."""
    result = tx.conn.execute(update(fact_checks).where(fact_checks.c.id == fact_check_id,
                                                       fact_checks.c.retired_at.is_(None))
                             .values(retired_at=when, retired_by=actor))
    return result.rowcount == 1


def trusted_publishers(tx: Tx) -> list[TrustedPublisher]:
    rows = tx.conn.execute(select(claim_publishers).order_by(claim_publishers.c.id))
    return [TrustedPublisher.from_row(r) for r in rows]


def trust(tx: Tx, name: str, url: str | None, *, actor: str, when: str) -> TrustedPublisher | None:
    """Add a trusted publisher; None when one of that name (its key) is trusted already."""
    key = publisher_key(name)
    if tx.conn.execute(select(claim_publishers.c.id).where(claim_publishers.c.name_key == key)).first():
        return None
    pid = tx.conn.execute(claim_publishers.insert().values(name=name, name_key=key, url=url, trusted_by=actor,
                                                           trusted_at=when)).inserted_primary_key[0]
    row = tx.conn.execute(select(claim_publishers).where(claim_publishers.c.id == pid)).one()
    return TrustedPublisher.from_row(row)


def untrust(tx: Tx, name: str) -> TrustedPublisher | None:
    """Remove a trusted publisher; the removed row, or None when there was none of that name."""
    key = publisher_key(name)
    row = tx.conn.execute(select(claim_publishers).where(claim_publishers.c.name_key == key)).first()
    if row is None:
        return None
    tx.conn.execute(delete(claim_publishers).where(claim_publishers.c.id == row.id))
    return TrustedPublisher.from_row(row)


def vectors(tx: Tx, keys: Sequence[str]) -> dict[str, bytes]:
    """The stored claim vectors among ``keys`` (float32 bytes), one query per 500 keys."""
    out: dict[str, bytes] = {}
    for i in range(0, len(keys), _CHUNK):
        stmt = select(claim_embeddings.c.key, claim_embeddings.c.vector).where(
            any_in(tx, claim_embeddings.c.key, keys[i:i + _CHUNK]))
        out.update({row.key: bytes(row.vector) for row in tx.conn.execute(stmt)})
    return out


def put_vectors(tx: Tx, model: str, dim: int, new: Mapping[str, bytes], *, when: str) -> None:
    """Store claim vectors; a key stored already (another process embedded it first) is kept."""
    rows = [{"key": k, "model": model, "dim": dim, "vector": v, "created_at": when} for k, v in new.items()]
    for i in range(0, len(rows), _CHUNK):
        insert_rows(tx, claim_embeddings, rows[i:i + _CHUNK], conflict=("key",))
