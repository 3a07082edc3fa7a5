"""Reports in: validation, durable storage, mass-report verdicts, grouping into report cases, priority.

``POST /v1/reports`` calls :func:`parse_body` (the request's shape) then :func:`submit` (one write
transaction: everything below is durable before the answer).

**Grouping.** Reports on one subject — ``(platform, kind, id)``; an account on another platform is
another subject, accounts are never linked across platforms — go to that subject's one OPEN report
case (origin ``reports:<first report id>``). An item case judges the item's current version and
carries the decision in force on it (``decision_id``: the engine's view, shown beside the reports);
an account case names the author id with version 0. Once the case is decided, the next report opens
a new case.

**Priority.** ``priority_base = severity(category) × ln(e + reach) × (1 + ln(1 + W))`` where reach is
the item's reach (an account's followers) and ``W`` sums, over the case's distinct reporters whose
reports are not suspicious, ``2 (upheld + 1) / (answered + 2)`` (1 for a reporter with no record,
towards 2 for one whose reports are upheld, towards 0 for one whose reports are rejected) and
:data:`~khien.reports.rules.FLAGGER_WEIGHT` (3) times that for a trusted flagger (with the
flagger's own record). The category is the most severe one among those reports. Recomputed for
every case a request touches (``cases.priority_base``, ``cases.reporters``).

**Mass reporting.** Every report goes through the ring detector (:mod:`khien.reports.desk`); a
suspicious report is stored with ``suspicious``/``ring``, counted, answered like any other, but adds
nothing to ``reporters`` or the priority; earlier reports the detector re-labels are marked too and
their open cases recomputed.

**Rate limit.** A user reporter whose limit (:mod:`khien.reports.outcomes`) has not ended gets a
429 naming the report (``reports[3].reporter``) and the time it ends. A request is all or nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import urlsplit

from ..access.names import clean_name, name_key
from ..audit import AuditEvent, record_many
from ..review import accounts
from ..audit import events as ev
from ..clock import SYSTEM, Clock, iso, parse_iso
from ..enums import Action, ReportSource, SubjectKind
from ..errors import ConflictError, InputError, NotFoundError
from ..model import MAX_PLATFORM
from ..policy import Policy
from ..review.actor import Actor
from ..store import Tx
from ..store import items as item_rows
from ..store import reports as rows
from ..store import review as review_rows
from ..store.records import Case, NewCase
from ..store.records_reports import NewReport, ReporterRecord, track_weight
from ..strict import nearest
from .desk import ReportDesk, event_of, target_of
from .rules import FLAGGER_WEIGHT, MAX_EVIDENCE, MAX_ID, MAX_STATEMENT, MAX_URL, ReporterLimited, ReportRules

__all__ = ["ReportIn", "Received", "parse_report", "parse_body", "submit", "recompute", "grow", "priority_of",
           "ORIGIN_PREFIX"]

ORIGIN_PREFIX = "reports:"
_FIELDS = {"platform", "reporter", "flagger", "subject", "category", "statement", "evidence"}


@dataclass(frozen=True, slots=True)
class ReportIn:
    """One report as sent, checked for shape (the store checks the rest in :func:`submit`)."""

    platform: str
    reporter_id: str | None
    reporter_created_ts: float | None
    flagger: str | None
    subject_kind: SubjectKind
    subject_id: str
    category: str
    statement: str
    evidence: tuple[str, ...]
    where: str = ""  # "reports[3]" in a batch

    def field(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name


def _err(where: str, name: str, message: str, hint: str | None = None) -> InputError:
    path = f"{where}.{name}" if where else name
    return InputError(f"field '{path}' {message}", field=path, hint=hint)


def _text(data: dict[str, Any], key: str, where: str, *, limit: int, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise _err(where, key, "is required")
        return None
    if not isinstance(value, str):
        raise _err(where, key, f"must be a string, found {type(value).__name__}")
    if required and not value.strip():
        raise _err(where, key, "must not be empty")
    if len(value) > limit:
        raise _err(where, key, f"must be at most {limit} characters, found {len(value)}")
    return value


def _url(value: Any, where: str, n: int) -> str:
    name = f"evidence[{n}]"
    if not isinstance(value, str):
        raise _err(where, name, f"must be a URL string, found {type(value).__name__}")
    if len(value) > MAX_URL:
        raise _err(where, name, f"must be at most {MAX_URL} characters, found {len(value)}")
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise _err(where, name, f"is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise _err(where, name, f"must be an http or https URL with a host, found {value[:80]!r}")
    return value


def parse_report(data: Any, policy: Policy, where: str = "") -> ReportIn:
    """One report object, strictly: unknown fields, wrong types, an unknown category (with the nearest
    one), a bad evidence link or an over-long statement are an :class:`InputError` naming the field."""
    if not isinstance(data, dict):
        raise InputError(f"{where or 'the body'} must be an object, found {type(data).__name__}",
                         field=where or "body")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        guess = nearest(unknown[0], _FIELDS)
        raise _err(where, unknown[0], "is not a report field" + (f"; did you mean '{guess}'?" if guess else ""))
    platform = _text(data, "platform", where, limit=MAX_PLATFORM, required=False) or ""
    reporter, flagger = data.get("reporter"), data.get("flagger")
    if (reporter is None) == (flagger is None):
        raise _err(where, "reporter", "or 'flagger' is required (exactly one): who sends the report",
                   hint="A platform user: {\"reporter\": {\"id\": \"u123\"}}; a trusted flagger: {\"flagger\": \"NAME\"}.")
    reporter_id, created_ts = None, None
    if reporter is not None:
        if not isinstance(reporter, dict):
            raise _err(where, "reporter", f"must be an object {{\"id\", \"created_at\"}}, found {type(reporter).__name__}")
        extra = sorted(set(reporter) - {"id", "created_at"})
        if extra:
            raise _err(where, f"reporter.{extra[0]}", "is not a reporter field (id, created_at)")
        reporter_id = _text(reporter, "id", f"{where}.reporter" if where else "reporter", limit=MAX_ID)
        created = _text(reporter, "created_at", f"{where}.reporter" if where else "reporter", limit=40,
                        required=False)
        if created is not None:
            try:
                created_ts = parse_iso(created)
            except ValueError:
                raise _err(where, "reporter.created_at", f"must be an ISO 8601 time, found {created!r}") from None
    else:
        if not isinstance(flagger, str):
            raise _err(where, "flagger", f"must be the trusted flagger's name, found {type(flagger).__name__}")
        flagger = clean_name(flagger, field=f"{where}.flagger" if where else "flagger")
    subject = data.get("subject")
    if not isinstance(subject, dict) or len(subject) != 1 or next(iter(subject)) not in ("item", "account"):
        raise _err(where, "subject", "must be {\"item\": \"<item id>\"} or {\"account\": \"<author id>\"}")
    kind = SubjectKind(next(iter(subject)))
    subject_id = _text(subject, kind.value, f"{where}.subject" if where else "subject", limit=MAX_ID)
    category = _text(data, "category", where, limit=40)
    if category not in policy.categories:
        guess = nearest(category or "", policy.categories)
        raise _err(where, "category", f"must be a policy category, found {category!r}"
                   + (f"; did you mean '{guess}'?" if guess else ""),
                   hint="Categories: " + ", ".join(sorted(policy.categories)) + ".")
    statement = _text(data, "statement", where, limit=MAX_STATEMENT, required=False) or ""
    evidence = data.get("evidence") or []
    if not isinstance(evidence, list):
        raise _err(where, "evidence", f"must be a list of URLs, found {type(evidence).__name__}")
    if len(evidence) > MAX_EVIDENCE:
        raise _err(where, "evidence", f"may hold at most {MAX_EVIDENCE} links, found {len(evidence)}")
    urls = tuple(_url(u, where, n) for n, u in enumerate(evidence))
    return ReportIn(platform=platform, reporter_id=reporter_id, reporter_created_ts=created_ts, flagger=flagger,
                    subject_kind=kind, subject_id=subject_id or "", category=category or "", statement=statement,
                    evidence=urls, where=where)


def parse_body(data: Any, policy: Policy, rules: ReportRules) -> tuple[list[ReportIn], bool]:
    """A request body: one report, or ``{"reports": [...]}`` (at most ``rules.max_batch``).
    Returns the reports and whether the body was a batch."""
    if isinstance(data, dict) and "reports" in data:
        extra = sorted(set(data) - {"reports"})
        if extra:
            raise InputError(f"unknown field '{extra[0]}'; a batch has one field, 'reports'", field=extra[0])
        batch = data["reports"]
        if not isinstance(batch, list) or not batch:
            raise InputError("field 'reports' must be a non-empty list of reports", field="reports")
        if len(batch) > rules.max_batch:
            raise InputError(f"field 'reports' has {len(batch)} reports; the limit is {rules.max_batch} a request",
                             field="reports", hint="Send them in several requests.")
        return [parse_report(r, policy, f"reports[{n}]") for n, r in enumerate(batch)], True
    return [parse_report(data, policy)], False


@dataclass(frozen=True, slots=True)
class Received:
    """What ``POST /v1/reports`` answers: the new report ids (in the order sent) and their cases."""

    ids: tuple[int, ...]
    cases: tuple[int, ...]
    batch: bool

    def public(self) -> dict[str, Any]:
        if not self.batch:
            return {"id": self.ids[0], "case": self.cases[0], "state": "open"}
        return {"ids": list(self.ids), "cases": list(self.cases), "accepted": len(self.ids)}


def priority_of(severity: int, reach: int, weight: float) -> float:
    """severity × ln(e + reach) × (1 + ln(1 + W)): the reporter factor is 1 with nobody counted."""
    return float(severity) * math.log(math.e + max(0, reach)) * (1.0 + math.log1p(max(0.0, weight)))


def recompute(tx: Tx, policy: Policy, cases: dict[int, Case], *, now: float) -> None:
    """Recompute ``priority_base``, ``reporters`` and ``category`` of open report cases (the sums
    are done by the database: a few small queries whatever the number of reports, one update)."""
    if not cases:
        return
    found = rows.case_weights(tx, list(cases))
    accuracy = rows.flagger_accuracy(tx, sorted({f for _n, _w, fs, _c in found.values() for f in fs}))
    changes = []
    for cid, case in cases.items():
        users, weight, flagger_ids, categories = found[cid]
        weight += sum(FLAGGER_WEIGHT * track_weight(accuracy[f].upheld, accuracy[f].rejected) for f in flagger_ids)
        severity, category = case.severity, case.category
        ranked = sorted(((policy.categories[c].severity, c) for c in categories if c in policy.categories),
                        key=lambda sc: (-sc[0], sc[1]))
        if ranked:
            severity, category = ranked[0]
        changes.append((cid, priority_of(severity, case.reach, weight), users + len(flagger_ids), category, severity))
    rows.set_case_priorities(tx, changes)


def _weight_in(case: Case) -> float:
    """The reporter weight ``W`` a case's ``priority_base`` holds (the inverse of :func:`priority_of`)."""
    base = float(case.severity) * math.log(math.e + max(0, case.reach))
    if base <= 0:
        return 0.0
    return max(0.0, math.exp(case.priority_base / base - 1.0) - 1.0)


