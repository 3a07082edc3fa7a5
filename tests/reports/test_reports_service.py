"""The reports service below the API: parsing, grouping and priority, mass reporting, the detector's
rebuild, answers and the reporter rate limit. Time is a FakeClock."""

from __future__ import annotations

import pytest

from khien.clock import FakeClock, iso
from khien.enums import ReportState
from khien.errors import InputError, NotFoundError
from khien.model import Item
from khien.reports import intake, outcomes, reads
from khien.reports.desk import ReportDesk
from khien.reports.intake import parse_report, priority_of
from khien.reports.rules import ReporterLimited, ReportRules
from khien.review import cases as case_service
from khien.review.actor import Actor
from khien.review.intake import moderate_many
from khien.store import reports as rows

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
PLATFORM = "mxh"
INGEST = Actor("nền tảng", "ingest", key_id=1)
MOD = Actor("an", "moderator", key_id=2)
RING_PASTE = "Tài khoản này phát tán tin giả, đề nghị khóa ngay"
HONEST = ["Trang này mạo danh ngân hàng, lừa chuyển tiền", "Mẹ mình bị trang này lừa mất 20 triệu",
          "Giả danh nhân viên Vietcombank gọi điện đòi mã OTP", "Shop nhận tiền cọc xong chặn liên lạc luôn"]


@pytest.fixture
def world(store, engine):
    clock = FakeClock(T0)
    texts = {"bao": "Bài phóng sự về ngập lụt ở Cần Thơ, mong chính quyền hỗ trợ bà con",
             "lua": "Nhận quà miễn phí, chuyển khoản phí ship 50k vào số tài khoản này, ib Zalo 0912345678",
             "meo": "Ảnh mèo nhà mình sáng nay, dễ thương không"}
    items = [Item.from_dict({"id": k, "platform": PLATFORM, "text": v, "reach": {"views": 500}})
             for k, v in texts.items()]
    with store.write() as tx:
        moderate_many(tx, engine.policy, [(i, engine.decide(i)) for i in items], clock=clock)
    return store, engine.policy, clock, ReportDesk()


def send(world, reports, rules=ReportRules()):
    store, policy, clock, desk = world
    with store.write() as tx:
        return intake.submit(tx, desk, policy, INGEST, reports, clock=clock)


def one(item="lua", reporter="u1", category="scam", statement="", created_at=None, flagger=None):
    body = {"platform": PLATFORM, "subject": {"item": item}, "category": category, "statement": statement}
    body |= {"flagger": flagger} if flagger else {"reporter": {"id": reporter} | (
        {"created_at": created_at} if created_at else {})}
    return body


def parsed(world, *bodies):
    return [parse_report(b, world[1], f"reports[{n}]") for n, b in enumerate(bodies)]


def case_of(world, case_id):
    store, _policy, clock, _desk = world
    with store.read() as tx:
        return case_service.get_case(tx, case_id, clock=clock).case


def test_parse_refuses_bad_fields_by_name(world):
    policy = world[1]
    with pytest.raises(InputError, match="did you mean 'harassment'") as e:
        parse_report(one(category="harasment"), policy)
    assert e.value.field == "category"
    with pytest.raises(InputError) as e:
        parse_report(one() | {"evidence": ["ftp://x.vn/a"]}, policy, "reports[2]")
    assert e.value.field == "reports[2].evidence[0]"
    with pytest.raises(InputError) as e:
        parse_report(one() | {"evidence": [f"https://x.vn/{n}" for n in range(11)]}, policy)
    assert e.value.field == "evidence"
    with pytest.raises(InputError) as e:
        parse_report(one() | {"subject": {"item": "a", "account": "b"}}, policy)
    assert e.value.field == "subject"
    with pytest.raises(InputError) as e:
        parse_report(one() | {"statment": "x"}, policy)
    assert "did you mean 'statement'" in e.value.message
    with pytest.raises(InputError) as e:
        parse_report(one(created_at="hôm qua"), policy)
    assert e.value.field == "reporter.created_at"
    with pytest.raises(InputError) as e:
        intake.parse_body({"reports": [one()] * 3}, policy, ReportRules(max_batch=2))
    assert e.value.field == "reports"


