"""Rows of user reports: reports, reporters' track records, trusted flaggers, report cases, reporter appeals.

The grouping rule lives in :mod:`khien.reports.intake`; these functions only read and write rows,
in batches where the intake path calls them per request (one query per batch, not per report).
"""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import and_, bindparam, case, func, or_, select, text, update

from ..enums import AppealState, Appellant, CaseState, ReportSource, ReportState
from .bulk import among, any_in, insert_rows, next_ids
from .db import Tx
from .records import Appeal, Case
from .records_reports import Flagger, FlaggerAccuracy, NewReport, Report, ReporterRecord
from .schema import accounts, appeals, cases, flaggers, items, reporters, reports

__all__ = [
    "insert_reports", "set_groups", "mark_suspicious", "get_report", "list_reports", "reports_in_case",
    "reporter_records", "count_reporters", "answer_reports", "add_answers", "set_limited",
    "open_report_cases", "case_weights", "counted_reporters", "set_case_priorities", "item_reach", "account_followers",
    "recent_reports", "last_report_id", "reports_after", "flagger_due",
    "insert_flagger", "list_flaggers", "live_flagger", "flaggers_by_id", "remove_flagger", "flagger_accuracy",
    "insert_reporter_appeal", "appeal_of_report", "report_of_appeal",
]

REPORT_ORIGIN = "reports:"


_STATEMENTS: dict[tuple[str, str], Any] = {}


def _cached(tx: Tx, name: str, build: Any) -> Any:
    """A statement built once per dialect (the intake path runs these per request: building them is
    most of their cost on SQLite)."""
    key = (tx.dialect, name)
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = _STATEMENTS[key] = build()
    return stmt


# PostgreSQL: a batch's updates as one statement over arrays (``unnest``), one round trip however
# many rows; the text is fixed, so it is parsed and planned like any cached statement.
_SET_GROUPS_PG = text(
    "UPDATE reports AS r SET case_id = v.case_id, suspicious = v.suspicious, ring = v.ring "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:cases AS integer[]), CAST(:susp AS boolean[]), "
    "CAST(:rings AS varchar[])) AS v(id, case_id, suspicious, ring) WHERE r.id = v.id")
_SET_PRIORITIES_PG = text(
    "UPDATE cases AS c SET priority_base = v.prio, reporters = v.n, category = v.cat, severity = v.sev "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:prios AS double precision[]), CAST(:counts AS integer[]), "
    "CAST(:cats AS varchar[]), CAST(:sevs AS integer[])) AS v(id, prio, n, cat, sev) "
    "WHERE c.id = v.id AND c.state = :open")

_COUNT_REPORTERS_PG = text(
    "INSERT INTO reporters (platform, reporter_id, first_ts, reports, suspicious, upheld, rejected, "
    "account_created_ts) SELECT p, r, f, n, s, 0, 0, c FROM unnest(CAST(:platforms AS varchar[]), "
    "CAST(:ids AS varchar[]), CAST(:firsts AS double precision[]), CAST(:ns AS integer[]), "
    "CAST(:susp AS integer[]), CAST(:created AS double precision[])) AS v(p, r, f, n, s, c) "
    "ON CONFLICT (platform, reporter_id) DO UPDATE SET reports = reporters.reports + excluded.reports, "
    "suspicious = reporters.suspicious + excluded.suspicious, "
    "account_created_ts = COALESCE(excluded.account_created_ts, reporters.account_created_ts)")

# ---- reports -----------------------------------------------------------------------------------

def insert_reports(tx: Tx, new: Sequence[NewReport]) -> list[int]:
    """Insert reports (open, not grouped yet); returns their ids in the order given."""
    if not new:
        return []
    if tx.dialect == "postgresql" and len(new) > 8:  # ids first, then one array insert (see khien.store.bulk)
        ids = next_ids(tx, reports, len(new))
        insert_rows(tx, reports, [{"id": i, **n.row()} for i, n in zip(ids, new)])
        return ids
    result = tx.conn.execute(reports.insert().returning(reports.c.id, sort_by_parameter_order=True),
                             [n.row() for n in new])
    return [int(r.id) for r in result]


def set_groups(tx: Tx, groups: Sequence[tuple[int, int, bool, str | None]]) -> None:
    """Set each report's ``(id, case_id, suspicious, ring)``."""
    if not groups:
        return
    if tx.dialect == "postgresql":  # one statement: an executemany of UPDATEs is a round trip per row there
        ids, case_ids, susp, rings = (list(col) for col in zip(*groups))
        tx.conn.execute(_SET_GROUPS_PG, {"ids": ids, "cases": case_ids, "susp": susp, "rings": rings})
        return
    tx.conn.execute(
        _cached(tx, "set_groups", lambda: update(reports).where(reports.c.id == bindparam("b_id"))
                .values(case_id=bindparam("b_case"), suspicious=bindparam("b_susp"), ring=bindparam("b_ring"))),
        [{"b_id": i, "b_case": c, "b_susp": s, "b_ring": r} for i, c, s, r in groups],
    )