def grow(tx: Tx, policy: Policy, cases: dict[int, Case], joined: Sequence[tuple[int, NewReport, bool]],
         records: dict[tuple[str, str], ReporterRecord], *, first_id: int) -> None:
    """Add this request's reports (``(case_id, report, suspicious)``) to open cases without reading
    their earlier reports: a reporter not counted yet adds their weight (as of now) to the ``W`` the
    case's priority holds and one to ``reporters``; a more severe category raises the severity.
    The same result as :func:`recompute` while no counted reporter's record changed; a re-label
    (which removes reporters) recomputes instead."""
    fresh = [(cid, n) for cid, n, suspicious in joined if cid in cases and not suspicious]
    if not fresh:
        return
    users = [(n.platform, n.reporter_id) for _c, n in fresh if n.reporter_id is not None]
    flagger_ids = sorted({n.flagger_id for _c, n in fresh if n.flagger_id is not None})
    seen = rows.counted_reporters(tx, sorted({c for c, _n in fresh}), users=users, flaggers=flagger_ids,
                                  before_id=first_id)
    accuracy = rows.flagger_accuracy(tx, flagger_ids)
    state = {cid: [_weight_in(c), c.reporters, c.severity, c.category] for cid, c in cases.items()}
    changed: set[int] = set()
    for cid, n in fresh:
        key = f"flagger:{n.flagger_id}" if n.flagger_id is not None else f"{n.platform}:{n.reporter_id}"
        s = state[cid]
        if (cid, key) not in seen:
            seen.add((cid, key))
            if n.flagger_id is not None:
                acc = accuracy[n.flagger_id]
                s[0] += FLAGGER_WEIGHT * track_weight(acc.upheld, acc.rejected)
            else:
                rec = records.get((n.platform, n.reporter_id or ""))
                s[0] += track_weight(rec.upheld, rec.rejected) if rec else 1.0
            s[1] += 1
            changed.add(cid)
        severity = policy.categories[n.category].severity
        if severity > s[2] or (severity == s[2] and n.category < (s[3] or n.category)):  # recompute's order
            s[2], s[3] = severity, n.category
            changed.add(cid)
    rows.set_case_priorities(tx, [(cid, priority_of(state[cid][2], cases[cid].reach, state[cid][0]), state[cid][1],
                                   state[cid][3], state[cid][2]) for cid in sorted(changed)])


