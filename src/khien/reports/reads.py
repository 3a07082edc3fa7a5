"""Reading reports: one by id (``GET /v1/reports/{id}``) and the staff list (``GET /v1/reports``)."""

from __future__ import annotations

from ..clock import SYSTEM, Clock
from ..enums import ReportSource, ReportState, SubjectKind
from ..errors import InputError
from ..store import Tx
from ..store import reports as rows
from .outcomes import view_of, views_of
from .views import ReportView

__all__ = ["get_report", "list_reports", "parse_subject"]


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
