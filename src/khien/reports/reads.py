"""Reading reports: one by id (``GET /v1/reports/{id}``) and the staff list (``GET /v1/reports``);
for the console, the reports of one case with each reporter's track record (:func:`case_reports`),
what the queue shows of report cases (:func:`report_case_marks`) and the report a reporter's
appeal contests (:func:`contested_report`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..clock import SYSTEM, Clock
from ..enums import ReportSource, ReportState, SubjectKind
from ..errors import InputError
from ..store import Tx
from ..store import reports as rows
from ..store import review as review_rows
from .outcomes import view_of, views_of
from .views import ReportView

__all__ = ["get_report", "list_reports", "parse_subject", "TrackRecord", "CaseReport", "case_reports",
           "ReportCaseMark", "report_case_marks", "contested_report"]


def parse_subject(subject: str | None) -> tuple[str | None, str | None]:
    """``item:<id>`` or ``account:<author id>`` (the list filter) as (kind, id)."""
    if not subject:
        return None, None
    kind, sep, ident = subject.partition(":")
    if not sep or kind not in (SubjectKind.ITEM, SubjectKind.ACCOUNT) or not ident:
        raise InputError(f"query 'subject' must be item:<id> or account:<author id>, found {subject!r}",
                         field="subject")
    return kind, ident


def get_report(tx: Tx, report_id: int, *, clock: Clock = SYSTEM) -> ReportView:
    """A report with its outcome and notice; 404 unknown."""
    return view_of(tx, report_id, now=clock.now())


def list_reports(tx: Tx, *, state: str | None = None, source: str | None = None, suspicious: bool | None = None,
                 platform: str | None = None, subject: str | None = None, case: int | None = None,
                 limit: int = 50, offset: int = 0, clock: Clock = SYSTEM) -> list[ReportView]:
    """Reports, newest first."""
    kind, ident = parse_subject(subject)
    found = rows.list_reports(tx, state=ReportState(state) if state else None,
                              source=ReportSource(source) if source else None, suspicious=suspicious,
                              platform=platform, subject_kind=kind, subject_id=ident, case_id=case, limit=limit,
                              offset=offset)
    return views_of(tx, found, now=clock.now())


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """How a reporter's (or a trusted flagger's) reports on this platform were answered."""

    reports: int
    upheld: int
    rejected: int

    @property
    def answered(self) -> int:
        return self.upheld + self.rejected


@dataclass(frozen=True, slots=True)
class CaseReport:
    """A report grouped in a case with its sender's track record (None for a user never counted yet)."""

    view: ReportView
    track: TrackRecord | None


def case_reports(tx: Tx, case_id: int, *, limit: int = 200, clock: Clock = SYSTEM) -> list[CaseReport]:
    """The reports grouped in ``case_id`` (newest first, at most ``limit``), each with its user
    reporter's record on the report's platform or its flagger's accuracy. Nothing else about a
    reporter is read: only their reports on that platform."""
    found = list_reports(tx, case=case_id, limit=limit, clock=clock)
    users = rows.reporter_records(tx, sorted({(v.report.platform, v.report.reporter_id) for v in found
                                              if v.report.reporter_id is not None}))
    flaggers = rows.flagger_accuracy(tx, sorted({v.report.flagger_id for v in found
                                                 if v.report.flagger_id is not None}))
    out = []
    for v in found:
        r = v.report
        if r.flagger_id is not None:
            a = flaggers.get(r.flagger_id)
            track = TrackRecord(a.reports, a.upheld, a.rejected) if a else None
        else:
            u = users.get((r.platform, r.reporter_id or ""))
            track = TrackRecord(u.reports, u.upheld, u.rejected) if u else None
        out.append(CaseReport(v, track))
    return out


@dataclass(frozen=True, slots=True)
class ReportCaseMark:
    """What the queue shows of a report case: its distinct reporters and, when it holds a trusted
    flagger's report, when it is due."""

    reporters: int
    due_ts: float | None


def report_case_marks(tx: Tx, case_ids: Sequence[int], *, clock: Clock = SYSTEM) -> dict[int, ReportCaseMark]:
    """Marks of the given report cases by id (a queue page: at most a few hundred ids)."""
    now = clock.now()
    due = rows.flagger_due(tx, list(case_ids))
    out = {}
    for cid in case_ids:
        case = review_rows.get_case(tx, cid, now=now)
        if case is not None:
            out[cid] = ReportCaseMark(reporters=case.reporters, due_ts=due.get(cid))
    return out


def contested_report(tx: Tx, appeal_id: int, *, clock: Clock = SYSTEM) -> ReportView | None:
    """The report a reporter's appeal contests (filed by :func:`khien.reports.outcomes.contest`);
    None for an author's appeal."""
    report_id = rows.report_of_appeal(tx, appeal_id)
    return view_of(tx, report_id, now=clock.now()) if report_id is not None else None
