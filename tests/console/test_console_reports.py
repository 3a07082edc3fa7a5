"""User reports in the console, without JavaScript (TestClient): report cases in the queue, the
"Reports" panel of a case, the ``/reports`` list and trusted flaggers at ``/flaggers``.

Reports are sent through the reports service as an ``ingest`` client would (the API's own path is
tested in tests/server/test_server_reports.py and by the browser path).
"""

from __future__ import annotations

import html
import re

import pytest

from khien.clock import FakeClock

START = 1_800_000_000.0  # 2027-01-15, after the seed's own timestamps
SCAM_ITEM = "t-same-author"  # "Tuyển CTV làm việc tại nhà, việc nhẹ lương cao …" on facebook
FAKE_DOCS = "p0003"  # "Nhận làm bằng đại học, bằng lái xe, CCCD chuẩn phôi thật …" on facebook
STATEMENTS = ["Trang này tuyển CTV nhưng bắt nộp phí giữ chỗ rồi chặn luôn",
              "Mình chuyển 500 nghìn phí hồ sơ xong bị chặn Zalo",
              "Lừa đảo việc nhẹ lương cao, đã có nhiều người mất tiền"]


def _clocked(browser) -> FakeClock:
    clock = FakeClock(START)
    browser.client.app.state.clock = clock
    return clock


def _send(store, engine, clock, body: dict) -> dict:
    """One report through the reports service, as ``POST /v1/reports`` stores it."""
    from khien.reports import intake
    from khien.reports.desk import ReportDesk
    from khien.reports.rules import ReportRules
    from khien.review.actor import Actor

    found, batch = intake.parse_body(body, engine.policy, ReportRules.from_settings())
    with store.write() as tx:
        return intake.submit(tx, ReportDesk(), engine.policy, Actor("nen-tang", "ingest"), found, batch=batch,
                             clock=clock).public()


def _user_report(reporter: str, item: str = SCAM_ITEM, statement: str = STATEMENTS[0], **extra) -> dict:
    return {"platform": "facebook", "reporter": {"id": reporter, "created_at": "2020-05-01T00:00:00Z"},
            "subject": {"item": item}, "category": "scam", "statement": statement,
            "evidence": ["https://facebook.example.vn/bai/ctv-123",
                         'https://anh.example.vn/chup?ten="><b>Zalo</b>']} | extra


def _add_flagger(store, clock, name="Chống Lừa Đảo", hours=24):
    from khien.reports import flaggers
    from khien.review.actor import Actor

    with store.write() as tx:
        flaggers.add(tx, Actor("quan", "admin"), name=name, organisation="Dự án Chống Lừa Đảo Việt Nam",
                     respond_hours=hours, clock=clock)


def _decide(b, case_id: int, action: str, clause: str = "") -> None:
    assert b.post(f"/cases/{case_id}/claim").status_code == 303
    r = b.post(f"/cases/{case_id}/decide", {"op": "decide", "confirm": "1", "action": action, "clause": clause,
                                            "note": ""})
    assert r.status_code == 303, r.text


def _scam_clause(engine) -> str:
    return next(c for c, name in engine.policy.clauses().items() if name == "scam")


def _queue_cell(html_text: str, case_id: int) -> str:
    m = re.search(rf'<tr data-row data-case="{case_id}".*?</tr>', html_text, re.S)
    assert m, f"case {case_id} is not in the queue"
    return m.group(0)


@pytest.fixture
def reported(console, store, engine):
    """Three users report the scam post (one of them twice); a trusted flagger reports the fake documents."""
    lan = console()
    lan.sign_in("lan")
    clock = _clocked(lan)
    cases = set()
    for n, who in enumerate(("fb-1001", "fb-1002", "fb-1003")):
        clock.advance(300)
        cases.add(_send(store, engine, clock, _user_report(who, statement=STATEMENTS[n]))["case"])
    _send(store, engine, clock, _user_report("fb-1001"))  # the same reporter again counts once
    _add_flagger(store, clock)
    flagged = _send(store, engine, clock, {"platform": "facebook", "flagger": "chống lừa đảo",
                                           "subject": {"item": FAKE_DOCS}, "category": "scam",
                                           "statement": "Đường dây làm giả văn bằng, CCCD đã bị công an cảnh báo"})
    assert len(cases) == 1
    return {"lan": lan, "clock": clock, "scam_case": cases.pop(), "flagger_case": flagged["case"]}