def mark_suspicious(tx: Tx, marks: dict[int, str]) -> list[Report]:
    """Mark earlier reports ``{id: ring}`` suspicious; returns those that were not marked before."""
    if not marks:
        return []
    rows = tx.conn.execute(select(reports).where(any_in(tx, reports.c.id, list(marks)), reports.c.suspicious.is_(False)))
    fresh = [Report.from_row(r) for r in rows]
    if fresh:
        tx.conn.execute(
            update(reports).where(reports.c.id == bindparam("b_id"))
            .values(suspicious=True, ring=bindparam("b_ring")),
            [{"b_id": r.id, "b_ring": marks[r.id]} for r in fresh],
        )
    return fresh


def get_report(tx: Tx, report_id: int) -> Report | None:
    row = tx.conn.execute(select(reports).where(reports.c.id == report_id)).first()
    return Report.from_row(row) if row else None


def list_reports(tx: Tx, *, state: ReportState | None = None, source: ReportSource | None = None,
                 suspicious: bool | None = None, platform: str | None = None, subject_kind: str | None = None,
                 subject_id: str | None = None, case_id: int | None = None, limit: int = 50,
                 offset: int = 0) -> list[Report]:
    """Reports, newest first, filtered."""
    stmt = select(reports)
    if state:
        stmt = stmt.where(reports.c.state == ReportState(state).value)
    if source:
        stmt = stmt.where(reports.c.source == ReportSource(source).value)
    if suspicious is not None:
        stmt = stmt.where(reports.c.suspicious.is_(suspicious))
    if platform is not None:
        stmt = stmt.where(reports.c.platform == platform)
    if subject_kind:
        stmt = stmt.where(reports.c.subject_kind == subject_kind)
    if subject_id is not None:
        stmt = stmt.where(reports.c.subject_id == subject_id)
    if case_id is not None:
        stmt = stmt.where(reports.c.case_id == case_id)
    stmt = stmt.order_by(reports.c.id.desc()).limit(limit).offset(offset)
    return [Report.from_row(r) for r in tx.conn.execute(stmt)]


def reports_in_case(tx: Tx, case_id: int) -> list[Report]:
    rows = tx.conn.execute(select(reports).where(reports.c.case_id == case_id).order_by(reports.c.id))
    return [Report.from_row(r) for r in rows]


def answer_reports(tx: Tx, answers: Sequence[tuple[int, str, str, int | None, str, float]]) -> None:
    """Record each ``(id, state, reasons_json, decision_id, answered_at, answered_ts)``."""
    if not answers:
        return
    tx.conn.execute(
        update(reports).where(reports.c.id == bindparam("b_id")).values(
            state=bindparam("b_state"), reasons=bindparam("b_reasons"), outcome_decision_id=bindparam("b_dec"),
            answered_at=bindparam("b_at"), answered_ts=bindparam("b_ts")),
        [{"b_id": i, "b_state": s, "b_reasons": r, "b_dec": d, "b_at": at, "b_ts": ts}
         for i, s, r, d, at, ts in answers],
    )


def recent_reports(tx: Tx, *, since_ts: float, limit: int) -> list[Report]:
    """The last ``limit`` reports received at or after ``since_ts``, oldest first (the detector's rebuild)."""
    rows = list(tx.conn.execute(select(reports).where(reports.c.created_ts >= since_ts)
                                .order_by(reports.c.id.desc()).limit(limit)))
    return [Report.from_row(r) for r in reversed(rows)]


def last_report_id(tx: Tx) -> int:
    return int(tx.conn.execute(select(func.coalesce(func.max(reports.c.id), 0))).scalar_one())


def reports_after(tx: Tx, after_id: int, also: Sequence[int], *, limit: int) -> list[Report]:
    """Reports with an id above ``after_id`` or among ``also``, by id (a ring detector catching up
    with what other processes stored)."""
    where = reports.c.id > after_id
    if also:
        where = or_(where, any_in(tx, reports.c.id, list(also)))
    rows = tx.conn.execute(select(reports).where(where).order_by(reports.c.id).limit(limit))
    return [Report.from_row(r) for r in rows]


# ---- reporters ---------------------------------------------------------------------------------

