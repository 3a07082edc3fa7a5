"""A demo database for a look at the console: decided examples, open cases, two demo moderators.

``khien demo-setup`` (and so ``make demo``) is a thin wrapper over :func:`setup_demo`. Running it
again on the same database is safe: stored items are not stored twice, the sample appeal is filed
once, and the demo moderators keep their accounts but get the new password (the result says whose
password was replaced, so the CLI can tell the user).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .clock import SYSTEM, Clock
from .errors import ConflictError, InputError, KhienError
from .model import Item
from .run.sources import decode_record, detect_format, read_records

if TYPE_CHECKING:
    from .engine import Engine
    from .store import Store

__all__ = ["DEMO_USERS", "DemoResult", "read_items", "setup_demo"]

DEMO_USERS = ("lan", "minh")
DEMO_ACTOR = "demo-setup"
SAMPLE_APPEAL = ("Tôi chỉ chia sẻ lại để cảnh báo mọi người, không phải quảng cáo. "
                 "Xin xem xét lại quyết định gỡ bài.")
# Sample user reports (what people write when they press "Báo cáo") and the note of the sample
# account case; filed once, on the first run that finds no report in the database.
SAMPLE_REPORTS = ("Bài này dụ chuyển khoản trước, mình mất 300 nghìn rồi",
                  "Lừa đảo, bắt nộp phí kích hoạt tài khoản rồi chặn liên lạc",
                  "Tài khoản này đăng tin tuyển cộng tác viên giả, nhiều người trong nhóm bị lừa")
SAMPLE_ACCOUNT_NOTE = "Nhiều người báo tài khoản này đăng tin tuyển cộng tác viên đòi nộp tiền trước"


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What :func:`setup_demo` did."""

    stored: int  # items stored by this run
    duplicates: int  # items that were already stored
    decided: int  # items the engine decided in this run
    open_cases: int
    open_appeals: int
    appeal_filed: bool  # the sample appeal was filed by this run
    reports_filed: int  # sample user reports filed by this run
    account_case: int | None  # the sample account case opened by this run
    users: tuple[str, ...]  # the demo moderators
    password: str  # their password (given, or made up by this run)
    password_reset: tuple[str, ...]  # demo moderators that existed already and got the new password


def read_items(path: str | Path) -> list[Item]:
    """Every item of a JSONL or CSV file, read by the runners' readers (``run/sources.py``).

    Unlike ``khien scan``, which reports a bad line and goes on, the demo wants the whole file:
    the first bad line raises :class:`InputError` naming ``path:line``.
    """
    source = str(path)
    items = []
    for lineno, payload in read_records(source, detect_format(source)):
        try:
            items.append(decode_record(payload))
        except KhienError as exc:
            raise InputError(f"{source}:{lineno}: {exc}") from None
    return items


def _author_id(body: str | None) -> str | None:
    import orjson

    author = orjson.loads(body).get("author") if body else None
    return str(author["id"]) if isinstance(author, dict) and author.get("id") else None


def _sample_reports(store: "Store", engine: "Engine", clock: Clock) -> tuple[int, int | None]:
    """Three users report the first scam the engine sent to review, and a moderator opens a case on
    its author's account: what a reports queue and an account page look like. Once per database."""
    from .reports import intake as report_intake
    from .reports.desk import ReportDesk
    from .reports.reads import list_reports
    from .review import accounts, queries
    from .review.actor import Actor

    with store.write() as tx:
        if list_reports(tx, limit=1):
            return 0, None
        target, author = next(((c, a) for c in queries.queue(tx, clock=clock, limit=200)
                               if c.category == "scam" and c.platform and (a := _author_id(c.item_body))),
                              (None, None))
        if target is None or author is None:
            return 0, None
        bodies = [{"platform": target.platform, "reporter": {"id": f"demo-nguoi-dung-{n}"},
                   "subject": {"item": target.item_id}, "category": "scam", "statement": text}
                  for n, text in enumerate(SAMPLE_REPORTS)]
        reports = [report_intake.parse_report(b, engine.policy) for b in bodies]
        report_intake.submit(tx, ReportDesk(), engine.policy, Actor("demo-platform", "ingest"), reports, clock=clock)
        case_id = None
        for row in queries.queue(tx, clock=clock, limit=200):  # an author with no open account case yet
            other = _author_id(row.item_body)
            if row.category != "scam" or not row.platform or other is None:
                continue
            try:
                case_id = accounts.open_manual_case(tx, engine.policy, Actor("lan", "moderator"), row.platform,
                                                    other, note=SAMPLE_ACCOUNT_NOTE, category="scam",
                                                    clock=clock).id
                break
            except ConflictError:  # refused before writing anything: try the next author
                continue
    return len(reports), case_id


def setup_demo(store: "Store | str", items: Sequence[Item], *, password: str | None = None, appeal: bool = True,
               engine: "Engine | None" = None, clock: Clock = SYSTEM) -> DemoResult:
    """Store and decide ``items``, make (or reset) the demo moderators, file one sample appeal.

    ``store`` is an open store at the current schema, or a database URL (opened and migrated
    here, so callers above the store layer need not import it). ``password`` defaults to a new
    random one. The sample appeal is filed against the first open removal case,
    and only when the database has no appeal yet.
    """
    from .access import create_user, find_user, set_password
    from .engine import Engine
    from .review import appeals, intake, queries
    from .review.actor import Actor
    from .store import open_store

    if isinstance(store, str):
        store = open_store(store, upgrade=True)
    engine = engine or Engine.from_policy()
    with store.write() as tx:
        stored = intake.ingest(tx, list(items), Actor(DEMO_ACTOR, "ingest"))
    decided = 0
    while n := intake.decide_pending(store, engine, limit=500):
        decided += n
    password = password or secrets.token_urlsafe(9)
    reset = []
    with store.write() as tx:
        for name in DEMO_USERS:
            if find_user(tx, name) is None:
                create_user(tx, name=name, role="moderator", password=password, actor=DEMO_ACTOR)
            else:
                set_password(tx, name, password, actor=DEMO_ACTOR)
                reset.append(name)
    filed = False
    if appeal:
        with store.write() as tx:
            target = next(iter(queries.queue(tx, clock=clock, action="remove", limit=1)), None)
            if target and not appeals.list_appeals(tx, state=None, limit=1):
                appeals.submit(tx, Actor("demo-user", "ingest"), item_id=target.item_id,
                               platform=target.platform or None, statement=SAMPLE_APPEAL)
                filed = True
    reports_filed, account_case = _sample_reports(store, engine, clock) if appeal else (0, None)
    with store.read() as tx:
        counts = queries.counts(tx, clock=clock)
    return DemoResult(stored=stored.accepted, duplicates=stored.duplicates, decided=decided,
                      open_cases=counts.cases, open_appeals=counts.appeals, appeal_filed=filed,
                      reports_filed=reports_filed, account_case=account_case,
                      users=DEMO_USERS, password=password, password_reset=tuple(reset))