def test_the_queue_shows_report_cases_with_their_reporters_and_due_time(reported):
    lan = reported["lan"]
    page = lan.get("/queue")
    assert page.status_code == 200
    cell = _queue_cell(page.text, reported["scam_case"])
    assert 'data-source="report"' in cell and 'data-reporters="3"' in cell and "3 người báo cáo" in cell
    assert "Báo cáo" in cell and "hạn xử lý" not in cell  # no flagger report: nothing is due
    flagged = _queue_cell(page.text, reported["flagger_case"])
    assert 'data-reporters="1"' in flagged and "hạn xử lý 2027-01-16" in flagged  # 24 h after the report
    only = lan.get("/queue?source=report&lang=en").text
    shown = {int(c) for c in re.findall(r'<tr data-row data-case="(\d+)"', only)}
    assert shown == {reported["scam_case"], reported["flagger_case"]}
    assert "3 reporters" in only and "Reports" in only
    engine_only = lan.get("/queue?source=automated").text
    assert f'data-case="{reported["scam_case"]}"' not in engine_only


def test_the_case_page_lists_reports_with_track_records_and_marks_suspicious_ones(reported, store, engine):
    from khien.store import reports as report_rows

    lan, clock = reported["lan"], reported["clock"]
    # fb-1002 had an earlier report upheld: the flagger case is decided "remove", which answers it.
    clock.advance(60)
    _send(store, engine, clock, _user_report("fb-1002", item=FAKE_DOCS, statement="Bán bằng giả công khai"))
    _decide(lan, reported["flagger_case"], "remove", _scam_clause(engine))
    with store.write() as tx:
        first = report_rows.list_reports(tx, case_id=reported["scam_case"], limit=10)
        marked = next(r for r in first if r.reporter_id == "fb-1003")
        report_rows.mark_suspicious(tx, {marked.id: "ring-7f3a"})
    page = lan.get(f"/cases/{reported['scam_case']}")
    assert page.status_code == 200
    panel = re.search(r'<section aria-labelledby="reports-h".*?</section>', page.text, re.S).group(0)
    items = dict(re.findall(r'<li class="report[^"]*" data-report="(\d+)">(.*?)</li>\s*(?=<li class="report|</ol>)',
                            panel, re.S))
    assert len(items) == 4  # every report grouped in the case, fb-1001's two included
    by_reporter = {re.search(r"<code>([^<]+)</code>", body).group(1): body for body in items.values()}
    assert "1/1 báo cáo trước được chấp nhận" in by_reporter["fb-1002"]
    assert "chưa có báo cáo nào được trả lời" in by_reporter["fb-1001"]
    assert "data-suspicious" in by_reporter["fb-1003"] and "ring-7f3a" in by_reporter["fb-1003"]
    assert "data-suspicious" not in by_reporter["fb-1002"]
    assert html.unescape(STATEMENTS[1]) in html.unescape(panel)
    # evidence: an http(s) link is a nofollow link, escaped (never markup of its own)
    assert ('<a href="https://facebook.example.vn/bai/ctv-123" rel="noopener noreferrer nofollow">' in panel)
    assert "<b>Zalo</b>" not in panel and "&lt;b&gt;Zalo&lt;/b&gt;" in panel
    assert 'id="engine-status"' in page.text  # the engine's decision is still shown beside the reports
    # deciding the report case works as today, and answers its reports
    _decide(lan, reported["scam_case"], "remove", _scam_clause(engine))
    upheld = lan.get("/reports?state=upheld").text
    assert len(re.findall(rf'data-href="/cases/{reported["scam_case"]}"', upheld)) == 4


def test_the_flagger_case_page_says_when_it_is_due(reported):
    page = reported["lan"].get(f"/cases/{reported['flagger_case']}?lang=en").text
    assert "Trusted flagger" in page and "Chống Lừa Đảo" in page and "due 2027-01-16" in page


def test_reports_list_filters_by_state_source_and_label(reported, console, store):
    from khien.store import reports as report_rows

    auditor = console()
    auditor.sign_in("thu")
    everything = auditor.get("/reports")
    assert everything.status_code == 200
    assert len(re.findall(r"<tr data-row", everything.text)) == 5
    flagger = auditor.get("/reports?source=flagger").text
    assert len(re.findall(r"<tr data-row", flagger)) == 1 and "Chống Lừa Đảo" in flagger
    assert len(re.findall(r"<tr data-row", auditor.get("/reports?source=user").text)) == 4
    assert "reports_none" not in auditor.get("/reports?state=upheld").text
    assert len(re.findall(r"<tr data-row", auditor.get("/reports?state=upheld").text)) == 0
    assert len(re.findall(r"<tr data-row", auditor.get("/reports?state=open").text)) == 5
    with store.write() as tx:
        one = report_rows.list_reports(tx, limit=1)[0]
        report_rows.mark_suspicious(tx, {one.id: "ring-42"})
    suspicious = auditor.get("/reports?suspicious=yes").text
    assert re.findall(r'<tr data-row data-report="(\d+)"', suspicious) == [str(one.id)] and "ring-42" in suspicious
    assert len(re.findall(r"<tr data-row", auditor.get("/reports?suspicious=no").text)) == 4
    # an unknown filter value is ignored (no 500), the list is the whole list
    assert len(re.findall(r"<tr data-row", auditor.get("/reports?state=bogus&source=robot&suspicious=1").text)) == 5