def test_priority_grows_with_distinct_reporters_and_their_record(world):
    assert priority_of(9, 500, 3) > priority_of(9, 500, 1) > priority_of(9, 500, 0)
    first = send(world, parsed(world, one(reporter="u1", statement=HONEST[0])))
    base = case_of(world, first.cases[0]).priority_base
    world[2].advance(900)
    send(world, parsed(world, one(reporter="u2", statement=HONEST[1]), one(reporter="u2", statement=HONEST[1])))
    grown = case_of(world, first.cases[0])
    assert grown.reporters == 2 and grown.priority_base > base
    world[2].advance(900)
    send(world, parsed(world, one(reporter="u3", category="spam", statement=HONEST[2]),
                       one(reporter="u1", category="harassment", statement=HONEST[3])))
    grown = case_of(world, first.cases[0])
    with world[0].write() as tx:  # growing the case gives what recomputing it from its reports gives
        intake.recompute(tx, world[1], {grown.id: grown}, now=world[2].now())
    again = case_of(world, first.cases[0])
    assert (again.reporters, again.category, again.severity) == (grown.reporters, grown.category, grown.severity) \
        == (3, "scam", 9)
    assert again.priority_base == pytest.approx(grown.priority_base)
    with pytest.raises(NotFoundError):
        send(world, parsed(world, one(item="khong-co")))


def test_a_planted_ring_is_suspicious_and_raises_no_priority(world):
    """30 new accounts paste one statement on a reporter of floods within minutes; each is marked,
    the early ones re-labelled, and the case counts nobody."""
    young = iso(T0 - 2 * 86_400)
    made = []
    for n in range(30):
        world[2].advance(20)
        made += send(world, parsed(world, one(item="bao", reporter=f"ring{n}", category="misinformation",
                                              statement=RING_PASTE, created_at=young))).ids
    store, _policy, clock, _desk = world
    with store.read() as tx:
        found = [rows.get_report(tx, i) for i in made]
    assert all(r.suspicious and r.ring for r in found), [r.id for r in found if not r.suspicious]
    case = case_of(world, found[0].case_id)
    assert case.reporters == 0 and case.priority_base == pytest.approx(priority_of(4, 500, 0))
    with store.read() as tx:
        staff = reads.list_reports(tx, suspicious=True, limit=500, clock=clock)
    assert len(staff) == 30 and staff[0].public()["ring"] == found[0].ring


def test_honest_reports_spread_over_a_day_are_not_suspicious(world):
    made = []
    for n in range(30):
        world[2].advance(2880)
        made += send(world, parsed(world, one(reporter=f"honest{n}", statement=HONEST[n % 4] + f" ({n})",
                                              created_at=iso(T0 - 400 * 86_400)))).ids
    with world[0].read() as tx:
        found = [rows.get_report(tx, i) for i in made]
    assert not any(r.suspicious for r in found)
    assert case_of(world, found[0].case_id).reporters == 30


def test_the_detector_is_rebuilt_from_stored_reports(world):
    young = iso(T0 - 86_400)
    for n in range(12):
        world[2].advance(30)
        send(world, parsed(world, one(item="bao", reporter=f"ring{n}", category="misinformation",
                                      statement=RING_PASTE, created_at=young)))
    store, policy, clock, _desk = world
    fresh = ReportDesk()
    with store.read() as tx:
        assert fresh.load(tx, clock.now()) == 12
    assert fresh.detector.rings() and fresh.known_rings
    with store.read() as tx:
        assert ReportDesk(rebuild_reports=5).load(tx, clock.now()) == 5  # the documented bound


