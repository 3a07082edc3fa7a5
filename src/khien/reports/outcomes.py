"""Reports answered: when their case is decided, and again when a reporter's contest is decided.

:func:`case_decided` is called at the end of ``khien.review.cases.decide`` for every case (it returns
at once for a case that is not a report case). Every report in the case is answered: ``upheld``
when the decision acts (an item: any action but ``allow``; an account: an account action), else
``rejected``; the notice (:mod:`khien.reports.notices`) is the same for every reporter, the mass-
report labels change nothing in it. Reporters' track records are updated and a ``report`` webhook
event is queued per report.

**Rate limit (DSA Art. 23).** When a rejection brings a user reporter to at least
``rules.limit_answered`` answered reports of which at least ``rules.limit_share`` were rejected,
and they are not limited already, they are limited for ``rules.limit_hours`` (``report.reporter_limited``
audit event); :func:`khien.reports.intake.submit` then answers their reports 429.

**Contest.** A ``rejected`` report may be contested once, within ``rules.contest_days`` of its
answer (:func:`contest`): an appeal by the reporter (``appellant='reporter'``) on the case's outcome
decision, decided through ``khien.review.appeals.decide`` by a moderator other than the one who
made that decision. :func:`appeal_decided` answers the report again; a reversal that acts also
upholds the case's other reports answered by the same decision (their track records follow).
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import orjson

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..clock import SYSTEM, Clock, iso
from ..enums import AccountAction, Action, AppealOutcome, ReportState, SubjectKind, values
from ..errors import ConflictError, InputError, NotFoundError
from ..policy import Policy
from ..review import outbox
from ..review.actor import Actor
from ..store import Tx
from ..store import items as item_rows
from ..store import reports as rows
from ..store import review as review_rows
from ..store.records import Appeal, Case, StoredDecision
from ..store.records_reports import Report
from .notices import contest_notice, report_notice
from .rules import MAX_STATEMENT, ReportRules
from .views import ReportView

__all__ = ["case_decided", "contest", "appeal_decided", "acts", "view_of", "views_of"]

_ACCOUNT_ACTIONS = set(values(AccountAction))
REPORT_ORIGIN = "reports:"  # a report case's origin (khien.reports.intake.ORIGIN_PREFIX)


def acts(kind: SubjectKind, action: str) -> bool:
    """Whether a decision upholds reports on a subject of ``kind``."""
    if kind == SubjectKind.ACCOUNT:
        return action in _ACCOUNT_ACTIONS
    return action != Action.ALLOW


def views_of(tx: Tx, found: Sequence[Report], *, now: float) -> list[ReportView]:
    """Reports with their cases, flaggers, due times and contests (a few queries for the lot)."""
    case_ids = sorted({r.case_id for r in found if r.case_id is not None})
    cases = {cid: review_rows.get_case(tx, cid, now=now) for cid in case_ids}
    due = rows.flagger_due(tx, case_ids)
    flaggers = rows.flaggers_by_id(tx, [r.flagger_id for r in found if r.flagger_id is not None])
    out = []
    for r in found:
        appeal = rows.appeal_of_report(tx, r.id) if r.state != ReportState.OPEN else None
        out.append(ReportView(report=r, case=cases.get(r.case_id) if r.case_id else None,
                              flagger=flaggers.get(r.flagger_id) if r.flagger_id else None,
                              due_ts=due.get(r.case_id) if r.case_id else None,
                              appeal_id=appeal.id if appeal else None))
    return out


def view_of(tx: Tx, report_id: int, *, now: float) -> ReportView:
    report = rows.get_report(tx, report_id)
    if report is None:
        raise NotFoundError(f"report {report_id} does not exist")
    return views_of(tx, [report], now=now)[0]


def _limit(tx: Tx, keys: Sequence[tuple[str, str]], rules: ReportRules, now: float) -> list[AuditEvent]:
    """Limit the reporters among ``keys`` whose records now cross the rejection limit."""
    events = []
    for (platform, reporter_id), rec in rows.reporter_records(tx, keys).items():
        if rec.answered < rules.limit_answered or rec.rejected < rules.limit_share * rec.answered:
            continue
        if rec.limited_until is not None and rec.limited_until > now:
            continue
        until = now + rules.limit_hours * 3600.0
        rows.set_limited(tx, platform, reporter_id, until)
        events.append(AuditEvent("system:reports", f"reporter:{platform}:{reporter_id}", ev.ReporterLimited(
            until=iso(until), answered=rec.answered, rejected=rec.rejected)))
    return events


def _answer(tx: Tx, answers: Sequence[tuple[Report, ReportState, dict[str, str]]], decision_id: int | None,
            actor: Actor, rules: ReportRules, *, now: float, appeal: int | None, clock: Clock) -> None:
    """Record answers, move track records, limit reporters, audit, and queue the webhooks."""
    when = iso(now)
    rows.answer_reports(tx, [(r.id, state.value, orjson.dumps(reasons).decode(), decision_id, when, now)
                             for r, state, reasons in answers])
    deltas: Counter[tuple[str, str, str]] = Counter()
    for r, state, _ in answers:
        if r.reporter_id is None or state == r.state:
            continue
        if r.state != ReportState.OPEN:  # answered again: the earlier answer no longer counts
            deltas[(r.platform, r.reporter_id, r.state.value)] -= 1
        deltas[(r.platform, r.reporter_id, state.value)] += 1
    changes: dict[tuple[str, str], list[int]] = {}
    for (platform, reporter_id, state), n in deltas.items():
        c = changes.setdefault((platform, reporter_id), [0, 0])
        c[0 if state == ReportState.UPHELD else 1] += n
    rows.add_answers(tx, [(p, r, u, x) for (p, r), (u, x) in changes.items()])
    events = [AuditEvent(actor.name, f"report:{r.id}", ev.ReportAnswered(
        case=r.case_id, state=state.value, source=r.source.value, category=r.category, suspicious=r.suspicious,
        decision=decision_id, appeal=appeal, waited_s=round(max(0.0, now - r.created_ts), 3))) for r, state, _ in answers]
    rejected = [(p, r) for (p, r), (_u, x) in changes.items() if x > 0]
    events += _limit(tx, rejected, rules, now)
    record_many(tx, events, time=when)
    if outbox.wants(tx, "report"):
        views = views_of(tx, [rows.get_report(tx, r.id) or r for r, _s, _n in answers], now=now)
        outbox.publish(tx, "report", [v.webhook() for v in views], clock=clock)


def case_decided(tx: Tx, policy: Policy, case: Case, decision_id: int, action: str, actor: Actor, *,
                 rules: ReportRules | None = None, clock: Clock = SYSTEM) -> None:
    """Answer every open report of a just-decided report case (nothing for other cases)."""
    if not case.origin.startswith(REPORT_ORIGIN):
        return
    found = [r for r in rows.reports_in_case(tx, case.id) if r.state == ReportState.OPEN]
    if not found:
        return
    rules = rules or ReportRules.from_settings()
    decision = item_rows.get_decision(tx, decision_id)
    upheld = acts(case.subject_kind, action)
    state = ReportState.UPHELD if upheld else ReportState.REJECTED
    notice = report_notice(policy, kind=case.subject_kind, subject_id=case.item_id, upheld=upheld, action=action,
                           category=decision.category if decision else None,
                           clause=decision.decision.clause if decision else None, contest_days=rules.contest_days)
    _answer(tx, [(r, state, notice) for r in found], decision_id, actor, rules, now=clock.now(), appeal=None,
            clock=clock)


def contest(tx: Tx, actor: Actor, report_id: int, *, statement: str, rules: ReportRules | None = None,
            clock: Clock = SYSTEM) -> Appeal:
    """A reporter contests the decision not to act on their report: 404 unknown report, 409 not
    rejected, already contested, or too late; 422 an empty or over-long statement."""
    rules = rules or ReportRules.from_settings()
    if not isinstance(statement, str) or not statement.strip():
        raise InputError("field 'statement' must say why the decision not to act is wrong", field="statement")
    if len(statement) > MAX_STATEMENT:
        raise InputError(f"field 'statement' must be at most {MAX_STATEMENT} characters, found {len(statement)}",
                         field="statement")
    report = rows.get_report(tx, report_id)
    if report is None:
        raise NotFoundError(f"report {report_id} does not exist")
    if report.state != ReportState.REJECTED or report.outcome_decision_id is None:
        raise ConflictError(f"report {report_id} is {report.state.value}: only a decision not to act "
                            "(a rejected report) can be contested")
    if rows.appeal_of_report(tx, report_id) is not None:
        raise ConflictError(f"report {report_id} was already contested; a report is contested once")
    now = clock.now()
    deadline = (report.answered_ts or now) + rules.contest_days * 86_400.0
    if now > deadline:
        raise ConflictError(f"report {report_id} could be contested until {iso(deadline)}",
                            hint=f"A decision not to act can be contested within {rules.contest_days:g} days.")
    original: StoredDecision | None = item_rows.get_decision(tx, report.outcome_decision_id)
    if original is None:  # the foreign key makes this impossible
        raise NotFoundError(f"decision {report.outcome_decision_id} of report {report_id} does not exist")
    when = iso(now)
    appeal_id = rows.insert_reporter_appeal(
        tx, platform=report.platform, item_id=report.subject_id, statement=statement, submitted_by=actor.name,
        original_decision_id=original.id, original_decider=original.decider, created_at=when, report_id=report_id)
    record_many(tx, [AuditEvent(actor.name, f"appeal:{appeal_id}", ev.AppealSubmitted(
        item=report.subject_id, platform=report.platform, decision=original.id, action=original.action,
        category=original.category, automated=original.automated))], time=when)
    appeal = review_rows.get_appeal(tx, appeal_id)
    assert appeal is not None
    return appeal


def appeal_decided(tx: Tx, policy: Policy, appeal: Appeal, outcome: str, decision_id: int | None, action: str,
                   actor: Actor, *, rules: ReportRules | None = None, clock: Clock = SYSTEM) -> None:
    """Answer again the report a reporter's appeal contested (nothing for an author's appeal)."""
    report_id = rows.report_of_appeal(tx, appeal.id)
    report = rows.get_report(tx, report_id) if report_id is not None else None
    if report is None:
        return
    rules = rules or ReportRules.from_settings()
    reversed_ = outcome == AppealOutcome.REVERSED and acts(report.subject_kind, action)
    decision = item_rows.get_decision(tx, decision_id) if decision_id else None
    category = decision.category if decision else None
    clause = decision.decision.clause if decision else None
    own = contest_notice(policy, kind=report.subject_kind, subject_id=report.subject_id, reversed_=reversed_,
                         action=action, category=category, clause=clause)
    if not reversed_:
        _answer(tx, [(report, ReportState.REJECTED, own)], report.outcome_decision_id, actor, rules,
                now=clock.now(), appeal=appeal.id, clock=clock)
        return
    others = [r for r in (rows.reports_in_case(tx, report.case_id) if report.case_id else [])
              if r.id != report.id and r.state == ReportState.REJECTED
              and r.outcome_decision_id == report.outcome_decision_id]
    notice = report_notice(policy, kind=report.subject_kind, subject_id=report.subject_id, upheld=True,
                           action=action, category=category, clause=clause, contest_days=rules.contest_days)
    _answer(tx, [(report, ReportState.UPHELD, own)] + [(r, ReportState.UPHELD, notice) for r in others],
            decision_id, actor, rules, now=clock.now(), appeal=appeal.id, clock=clock)