def test_reports_page_is_for_staff(console):
    nap, nobody, lan = console(), console(), console()
    nap.sign_in("nap")
    lan.sign_in("lan")
    assert nap.get("/reports").status_code == 403
    assert nobody.get("/reports", follow_redirects=False).status_code == 303
    assert lan.get("/reports").status_code == 200 and "Không có báo cáo nào." in lan.get("/reports").text


def test_admin_adds_and_removes_a_trusted_flagger_with_a_confirmation(console):
    quan, lan = console(), console()
    quan.sign_in("quan")
    lan.sign_in("lan")
    _clocked(quan)
    assert lan.get("/flaggers").status_code == 403
    assert lan.post("/flaggers/add", {"name": "VAFC", "organisation": "Hiệp hội", "respond_hours": "12"}
                    ).status_code == 403
    assert quan.get("/flaggers").status_code == 200
    done = quan.post("/flaggers/add", {"name": "Trung tâm Giám sát An toàn Không gian mạng",
                                       "organisation": "NCSC Việt Nam", "contact": "canhbao@ncsc.example.vn",
                                       "respond_hours": "12"})
    assert done.status_code == 303 and done.headers["location"] == "/flaggers?done=flagger_added"
    listed = quan.get("/flaggers").text
    assert 'data-flagger="Trung tâm Giám sát An toàn Không gian mạng"' in listed and "NCSC Việt Nam" in listed
    assert "Đã thêm" in quan.get("/flaggers?done=flagger_added").text
    # the same name again (ignoring case) is refused with the reason, the form keeps what was typed
    again = quan.post("/flaggers/add", {"name": "trung tâm giám sát an toàn không gian mạng",
                                        "organisation": "Khác", "respond_hours": "5"})
    assert again.status_code == 409 and "exists" in again.text and 'value="Khác"' in again.text
    # removing asks first; the confirmation page posts confirm=1
    asked = quan.post("/flaggers/remove", {"name": "Trung tâm Giám sát An toàn Không gian mạng"})
    assert asked.status_code == 200 and 'name="confirm" value="1"' in asked.text
    assert 'data-flagger="Trung tâm' in quan.get("/flaggers").text  # nothing removed yet
    assert lan.post("/flaggers/remove", {"name": "Trung tâm Giám sát An toàn Không gian mạng", "confirm": "1"}
                    ).status_code == 403
    gone = quan.post("/flaggers/remove", {"name": "Trung tâm Giám sát An toàn Không gian mạng", "confirm": "1"})
    assert gone.status_code == 303 and gone.headers["location"] == "/flaggers?done=flagger_removed"
    assert 'data-flagger="Trung tâm' not in quan.get("/flaggers").text


def test_flagger_forms_refuse_bad_input_with_a_clear_message(console):
    quan = console()
    quan.sign_in("quan")
    for confirm in ("", "1"):
        unknown = quan.post("/flaggers/remove", {"name": "Không Tồn Tại", "confirm": confirm})
        assert unknown.status_code == 404 and "no trusted flagger named" in html.unescape(unknown.text)
    hours = quan.post("/flaggers/add", {"name": "Nhóm A", "organisation": "Tổ chức A", "respond_hours": "mười"})
    assert hours.status_code == 422 and "respond_hours" in hours.text
    too_long = quan.post("/flaggers/add", {"name": "Nhóm B", "organisation": "Tổ chức B", "respond_hours": "99999"})
    assert too_long.status_code == 422 and "respond_hours" in too_long.text
    no_org = quan.post("/flaggers/add", {"name": "Nhóm C", "organisation": "  ", "respond_hours": "24"})
    assert no_org.status_code == 422 and "organisation" in no_org.text
    no_csrf = quan.client.post("/flaggers/add", data={"name": "Nhóm D", "organisation": "Tổ chức D",
                                                      "respond_hours": "24"}, follow_redirects=False)
    assert no_csrf.status_code == 400
    bad_csrf = quan.post("/flaggers/remove", {"name": "Nhóm D", "confirm": "1", "csrf": "sai"})
    assert bad_csrf.status_code == 400
    assert "Nhóm" not in quan.get("/flaggers").text