def test_reporter_ages_are_stored_so_a_rebuild_judges_new_accounts_alike(world):
    """Ten accounts made three days ago flood one item, some pasting one statement, the others in
    their own words: those are ring members only because their accounts are new. After a restart (a
    fresh desk on the same database) the replayed reports carry the stored account ages, so the
    ring and its members are the same (without them it had two members fewer), and the next new
    account joining the burst is marked as before."""
    store, policy, clock, desk = world
    young = iso(T0 - 3 * 86_400)
    own_words = ["Bài này bịa đặt về lũ lụt", "Thông tin sai sự thật, gây hoang mang",
                 "Phóng sự dựng chuyện để câu view", "Tin giả về Cần Thơ", "Xuyên tạc tình hình cứu trợ",
                 "Số liệu trong bài không đúng"]
    made = []
    for n in range(10):
        clock.advance(30)
        statement = RING_PASTE if n % 3 == 0 else own_words[n % 6]
        made += send(world, parsed(world, one(item="bao", reporter=f"moi{n}", category="misinformation",
                                              statement=statement, created_at=young))).ids
    with store.read() as tx:
        before = [rows.get_report(tx, i) for i in made]
        stored = rows.reporter_records(tx, [(PLATFORM, f"moi{n}") for n in range(10)])
    assert all(r.suspicious for r in before) and len({r.ring for r in before}) == 1
    assert {rec.account_created_ts for rec in stored.values()} == {T0 - 3 * 86_400}
    (ring,) = desk.detector.rings()

    fresh = ReportDesk()  # what a restarted service builds
    with store.read() as tx:
        assert fresh.load(tx, clock.now()) == 10
    (rebuilt,) = fresh.detector.rings()
    assert (rebuilt.ring_id, rebuilt.members) == (ring.ring_id, ring.members) and len(ring.members) == 10
    clock.advance(30)
    with store.write() as tx:
        (late,) = intake.submit(tx, fresh, policy, INGEST, parsed(world, one(
            item="bao", reporter="moi10", category="misinformation", statement="Bài viết sai, cần gỡ",
            created_at=young)), clock=clock).ids
    with store.read() as tx:
        joined = rows.get_report(tx, late)
    assert joined.suspicious and joined.ring == before[0].ring


def test_answers_track_records_and_the_rate_limit(world):
    store, policy, clock, desk = world
    rules = ReportRules(limit_answered=2, limit_share=0.8, limit_hours=24)
    for n in range(2):
        case_id = send(world, parsed(world, one(item="meo", reporter="phien", category="hate",
                                                statement="ghét"))).cases[0]
        with store.write() as tx:
            case_service.claim(tx, MOD, case_id, clock=clock)
            case = rows.open_report_cases(tx, [("item", PLATFORM, "meo")])[("item", PLATFORM, "meo")]
        with store.write() as tx:
            view = case_service.decide(tx, policy, MOD, case_id, action="allow", clause=None, clock=clock)
            assert view.case.state == "decided"
        with store.write() as tx:
            # the hook again, with these rules: its reports are answered already, so nothing changes
            outcomes.case_decided(tx, policy, case, view.case.outcome_decision_id, "allow", MOD, rules=rules,
                                  clock=clock)
        clock.advance(60)
    with store.read() as tx:
        rec = rows.reporter_records(tx, [(PLATFORM, "phien")])[(PLATFORM, "phien")]
    assert (rec.rejected, rec.upheld, rec.reports) == (2, 0, 2)
    assert rec.limited_until is None  # cases.decide used the settings' rules (5 answered): not limited yet
    with store.write() as tx:
        events = outcomes._limit(tx, [(PLATFORM, "phien")], rules, clock.now())
    assert len(events) == 1
    with pytest.raises(ReporterLimited) as e:
        send(world, parsed(world, one(item="meo", reporter="phien")))
    assert e.value.field == "reports[0].reporter" and "2 of their 2 answered" in e.value.message
    with store.read() as tx:
        answered = reads.list_reports(tx, state=ReportState.REJECTED, clock=clock)
    assert {r.report.state for r in answered} == {ReportState.REJECTED}
    assert "khiếu nại" in answered[0].report.reasons["vi"]
    clock.advance(25 * 3600)
    assert send(world, parsed(world, one(item="meo", reporter="phien"))).ids


