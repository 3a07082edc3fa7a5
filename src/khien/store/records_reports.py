"""Typed records of user reports: trusted flaggers, reporters' track records, reports.

Kept apart from :mod:`khien.store.records` (issue 12). Each record is frozen and built from one row
by ``from_row``; ``NewReport`` is the typed input of :func:`khien.store.reports.insert_reports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import orjson

from ..enums import ReportSource, ReportState, SubjectKind

__all__ = ["Flagger", "FlaggerAccuracy", "ReporterRecord", "NewReport", "Report", "track_weight"]


def _m(row: Any) -> Mapping[str, Any]:
    return row._mapping if hasattr(row, "_mapping") else row


def track_weight(upheld: int, rejected: int) -> float:
    """A reporter's weight from their record: twice the Laplace-smoothed share upheld.

    ``2 (upheld + 1) / (answered + 2)``: 1.0 with no record, towards 2.0 for a reporter whose
    reports are upheld, towards 0 for one whose reports are rejected.
    """
    return 2.0 * (upheld + 1) / (upheld + rejected + 2)


@dataclass(frozen=True, slots=True)
class Flagger:
    id: int
    name: str
    organisation: str
    contact: str | None
    respond_hours: int
    created_by: str
    created_at: str
    removed_at: str | None

    @classmethod
    def from_row(cls, row: Any) -> "Flagger":
        m = _m(row)
        return cls(id=m["id"], name=m["name"], organisation=m["organisation"], contact=m["contact"],
                   respond_hours=int(m["respond_hours"]), created_by=m["created_by"], created_at=m["created_at"],
                   removed_at=m["removed_at"])


@dataclass(frozen=True, slots=True)
class FlaggerAccuracy:
    """How a flagger's reports were answered: ``accuracy`` is upheld / answered (None before any answer)."""

    reports: int
    upheld: int
    rejected: int

    @property
    def answered(self) -> int:
        return self.upheld + self.rejected

    @property
    def accuracy(self) -> float | None:
        return round(self.upheld / self.answered, 4) if self.answered else None


@dataclass(frozen=True, slots=True)
class ReporterRecord:
    """A platform user's track record as a reporter (``reporters`` row)."""

    platform: str
    reporter_id: str
    first_ts: float
    reports: int
    upheld: int
    rejected: int
    suspicious: int
    limited_until: float | None
    account_created_ts: float | None = None  # when the reporter's account was created, if a report said

    @classmethod
    def from_row(cls, row: Any) -> "ReporterRecord":
        m = _m(row)
        created = m.get("account_created_ts")
        return cls(platform=m["platform"], reporter_id=m["reporter_id"], first_ts=float(m["first_ts"]),
                   reports=int(m["reports"]), upheld=int(m["upheld"]), rejected=int(m["rejected"]),
                   suspicious=int(m["suspicious"]), limited_until=m["limited_until"],
                   account_created_ts=float(created) if created is not None else None)

    @property
    def answered(self) -> int:
        return self.upheld + self.rejected


@dataclass(frozen=True, slots=True)
class NewReport:
    platform: str
    source: ReportSource
    reporter_id: str | None
    flagger_id: int | None
    subject_kind: SubjectKind
    subject_id: str
    item_version: int | None
    category: str
    statement: str
    evidence: tuple[str, ...]
    created_at: str
    created_ts: float

    def row(self) -> dict[str, Any]:
        return {"platform": self.platform, "source": self.source.value, "reporter_id": self.reporter_id,
                "flagger_id": self.flagger_id, "subject_kind": self.subject_kind.value,
                "subject_id": self.subject_id, "item_version": self.item_version, "category": self.category,
                "statement": self.statement, "evidence": orjson.dumps(list(self.evidence)).decode(),
                "created_at": self.created_at, "created_ts": self.created_ts, "state": ReportState.OPEN.value,
                "suspicious": False}


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    platform: str
    source: ReportSource
    reporter_id: str | None
    flagger_id: int | None
    subject_kind: SubjectKind
    subject_id: str
    item_version: int | None
    category: str
    statement: str
    evidence: tuple[str, ...]
    created_at: str
    created_ts: float
    case_id: int | None
    state: ReportState
    suspicious: bool
    ring: str | None
    answered_at: str | None
    answered_ts: float | None
    outcome_decision_id: int | None
    reasons: dict[str, str] | None

    @classmethod
    def from_row(cls, row: Any) -> "Report":
        m = _m(row)
        return cls(
            id=m["id"], platform=m["platform"], source=ReportSource(m["source"]), reporter_id=m["reporter_id"],
            flagger_id=m["flagger_id"], subject_kind=SubjectKind(m["subject_kind"]), subject_id=m["subject_id"],
            item_version=m["item_version"], category=m["category"], statement=m["statement"],
            evidence=tuple(orjson.loads(m["evidence"] or "[]")), created_at=m["created_at"],
            created_ts=float(m["created_ts"]), case_id=m["case_id"], state=ReportState(m["state"]),
            suspicious=bool(m["suspicious"]), ring=m["ring"], answered_at=m["answered_at"],
            answered_ts=m["answered_ts"], outcome_decision_id=m["outcome_decision_id"],
            reasons=orjson.loads(m["reasons"]) if m["reasons"] else None,
        )

    @property
    def reporter_key(self) -> str:
        """Who reported, as the ring detector and the grouping count them."""
        return f"flagger:{self.flagger_id}" if self.source == ReportSource.FLAGGER else f"{self.platform}:{self.reporter_id}"