def _check_store(tx: Tx, reports: Sequence[ReportIn], now: float) -> tuple[dict[str, int], dict[tuple[str, str], tuple[int, int]], dict]:
    """Flaggers by name, stored items (version, reach), reporter records; 404/422/429 as the API answers."""
    flaggers: dict[str, int] = {}
    for r in reports:
        if r.flagger is not None and r.flagger not in flaggers:
            found = rows.live_flagger(tx, name_key(r.flagger))
            if found is None:
                names = [f.name for f in rows.list_flaggers(tx)]
                guess = nearest(r.flagger, names)
                raise InputError(f"field '{r.field('flagger')}': {r.flagger!r} is not a trusted flagger"
                                 + (f"; did you mean '{guess}'?" if guess else ""), field=r.field("flagger"),
                                 hint="An admin registers trusted flaggers with 'khien flaggers add'.")
            flaggers[r.flagger] = found.id
    wanted = [(r.platform, r.subject_id) for r in reports if r.subject_kind == SubjectKind.ITEM]
    stored = rows.item_reach(tx, wanted)
    for r in reports:
        if r.subject_kind == SubjectKind.ITEM and (r.platform, r.subject_id) not in stored:
            raise NotFoundError(
                f"item {r.subject_id!r}{' on ' + r.platform if r.platform else ''} is not stored "
                f"(field '{r.field('subject.item')}')", field=r.field("subject.item"),
                hint="The platform must send the item first (POST /v1/items or /v1/moderate), then the report; "
                     "or report the account with {\"account\": \"<author id>\"}.")
    records = rows.reporter_records(tx, [(r.platform, r.reporter_id) for r in reports if r.reporter_id])
    for r in reports:
        rec = records.get((r.platform, r.reporter_id or ""))
        if rec is not None and rec.limited_until is not None and rec.limited_until > now:
            raise ReporterLimited(
                f"reporter {r.reporter_id!r}{' on ' + r.platform if r.platform else ''} may not report until "
                f"{iso(rec.limited_until)} (field '{r.field('reporter')}'): {rec.rejected} of their "
                f"{rec.answered} answered reports were rejected",
                field=r.field("reporter"), retry_after=max(1.0, rec.limited_until - now),
                hint="Reporters whose reports are repeatedly rejected are limited for a while (DSA Art. 23); "
                     "the limit ends by itself.")
    return flaggers, stored, records