def reporter_records(tx: Tx, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], ReporterRecord]:
    """Track records of ``(platform, reporter_id)`` pairs (those never seen are absent). One query."""
    if not keys:
        return {}
    wanted = set(keys)
    rows = tx.conn.execute(select(reporters).where(among(tx, (reporters.c.platform, reporters.c.reporter_id), keys)))
    return {(r.platform, r.reporter_id): ReporterRecord.from_row(r) for r in rows
            if (r.platform, r.reporter_id) in wanted}


def count_reporters(tx: Tx, counts: Sequence[tuple[str, str, float, int, int, float | None]]) -> None:
    """Add ``(platform, reporter_id, first_ts, reports, suspicious, account_created_ts)`` to reporters'
    rows (created if new). A creation time given replaces the stored one (the last one wins: a
    detector rebuilt after a restart reads it); None keeps it. One statement."""
    if not counts:
        return
    if tx.dialect == "postgresql":  # one statement over arrays (an executemany is a round trip per row)
        platforms, ids, firsts, ns, susp, created = (list(col) for col in zip(*counts))
        tx.conn.execute(_COUNT_REPORTERS_PG, {"platforms": platforms, "ids": ids, "firsts": firsts, "ns": ns,
                                              "susp": susp, "created": created})
        return

    def build() -> Any:
        stmt = tx.insert(reporters)
        return stmt.on_conflict_do_update(
            index_elements=["platform", "reporter_id"],
            set_={"reports": reporters.c.reports + stmt.excluded.reports,
                  "suspicious": reporters.c.suspicious + stmt.excluded.suspicious,
                  "account_created_ts": func.coalesce(stmt.excluded.account_created_ts,
                                                      reporters.c.account_created_ts)},
        )

    tx.conn.execute(_cached(tx, "count_reporters", build), [
        {"platform": p, "reporter_id": r, "first_ts": ts, "reports": n, "suspicious": s, "upheld": 0, "rejected": 0,
         "account_created_ts": c} for p, r, ts, n, s, c in counts])


def add_answers(tx: Tx, changes: Sequence[tuple[str, str, int, int]]) -> None:
    """Add ``(platform, reporter_id, upheld, rejected)`` deltas to reporters' track records."""
    if not changes:
        return
    tx.conn.execute(
        update(reporters).where(reporters.c.platform == bindparam("b_p"), reporters.c.reporter_id == bindparam("b_r"))
        .values(upheld=reporters.c.upheld + bindparam("b_u"), rejected=reporters.c.rejected + bindparam("b_x")),
        [{"b_p": p, "b_r": r, "b_u": u, "b_x": x} for p, r, u, x in changes],
    )


def set_limited(tx: Tx, platform: str, reporter_id: str, until: float) -> None:
    tx.conn.execute(update(reporters).where(reporters.c.platform == platform, reporters.c.reporter_id == reporter_id)
                    .values(limited_until=until))


# ---- report cases ------------------------------------------------------------------------------

def open_report_cases(tx: Tx, subjects: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], Case]:
    """The open report case of each ``(subject_kind, platform, id)`` that has one. One query."""
    if not subjects:
        return {}
    wanted = set(subjects)
    rows = tx.conn.execute(
        select(cases).where(among(tx, (cases.c.subject_kind, cases.c.platform, cases.c.item_id), subjects),
                            cases.c.state == CaseState.OPEN.value, cases.c.origin.startswith(REPORT_ORIGIN))
        .order_by(cases.c.id)
    )
    return {(r.subject_kind, r.platform, r.item_id): Case.from_row(r) for r in rows
            if (r.subject_kind, r.platform, r.item_id) in wanted}