def test_evidence_that_is_not_an_http_link_is_plain_text():
    from khien.server.console.reports import _evidence

    assert _evidence("https://facebook.example.vn/bai/1").href == "https://facebook.example.vn/bai/1"
    for raw in ("javascript:alert(1)", "ảnh chụp màn hình tin nhắn Zalo", "https://", "http://a.vn/x y",
                "data:text/html,<b>x</b>", "//evil.example/x"):
        assert _evidence(raw).href is None and _evidence(raw).text == raw


def test_an_account_report_case_shows_the_reports_beside_the_account(console, store, engine):
    lan = console()
    lan.sign_in("lan")
    clock = _clocked(lan)
    body = {"platform": "facebook", "reporter": {"id": "fb-2001"}, "subject": {"account": "u0100020"},
            "category": "scam", "statement": "Tài khoản này đăng tin tuyển CTV lừa nộp phí nhiều lần",
            "evidence": ["https://facebook.example.vn/u0100020"]}
    case_id = _send(store, engine, clock, body)["case"]
    page = lan.get(f"/cases/{case_id}")
    assert page.status_code == 200 and 'id="acc-h"' in page.text  # the account case page
    assert 'id="reports-panel"' in page.text and "<code>fb-2001</code>" in page.text
    assert "Tài khoản này đăng tin tuyển CTV lừa nộp phí nhiều lần" in page.text
    queue = lan.get("/queue?source=report").text
    assert 'data-reporters="1"' in _queue_cell(queue, case_id)


def test_a_reporters_appeal_says_who_contests_and_is_decided_by_another_moderator(reported, console, store, engine):
    """lan decides not to act on the reported scam post; fb-1001 contests. The appeals list and page
    say a reporter contests which report; lan may not decide it (403 with the reason, not a 500);
    minh's form offers to uphold the report (remove under the scam clause) and doing so answers it."""
    from khien.reports import outcomes, reads
    from khien.review.actor import Actor

    lan, clock, case_id = reported["lan"], reported["clock"], reported["scam_case"]
    _decide(lan, case_id, "allow")
    with store.read() as tx:
        report = next(v for v in reads.list_reports(tx, case=case_id, clock=clock)
                      if v.report.reporter_id == "fb-1001" and v.report.state == "rejected")
    with store.write() as tx:
        appeal = outcomes.contest(tx, Actor("nen-tang", "ingest"), report.report.id, clock=clock,
                                  statement="Tôi có biên lai chuyển 500 nghìn phí giữ chỗ cho trang này")
    listed = lan.get("/appeals").text
    row = re.search(rf'<tr data-row data-href="/appeals/{appeal.id}">.*?</tr>', listed, re.S).group(0)
    assert 'data-appellant="reporter"' in row and "fb-1001" in row and f"#{report.report.id}" in row
    page = lan.get(f"/appeals/{appeal.id}").text
    assert "Người báo cáo fb-1001 kháng nghị quyết định không xử lý" in html.unescape(page)
    assert 'id="contested-report"' in page and "<fieldset disabled>" in page
    assert "Lời trình bày của người báo cáo" in page and "Lời trình bày của người dùng" not in page
    refused = lan.post(f"/appeals/{appeal.id}/decide", {"outcome": "reversed", "action": "remove",
                                                         "clause": _scam_clause(engine), "note": "", "confirm": "1"})
    assert refused.status_code == 403 and "không thể xét kháng nghị này" in refused.text

    minh = console()
    minh.sign_in("minh")
    minh.client.app.state.clock = clock
    page = minh.get(f"/appeals/{appeal.id}").text
    assert "<fieldset >" in page or "<fieldset>" in page
    assert re.search(r'<option value="remove" selected>', page)
    assert re.search(rf'<option value="{re.escape(_scam_clause(engine))}" selected>', page)
    assert "Chấp nhận báo cáo: xử lý nội dung" in page
    r = minh.post(f"/appeals/{appeal.id}/decide", {"outcome": "reversed", "action": "remove",
                                                   "clause": _scam_clause(engine), "note": "Có biên lai",
                                                   "confirm": "1"})
    assert r.status_code == 303, r.text
    with store.read() as tx:
        assert reads.get_report(tx, report.report.id, clock=clock).report.state == "upheld"
    decided = minh.get("/appeals?state=decided").text
    assert "Chấp nhận báo cáo: xử lý nội dung · minh" in decided