def _age(report: ReportIn, record: ReporterRecord | None, now: float) -> float | None:
    """How old the reporting account is: from the creation time the report gives, else the one
    stored for the reporter (as a rebuilt detector reads it), else unknown."""
    created = report.reporter_created_ts
    if created is None and record is not None:
        created = record.account_created_ts
    return max(0.0, now - created) if created is not None else None


def submit(tx: Tx, desk: ReportDesk, policy: Policy, actor: Actor, reports: Sequence[ReportIn], *,
           batch: bool = True, clock: Clock = SYSTEM) -> Received:
    """Store reports, judge them for mass reporting, group them into report cases and recompute the
    cases' priority, in ``tx``. 404 an item report on an item not stored, 422 an unknown flagger,
    429 a limited reporter; nothing is stored then."""
    now = clock.now()
    when = iso(now)
    flaggers, stored, records = _check_store(tx, reports, now)
    desk.load(tx, now)  # before this request's rows exist, so they are not replayed
    new = [NewReport(
        platform=r.platform, source=ReportSource.FLAGGER if r.flagger else ReportSource.USER,
        reporter_id=r.reporter_id, flagger_id=flaggers.get(r.flagger) if r.flagger else None,
        subject_kind=r.subject_kind, subject_id=r.subject_id,
        item_version=stored[(r.platform, r.subject_id)][0] if r.subject_kind == SubjectKind.ITEM else None,
        category=r.category, statement=r.statement, evidence=r.evidence, created_at=when, created_ts=now,
    ) for r in reports]
    ids = rows.insert_reports(tx, new)
    reporter_keys = [f"flagger:{n.flagger_id}" if n.flagger_id is not None else f"{n.platform}:{n.reporter_id}"
                     for n in new]
    targets = [target_of(n.subject_kind, n.platform, n.subject_id) for n in new]
    observed = desk.observe([event_of(
        None, report_id=i, reporter=key, target=t, category=r.category, ts=now, statement=r.statement,
        record=records.get((r.platform, r.reporter_id or "")),
        age_s=_age(r, records.get((r.platform, r.reporter_id or "")), now),
    ) for i, key, t, r in zip(ids, reporter_keys, targets, reports)])

    # group: the open report case of each subject, or a new one opened by its first report here
    subjects = [(n.subject_kind.value, n.platform, n.subject_id) for n in new]
    open_cases = rows.open_report_cases(tx, subjects)
    missing: dict[tuple[str, str, str], tuple[int, NewReport]] = {}
    for i, n, s in zip(ids, new, subjects):
        if s not in open_cases and s not in missing:
            missing[s] = (i, n)
    in_force = item_rows.decisions_in_force(tx, [(n.platform, n.subject_id, n.item_version or 0)
                                                 for _i, n in missing.values() if n.item_version])
    named = [(n.platform, n.subject_id) for _i, n in missing.values() if n.subject_kind == SubjectKind.ACCOUNT]
    created = accounts.reported(tx, named, actor=actor.name, when=when)  # a case needs the account's record
    followers = rows.account_followers(tx, named)
    to_open = []
    for s, (first, n) in missing.items():
        decision = in_force.get((n.platform, n.subject_id, n.item_version or 0))
        reach = stored[(n.platform, n.subject_id)][1] if n.item_version else followers.get((n.platform, n.subject_id), 0)
        severity = policy.categories[n.category].severity
        to_open.append(NewCase(
            platform=n.platform, item_id=n.subject_id, origin=f"{ORIGIN_PREFIX}{first}", category=n.category,
            proposed_action=decision.action if decision else Action.REVIEW.value,
            decision_id=decision.id if decision else None, severity=severity, reach=reach,
            priority_base=priority_of(severity, reach, 0.0), created_at=when, created_ts=now,
            item_version=n.item_version or 0, subject_kind=n.subject_kind))
    opened = review_rows.insert_cases(tx, to_open, any_clash=True)
    if len(opened) < len(to_open):  # another request opened the subject's case meanwhile: join it
        won = {(nc.subject_kind.value, nc.platform, nc.item_id) for nc in opened.values()}
        late = [s for s in missing if s not in won]
        open_cases.update(rows.open_report_cases(tx, late))
        if any(s not in open_cases for s in late):
            raise ConflictError("reports on the same subject were being grouped at the same moment; send them again")
    events: list[AuditEvent] = []
    for cid, nc in opened.items():
        s = (nc.subject_kind.value, nc.platform, nc.item_id)
        open_cases[s] = Case(id=cid, platform=nc.platform, item_id=nc.item_id, origin=nc.origin,
                             category=nc.category, proposed_action=nc.proposed_action, decision_id=nc.decision_id,
                             legal_request_id=None, severity=nc.severity, reach=nc.reach,
                             priority_base=nc.priority_base, state=review_rows.OPEN, created_at=when,
                             created_ts=now, claimed_by=None, claim_expires_ts=None, decided_by=None,
                             decided_at=None, outcome_decision_id=None, item_version=nc.item_version,
                             subject_kind=nc.subject_kind)
        events.append(AuditEvent(actor.name, f"case:{cid}", ev.CaseOpened(
            item=nc.item_id, platform=nc.platform, category=nc.category, proposed_action=nc.proposed_action,
            origin=nc.origin)))
    case_ids = [open_cases[s].id for s in subjects]
    rows.set_groups(tx, [(i, c, v.suspicious, v.ring) for i, c, v in zip(ids, case_ids, observed.verdicts)])

    touched: dict[int, Case] = {open_cases[s].id: open_cases[s] for s in subjects}
    full = set(opened)  # new cases are small: recomputed; earlier ones grow (see grow)
    ring_counts: Counter[str] = Counter(v.ring for v in observed.verdicts if v.ring)
    marks = {v.report_id: v.ring for v in observed.relabelled if v.ring}
    relabelled = rows.mark_suspicious(tx, marks)
    for r in relabelled:
        ring_counts[marks[r.id]] += 1
        if r.case_id is not None and r.case_id not in full:
            case = touched.get(r.case_id) or review_rows.get_case(tx, r.case_id, now=now)
            if case is not None and case.state == review_rows.OPEN:
                touched[r.case_id] = case
                full.add(r.case_id)
    counts: dict[tuple[str, str], list[int]] = {}
    for n, v in zip(new, observed.verdicts):
        if n.reporter_id is not None:
            c = counts.setdefault((n.platform, n.reporter_id), [0, 0])
            c[0] += 1
            c[1] += int(v.suspicious)
    for r in relabelled:
        if r.reporter_id is not None:
            counts.setdefault((r.platform, r.reporter_id), [0, 0])[1] += 1
    # a creation time given is kept, so the detector rebuilt after a restart sees the same ages (ReportDesk.load)
    born = {(r.platform, r.reporter_id): r.reporter_created_ts for r in reports
            if r.reporter_id and r.reporter_created_ts is not None}
    rows.count_reporters(tx, [(p, rid, now, n, s, born.get((p, rid))) for (p, rid), (n, s) in counts.items()])
    recompute(tx, policy, {c: touched[c] for c in full if c in touched}, now=now)
    grow(tx, policy, {c: case for c, case in touched.items() if c not in full},
         [(c, n, v.suspicious) for c, n, v in zip(case_ids, new, observed.verdicts)], records, first_id=ids[0])

    suspicious = sum(v.suspicious for v in observed.verdicts)
    events.append(AuditEvent(actor.name, f"reports:{ids[0]}", ev.ReportsReceived(
        count=len(ids), users=sum(n.source == ReportSource.USER for n in new),
        flaggers=sum(n.source == ReportSource.FLAGGER for n in new), suspicious=suspicious,
        categories=tuple(sorted({n.category for n in new})), cases=tuple(sorted(set(case_ids))),
        by_category=dict(sorted(Counter(n.category for n in new).items())))))
    for ring, target in observed.new_rings.items():
        events.append(AuditEvent("system:rings", f"ring:{ring}", ev.RingDetected(
            target=target, reports=ring_counts.get(ring, 0))))
    record_many(tx, created + events, time=when)
    return Received(ids=tuple(ids), cases=tuple(case_ids), batch=batch)