def case_weights(tx: Tx, case_ids: Sequence[int]) -> dict[int, tuple[int, float, frozenset[int], frozenset[str]]]:
    """Per case, over its reports that are not suspicious: ``(distinct user reporters, the sum of
    their track weights, the flagger ids, the categories)``. Three small queries whatever the
    number of reports (the sums are done by the database): a user's weight is
    :func:`khien.store.records_reports.track_weight` of their record."""
    if not case_ids:
        return {}
    ids = list(case_ids)
    users = select(reports.c.case_id, reports.c.platform, reports.c.reporter_id).where(
        any_in(tx, reports.c.case_id, ids), reports.c.suspicious.is_(False), reports.c.reporter_id.is_not(None)
    ).distinct().subquery()
    upheld, rejected = func.coalesce(reporters.c.upheld, 0), func.coalesce(reporters.c.rejected, 0)
    weight = 2.0 * (upheld + 1.0) / (upheld + rejected + 2.0)
    out: dict[int, list[Any]] = {int(c): [0, 0.0, set(), set()] for c in ids}
    for cid, n, w in tx.conn.execute(
        select(users.c.case_id, func.count(), func.sum(weight))
        .select_from(users.outerjoin(reporters, and_(reporters.c.platform == users.c.platform,
                                                     reporters.c.reporter_id == users.c.reporter_id)))
        .group_by(users.c.case_id)
    ):
        out[int(cid)][0], out[int(cid)][1] = int(n), float(w or 0.0)
    for cid, fid, category in tx.conn.execute(
        select(reports.c.case_id, reports.c.flagger_id, reports.c.category)
        .where(any_in(tx, reports.c.case_id, ids), reports.c.suspicious.is_(False)).distinct()
    ):
        if fid is not None:
            out[int(cid)][2].add(int(fid))
        out[int(cid)][3].add(category)
    return {c: (n, w, frozenset(f), frozenset(cats)) for c, (n, w, f, cats) in out.items()}


def counted_reporters(tx: Tx, case_ids: Sequence[int], *, users: Sequence[tuple[str, str]], flaggers: Sequence[int],
                      before_id: int) -> set[tuple[int, str]]:
    """Which of ``users`` (platform, reporter id) and ``flaggers`` already count in which of
    ``case_ids`` (a report before ``before_id``, not suspicious): ``{(case_id, "platform:user" or
    "flagger:<id>")}``, possibly with extra pairs. Read through the reporter index, not the case's
    reports (a viral case has thousands)."""
    out: set[tuple[int, str]] = set()
    if not case_ids:
        return out
    cids = sorted(set(case_ids))
    if users:
        # ``case_id + 0``: the planner must not walk the case's reports by the case index
        for cid, platform, reporter in tx.conn.execute(
            select(reports.c.case_id, reports.c.platform, reports.c.reporter_id).where(
                among(tx, (reports.c.platform, reports.c.reporter_id), list(set(users))), reports.c.id < before_id,
                any_in(tx, reports.c.case_id + 0, cids), reports.c.suspicious.is_(False)).distinct()
        ):
            out.add((int(cid), f"{platform}:{reporter}"))
    if flaggers:
        for cid, fid in tx.conn.execute(
            select(reports.c.case_id, reports.c.flagger_id).where(
                any_in(tx, reports.c.flagger_id, sorted(set(flaggers))), reports.c.id < before_id,
                any_in(tx, reports.c.case_id, cids), reports.c.suspicious.is_(False)).distinct()
        ):
            out.add((int(cid), f"flagger:{fid}"))
    return out


def set_case_priorities(tx: Tx, changes: Sequence[tuple[int, float, int, str | None, int]]) -> None:
    """Set each open case's ``(id, priority_base, reporters, category, severity)``."""
    if not changes:
        return
    if tx.dialect == "postgresql":
        ids, prios, counts, cats, sevs = (list(col) for col in zip(*changes))
        tx.conn.execute(_SET_PRIORITIES_PG, {"ids": ids, "prios": prios, "counts": counts, "cats": cats,
                                             "sevs": sevs, "open": CaseState.OPEN.value})
        return
    tx.conn.execute(
        _cached(tx, "set_case_priorities", lambda: update(cases).where(
            cases.c.id == bindparam("b_id"), cases.c.state == CaseState.OPEN.value).values(
            priority_base=bindparam("b_prio"), reporters=bindparam("b_n"), category=bindparam("b_cat"),
            severity=bindparam("b_sev"))),
        [{"b_id": i, "b_prio": p, "b_n": n, "b_cat": c, "b_sev": s} for i, p, n, c, s in changes],
    )