def test_two_requests_at_once_on_one_subject_share_one_open_case(world):
    """Two server processes (two desks) take the first reports on one item at the same moment: the
    second request, which looked before the first committed, joins the case the first opened
    instead of opening another (on PostgreSQL it waits on the open-report-case index; on SQLite
    the write lock orders them)."""
    import threading
    import time

    from sqlalchemy import text

    store, policy, clock, _desk = world
    opened, release, out = threading.Event(), threading.Event(), {}

    def first():
        with store.write() as tx:
            out["a"] = intake.submit(tx, ReportDesk(), policy, INGEST,
                                     parsed(world, one(item="meo", reporter="u1", statement=HONEST[0])), clock=clock)
            opened.set()
            release.wait(30)

    def second():
        with store.write() as tx:
            out["b"] = intake.submit(tx, ReportDesk(), policy, INGEST,
                                     parsed(world, one(item="meo", reporter="u2", statement=HONEST[1])), clock=clock)

    a = threading.Thread(target=first)
    a.start()
    assert opened.wait(30)
    b = threading.Thread(target=second)
    b.start()
    if store.dialect == "postgresql":  # the second request has read and now waits on the first's case row
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with store.read() as tx:
                if tx.conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                               "AND datname = current_database()")).scalar():
                    break
        else:
            raise AssertionError("the second request never waited for the first")
    release.set()
    a.join(30)
    b.join(30)
    assert out["a"].cases == out["b"].cases
    case = case_of(world, out["a"].cases[0])
    assert case.reporters == 2 and case.state == "open"
    with store.read() as tx:
        assert {r.id for r in rows.reports_in_case(tx, case.id)} == set(out["a"].ids + out["b"].ids)


def test_a_ring_spread_over_three_server_processes_is_seen_whole(world):
    """Three server processes (three desks) take turns with a ring's reports: each takes 4 of 12,
    fewer than a burst, so only a desk that catches up with the others' stored reports can see the
    ring. The last reports are marked, by whichever process takes them."""
    store, policy, clock, _desk = world
    desks = [ReportDesk(), ReportDesk(), ReportDesk()]
    young = iso(T0 - 86_400)
    made = []
    for n in range(12):
        clock.advance(30)
        with store.write() as tx:
            made += intake.submit(tx, desks[n % 3], policy, INGEST, parsed(world, one(
                item="bao", reporter=f"ring{n}", category="misinformation", statement=RING_PASTE,
                created_at=young)), clock=clock).ids
    with store.read() as tx:
        found = [rows.get_report(tx, i) for i in made]
    assert found[-1].suspicious and found[-1].ring, "the twelfth report, taken by the third desk"
    assert sorted(d.seen_to for d in desks) == made[-3:]  # each desk saw up to its own last report
    assert not any(d.holes for d in desks)  # every id between was stored and caught up with


def test_a_report_id_skipped_by_a_transaction_not_committed_yet_is_caught_up_later(world):
    store, policy, clock, _desk = world
    desk = ReportDesk()
    send_with = lambda d, who: intake.submit(tx, d, policy, INGEST, parsed(world, one(  # noqa: E731
        item="bao", reporter=who, statement=HONEST[0])), clock=clock).ids
    with store.write() as tx:
        (first,) = send_with(desk, "u1")
    with store.write() as tx:  # another process stores a report this desk has not seen
        (other,) = send_with(ReportDesk(), "u2")
    desk.holes[other] = clock.now()  # as if it had been uncommitted when this desk moved past it
    desk.seen_to = other + 1
    with store.read() as tx:
        assert desk.load(tx, clock.now()) == 1 and other not in desk.holes
    clock.advance(200)
    desk.holes[12345] = T0  # an id that never turns up (a rolled-back request) is forgotten in time
    with store.read() as tx:
        desk.load(tx, clock.now())
    assert 12345 not in desk.holes and first < other
