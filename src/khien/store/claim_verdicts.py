"""Rows of moderators' verdicts on candidate fact-checks (table ``claim_verdicts``; migration 0900)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select

from .db import Tx
from .schema import claim_verdicts, fact_checks

__all__ = ["ClaimVerdict", "VerdictCount", "put", "for_case", "all_verdicts", "counts"]


@dataclass(frozen=True, slots=True)
class ClaimVerdict:
    """One verdict: the case, the post judged, the candidate fact-check and what the person said."""

    case_id: int
    item_id: str
    factcheck_id: str
    verdict: str  # confirmed | rejected
    tier: str | None
    score: float | None
    text: str
    actor: str
    created_at: str

    @classmethod
    def from_row(cls, row: Any) -> "ClaimVerdict":
        m = row._mapping
        return cls(m["case_id"], m["item_id"], m["factcheck_id"], m["verdict"], m["tier"], m["score"], m["text"],
                   m["actor"], m["created_at"])

    def public(self) -> dict[str, Any]:
        return asdict(self)


def put(tx: Tx, verdict: ClaimVerdict) -> None:
    """Store ``verdict``, replacing an earlier one on the same case and fact-check."""
    tx.conn.execute(delete(claim_verdicts).where(claim_verdicts.c.case_id == verdict.case_id,
                                            claim_verdicts.c.factcheck_id == verdict.factcheck_id))
    tx.conn.execute(insert(claim_verdicts).values(**asdict(verdict)))


def for_case(tx: Tx, case_id: int) -> dict[str, ClaimVerdict]:
    rows = tx.conn.execute(select(claim_verdicts).where(claim_verdicts.c.case_id == case_id))
    return {v.factcheck_id: v for v in map(ClaimVerdict.from_row, rows)}


def all_verdicts(tx: Tx) -> list[ClaimVerdict]:
    rows = tx.conn.execute(select(claim_verdicts).order_by(claim_verdicts.c.created_at, claim_verdicts.c.id))
    return [ClaimVerdict.from_row(r) for r in rows]


@dataclass(frozen=True, slots=True)
class VerdictCount:
    """How many verdicts say ``verdict`` on candidates of ``tier`` from ``publisher`` (None: the
    fact-check is not in the store, e.g. matched from a file by ``khien scan --claims``)."""

    tier: str | None
    publisher: str | None
    verdict: str
    count: int


def counts(tx: Tx) -> list[VerdictCount]:
    """The verdicts counted by (tier, publisher, verdict): one grouped query, whatever their number."""
    v = claim_verdicts
    joined = v.outerjoin(fact_checks, fact_checks.c.id == v.c.factcheck_id)
    rows = tx.conn.execute(select(v.c.tier, fact_checks.c.publisher, v.c.verdict, func.count().label("n"))
                           .select_from(joined).group_by(v.c.tier, fact_checks.c.publisher, v.c.verdict))
    return [VerdictCount(r.tier, r.publisher, r.verdict, int(r.n)) for r in rows]
