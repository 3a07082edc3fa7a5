"""What ``GET /v1/reports`` and ``GET /v1/reports/{id}`` publish, and the body of a ``report`` webhook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..clock import iso
from ..store.records import Case
from ..store.records_reports import Flagger, Report

__all__ = ["ReportView"]


@dataclass(frozen=True, slots=True)
class ReportView:
    """A report with its case, its flagger and the case's due time (a flagger report's case is due
    ``respond_hours`` after the earliest flagger report in it)."""

    report: Report
    case: Case | None
    flagger: Flagger | None
    due_ts: float | None
    appeal_id: int | None = None

    def public(self, *, staff: bool = True) -> dict[str, Any]:
        """The API's shape. ``staff`` adds the mass-report labels (``suspicious``, ``ring``) and the
        case's priority: a platform's ingest key, whose answers may reach the reporter, gets neither
        (a reporter is never told they were judged part of a ring)."""
        r = self.report
        out: dict[str, Any] = {
            "id": r.id,
            "platform": r.platform or None,
            "source": r.source.value,
            "reporter": {"id": r.reporter_id} if r.reporter_id is not None else None,
            "flagger": self.flagger.name if self.flagger else None,
            "subject": {r.subject_kind.value: r.subject_id},
            "item_version": r.item_version,
            "category": r.category,
            "statement": r.statement,
            "evidence": list(r.evidence),
            "created_at": r.created_at,
            "state": r.state.value,
            "outcome": None if r.answered_at is None else {
                "decision": r.outcome_decision_id, "answered_at": r.answered_at, "reasons": r.reasons},
            "contest": {"appeal": self.appeal_id} if self.appeal_id else None,
        }
        if staff:
            out |= {
                "suspicious": r.suspicious,
                "ring": r.ring,
                "case": None if self.case is None else {
                    "id": self.case.id, "state": self.case.state.value, "reporters": self.case.reporters,
                    "priority": round(float(self.case.priority or self.case.priority_base), 4),
                    "decision": self.case.decision_id, "outcome_decision": self.case.outcome_decision_id,
                    "due_at": iso(self.due_ts) if self.due_ts else None,
                },
            }
        else:
            out["case"] = None if self.case is None else {"id": self.case.id, "state": self.case.state.value}
        return out

    def webhook(self) -> dict[str, Any]:
        """The ``report`` webhook body: what the platform needs to tell the reporter."""
        pub = self.public(staff=False)
        return {"platform": self.report.platform or None, "report": {
            k: pub[k] for k in ("id", "reporter", "flagger", "subject", "category", "state", "outcome")}}
