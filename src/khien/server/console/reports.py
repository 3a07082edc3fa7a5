"""User reports in the console: the marks report cases carry in the queue, the "Reports" panel of a
report case, and the ``/reports`` list (moderators, auditors, admins).

Reads go through :mod:`khien.reports.reads`, the same as ``GET /v1/reports``. A reporter is shown by
their platform user id (or a trusted flagger by name) with their track record on that platform, and
nothing else: Khiên keeps no profile of reporters. The mass-report labels (suspicious, ring id) are
staff-only and shown here because every reader of these pages is staff; a reporter's notice never
carries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...clock import iso
from ...enums import ReportSource, ReportState, Role, values
from ...reports import reads
from ...review.views import CaseView
from .web import clock_of, page, require_role

__all__ = ["router", "ORIGIN", "is_report_case", "queue_marks", "panel_of", "ReportRow", "Evidence", "QueueMark"]

router = APIRouter(include_in_schema=False)
ORIGIN = "reports"  # a report case's origin without its reference (khien.reports.intake.ORIGIN_PREFIX)
PANEL_LIMIT = 200  # reports shown on a case page (a case with more says so; the API pages through all)
LIST_PAGE = 100
STATES = values(ReportState)
SOURCES = values(ReportSource)
SUSPICIOUS = ("yes", "no")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One evidence entry: ``href`` is set only for an http(s) URL (rendered as a nofollow link),
    anything else is shown as plain text."""

    text: str
    href: str | None


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A report as the pages list it."""

    id: int
    platform: str
    who: str  # the platform user id, or the trusted flagger's name
    flagger: bool
    subject_kind: str
    subject_id: str
    category: str
    statement: str
    evidence: tuple[Evidence, ...]
    created_at: str
    state: str
    answered_at: str | None
    suspicious: bool
    ring: str | None
    case_id: int | None
    upheld: int | None  # the sender's track record on this platform (None: no record yet)
    answered: int | None


@dataclass(frozen=True, slots=True)
class QueueMark:
    """A report case's mark in the queue: distinct reporters, and the due time of a flagger's report."""

    reporters: int
    due_at: str | None
    overdue: bool


def is_report_case(case: CaseView) -> bool:
    return case.source == ORIGIN


def _evidence(raw: str) -> Evidence:
    text = str(raw)[:2000]
    try:
        parts = urlsplit(text)
    except ValueError:
        return Evidence(text, None)
    clean = parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() or ord(c) < 32
                                                                                for c in text)
    return Evidence(text, text if clean else None)


def _row(view: Any, track: reads.TrackRecord | None = None) -> ReportRow:
    r = view.report
    flagger = r.source == ReportSource.FLAGGER
    who = (view.flagger.name if view.flagger else f"#{r.flagger_id}") if flagger else str(r.reporter_id or "—")
    return ReportRow(id=r.id, platform=r.platform, who=who, flagger=flagger, subject_kind=r.subject_kind.value,
                     subject_id=r.subject_id, category=r.category, statement=r.statement,
                     evidence=tuple(_evidence(e) for e in r.evidence), created_at=r.created_at, state=r.state.value,
                     answered_at=r.answered_at, suspicious=r.suspicious, ring=r.ring, case_id=r.case_id,
                     upheld=track.upheld if track else None, answered=track.answered if track else None)


def queue_marks(tx: Any, found: Sequence[Any], *, clock: Any) -> dict[int, QueueMark]:
    """Marks of the report cases among the queue's rows (``QueueRow``s), by case id."""
    ids = [row.id for row in found if row.source == ORIGIN]
    now = clock.now()
    marks = reads.report_case_marks(tx, ids, clock=clock)
    return {cid: QueueMark(m.reporters, iso(m.due_ts)[:16].replace("T", " ") + " UTC" if m.due_ts else None,
                           bool(m.due_ts and m.due_ts < now)) for cid, m in marks.items()}


def panel_of(tx: Any, case: CaseView, *, clock: Any) -> dict[str, Any]:
    """The "Reports" panel of a report case: its reports with track records, and whether more exist."""
    found = reads.case_reports(tx, case.id, limit=PANEL_LIMIT + 1, clock=clock)
    rows = [_row(c.view, c.track) for c in found[:PANEL_LIMIT]]
    due = next((c.view.due_ts for c in found if c.view.due_ts), None)
    return {"reports": rows, "reports_more": len(found) > PANEL_LIMIT, "reporters": case.case.reporters,
            "due_at": iso(due)[:16].replace("T", " ") + " UTC" if due else None}


def _filters(request: Request) -> dict[str, str | None]:
    q = request.query_params
    return {"state": q.get("state") if q.get("state") in STATES else None,
            "source": q.get("source") if q.get("source") in SOURCES else None,
            "suspicious": q.get("suspicious") if q.get("suspicious") in SUSPICIOUS else None}


@router.get("/reports")
def report_list(request: Request) -> Response:
    """Reports newest first, filtered by state, source and the mass-report label; each links to its case."""
    require_role(request, Role.MODERATOR, Role.AUDITOR)
    filters = _filters(request)
    try:
        page_no = max(1, min(10_000, int(request.query_params.get("page", "1"))))
    except ValueError:
        page_no = 1
    suspicious = None if filters["suspicious"] is None else filters["suspicious"] == "yes"
    with request.app.state.store.read() as tx:
        found = reads.list_reports(tx, state=filters["state"], source=filters["source"], suspicious=suspicious,
                                   limit=LIST_PAGE + 1, offset=(page_no - 1) * LIST_PAGE, clock=clock_of(request))
    rows = [_row(v) for v in found[:LIST_PAGE]]
    return page(request, "reports.html", rows=rows, filters=filters, states=STATES, sources=SOURCES,
                suspicious_values=SUSPICIOUS, page_no=page_no, more=len(found) > LIST_PAGE,
                first=(page_no - 1) * LIST_PAGE, query={k: v for k, v in filters.items() if v}, msg=None)