def item_reach(tx: Tx, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
    """``(current version, reach)`` of each stored ``(platform, item_id)``. One query."""
    if not keys:
        return {}
    wanted = set(keys)
    rows = tx.conn.execute(select(items.c.platform, items.c.item_id, items.c.version, items.c.reach)
                           .where(among(tx, (items.c.platform, items.c.item_id), keys)))
    return {(p, i): (int(v), int(r or 0)) for p, i, v, r in rows if (p, i) in wanted}


def account_followers(tx: Tx, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Followers of each known ``(platform, author_id)`` account. One query."""
    if not keys:
        return {}
    wanted = set(keys)
    rows = tx.conn.execute(select(accounts.c.platform, accounts.c.author_id, accounts.c.followers)
                           .where(among(tx, (accounts.c.platform, accounts.c.author_id), keys)))
    return {(p, a): int(f or 0) for p, a, f in rows if (p, a) in wanted}


def flagger_due(tx: Tx, case_ids: Sequence[int]) -> dict[int, float]:
    """When each case with a flagger report is due: its earliest flagger report + that flagger's respond_hours."""
    if not case_ids:
        return {}
    due = func.min(reports.c.created_ts + flaggers.c.respond_hours * 3600.0)
    rows = tx.conn.execute(select(reports.c.case_id, due)
                           .select_from(reports.join(flaggers, flaggers.c.id == reports.c.flagger_id))
                           .where(any_in(tx, reports.c.case_id, list(case_ids))).group_by(reports.c.case_id))
    return {int(c): float(d) for c, d in rows}


# ---- trusted flaggers --------------------------------------------------------------------------

def insert_flagger(tx: Tx, *, name: str, name_key: str, organisation: str, contact: str | None,
                   respond_hours: int, created_by: str, created_at: str) -> int:
    return int(tx.conn.execute(flaggers.insert().values(
        name=name, name_key=name_key, organisation=organisation, contact=contact, respond_hours=respond_hours,
        created_by=created_by, created_at=created_at)).inserted_primary_key[0])


def list_flaggers(tx: Tx, *, include_removed: bool = False) -> list[Flagger]:
    stmt = select(flaggers)
    if not include_removed:
        stmt = stmt.where(flaggers.c.removed_at.is_(None))
    return [Flagger.from_row(r) for r in tx.conn.execute(stmt.order_by(flaggers.c.id))]


def live_flagger(tx: Tx, name_key: str) -> Flagger | None:
    row = tx.conn.execute(select(flaggers).where(flaggers.c.name_key == name_key,
                                                 flaggers.c.removed_at.is_(None))).first()
    return Flagger.from_row(row) if row else None


def flaggers_by_id(tx: Tx, ids: Sequence[int]) -> dict[int, Flagger]:
    if not ids:
        return {}
    rows = tx.conn.execute(select(flaggers).where(flaggers.c.id.in_(list(set(ids)))))
    return {int(r.id): Flagger.from_row(r) for r in rows}


def remove_flagger(tx: Tx, flagger_id: int, removed_at: str) -> bool:
    result = tx.conn.execute(update(flaggers).where(flaggers.c.id == flagger_id, flaggers.c.removed_at.is_(None))
                             .values(removed_at=removed_at))
    return result.rowcount == 1


def flagger_accuracy(tx: Tx, ids: Sequence[int]) -> dict[int, FlaggerAccuracy]:
    """Reports sent, upheld and rejected per flagger. One query."""
    if not ids:
        return {}
    upheld = func.sum(case((reports.c.state == ReportState.UPHELD.value, 1), else_=0))
    rejected = func.sum(case((reports.c.state == ReportState.REJECTED.value, 1), else_=0))
    rows = tx.conn.execute(select(reports.c.flagger_id, func.count(), upheld, rejected)
                           .where(reports.c.flagger_id.in_(list(set(ids)))).group_by(reports.c.flagger_id))
    found = {int(f): FlaggerAccuracy(int(n), int(u or 0), int(x or 0)) for f, n, u, x in rows}
    return {i: found.get(i, FlaggerAccuracy(0, 0, 0)) for i in ids}


# ---- reporter appeals --------------------------------------------------------------------------

def insert_reporter_appeal(tx: Tx, *, platform: str, item_id: str, statement: str, submitted_by: str,
                           original_decision_id: int, original_decider: str | None, created_at: str,
                           report_id: int) -> int:
    """File an open appeal by a reporter against a decision not to act on their report."""
    return int(tx.conn.execute(appeals.insert().values(
        platform=platform, item_id=item_id, statement=statement, submitted_by=submitted_by,
        original_decision_id=original_decision_id, original_decider=original_decider, created_at=created_at,
        state=AppealState.OPEN.value, appellant=Appellant.REPORTER.value, report_id=report_id,
    )).inserted_primary_key[0])


def appeal_of_report(tx: Tx, report_id: int) -> Appeal | None:
    """The appeal a reporter filed on their report (a report is contested at most once)."""
    row = tx.conn.execute(select(appeals).where(appeals.c.report_id == report_id).order_by(appeals.c.id)).first()
    return Appeal.from_row(row) if row else None


def report_of_appeal(tx: Tx, appeal_id: int) -> int | None:
    """The report a reporter's appeal contests (None for an author's appeal)."""
    row = tx.conn.execute(select(appeals.c.report_id).where(
        appeals.c.id == appeal_id, appeals.c.appellant == Appellant.REPORTER.value)).first()
    return int(row[0]) if row and row[0] is not None else None
