"""User reports through the HTTP API: report → grouped case → decision → notice → contest → reversal."""

from contextlib import contextmanager

import pytest

from khien.clock import SYSTEM, FakeClock, iso
from khien.store import reports as report_rows
from khien.store import webhooks as hook_rows

SCAM = {"id": "r1", "platform": "forum", "reach": {"views": 800},
        "text": "Nhận hàng miễn phí, chỉ cần chuyển khoản phí ship 50k vào số tài khoản này, ib Zalo 0912345678"}
LOOKS_FINE = {"id": "r2", "platform": "forum", "reach": {"views": 800},
              "text": "Chị em ơi, quán phở đầu ngõ hôm nay mở cửa sớm, ngon lắm"}
OTHER = {"id": "r3", "platform": "forum", "reach": {"views": 800},
         "text": "Cuối tuần này ai đi leo núi Bà Đen không, mình đi xe khách từ Sài Gòn"}
STATEMENTS = ["Trang này lừa đảo, bắt chuyển khoản trước rồi chặn luôn",
              "Mình bị lừa mất 50 nghìn tiền ship, không nhận được hàng",
              "Tài khoản này giả mạo shop, đã có nhiều người bị lừa"]


@contextmanager
def running(store, engine, **settings):
    from fastapi.testclient import TestClient

    from tests.server.conftest import Service, make_service
    from khien.server import Settings, create_app

    clock = FakeClock(SYSTEM.now())
    app, keys = make_service(store, engine, **settings)
    opts = {"database_url": store.url, "worker": False, "webhooks": False} | settings
    app = create_app(Settings(**opts), engine=engine, store=store, clock=clock)
    with TestClient(app) as client:
        service = Service(client, keys)
        service.clock = clock
        yield service


@pytest.fixture
def svc(store, engine):
    with running(store, engine, webhook_allow_hosts="127.0.0.1") as s:
        yield s


def report(item="r1", reporter="u1", category="scam", statement=STATEMENTS[0], **extra):
    body = {"platform": "forum", "reporter": {"id": reporter, "created_at": "2019-03-01T00:00:00Z"},
            "subject": {"item": item}, "category": category, "statement": statement,
            "evidence": ["https://forum.example.vn/bai/r1"]}
    return body | extra


def decide(svc, case_id, who, action, clause=None):
    assert svc.post(f"/v1/cases/{case_id}/claim", who).status_code == 200
    body = {"action": action} | ({"clause": clause} if clause else {})
    done = svc.post(f"/v1/cases/{case_id}/decision", who, json=body)
    assert done.status_code == 200, done.text
    return done.json()


def test_reports_group_into_one_case_whose_priority_grows_with_reporters(svc):
    for item in (SCAM, OTHER):
        assert svc.post("/v1/moderate", "ingest", json=item).status_code == 200
    first = svc.post("/v1/reports", "ingest", json=report())
    assert first.status_code == 201, first.text
    case_id = first.json()["case"]
    for n, who in enumerate(("u2", "u3")):
        svc.clock.advance(600)
        again = svc.post("/v1/reports", "ingest", json=report(reporter=who, statement=STATEMENTS[n + 1]))
        assert again.json()["case"] == case_id
    svc.post("/v1/reports", "ingest", json=report(reporter="u1"))  # the same reporter twice counts once
    lone = svc.post("/v1/reports", "ingest", json=report(item="r3", reporter="u9")).json()["case"]
    cases = {c["id"]: c for c in svc.get("/v1/cases?limit=100", "moderator").json()["cases"]}
    listed = svc.get(f"/v1/reports?case={case_id}", "moderator").json()["reports"]
    assert len(listed) == 4 and {r["case"]["reporters"] for r in listed} == {3}
    assert listed[0]["case"]["priority"] > svc.get(f"/v1/reports?case={lone}", "auditor").json()["reports"][0][
        "case"]["priority"]
    assert cases[case_id]["origin"] == "reports" and cases[case_id]["category"] == "scam"
    detail = svc.get(f"/v1/cases/{case_id}", "moderator").json()
    assert detail["decision"]["action"] == "remove"  # the engine's view beside the reports


def test_the_whole_path_notice_contest_and_reversal_by_another_moderator(svc):
    svc.post("/v1/webhooks", "admin", json={"url": "http://127.0.0.1:9/hook", "secret": "s" * 32,
                                            "events": ["report"]})
    assert svc.post("/v1/moderate", "ingest", json=LOOKS_FINE).json()["action"] == "allow"
    made = svc.post("/v1/reports", "ingest", json={"reports": [
        report(item="r2", reporter=f"u{n}", statement=s) for n, s in enumerate(STATEMENTS)]})
    assert made.status_code == 201 and made.json()["accepted"] == 3
    ids, case_id = made.json()["ids"], made.json()["cases"][0]
    decide(svc, case_id, "moderator", "allow")  # "an" decides not to act
    seen = svc.get(f"/v1/reports/{ids[0]}", "ingest").json()
    assert seen["state"] == "rejected" and "suspicious" not in seen and "ring" not in seen
    assert "khiếu nại" in seen["outcome"]["reasons"]["vi"] and "14 days" in seen["outcome"]["reasons"]["en"]
    with svc.app.state.store.read() as tx:
        queued = hook_rows.due_deliveries(tx, svc.clock.now() + 60, 100)
    assert sum(d.event == "report" for d in queued) == 3

    contest = svc.post(f"/v1/reports/{ids[0]}/contest", "ingest",
                       json={"statement": "Quán này không có thật, họ dụ chuyển khoản đặt cọc"})
    assert contest.status_code == 201, contest.text
    appeal_id = contest.json()["id"]
    assert svc.post(f"/v1/reports/{ids[0]}/contest", "ingest", json={"statement": "lần nữa"}).status_code == 409
    same = svc.post(f"/v1/appeals/{appeal_id}/decision", "moderator",
                    json={"outcome": "reversed", "action": "remove", "clause": "2.1"})
    assert same.status_code == 403
    other = svc.post(f"/v1/appeals/{appeal_id}/decision", "moderator2",
                     json={"outcome": "reversed", "action": "remove", "clause": "2.1"})
    assert other.status_code == 200, other.text
    after = svc.get(f"/v1/reports/{ids[0]}", "auditor").json()
    assert after["state"] == "upheld" and "chấp nhận" in after["outcome"]["reasons"]["vi"]
    assert svc.get(f"/v1/reports/{ids[1]}", "auditor").json()["state"] == "upheld"
    assert svc.get("/v1/items/r2?platform=forum", "ingest").json()["decision"]["action"] == "remove"
    types = [e["type"] for e in svc.get("/v1/audit?limit=1000", "auditor").json()["events"]]
    assert {"report.received", "report.answered", "appeal.submitted", "appeal.decided"} <= set(types)


def test_an_upheld_report_cannot_be_contested_and_a_late_contest_is_refused(svc):
    svc.post("/v1/moderate", "ingest", json=SCAM)
    svc.post("/v1/moderate", "ingest", json=OTHER)
    upheld = svc.post("/v1/reports", "ingest", json=report()).json()
    decide(svc, upheld["case"], "moderator", "remove", "2.1")
    assert svc.get(f"/v1/reports/{upheld['id']}", "ingest").json()["state"] == "upheld"
    assert svc.post(f"/v1/reports/{upheld['id']}/contest", "ingest", json={"statement": "x"}).status_code == 409
    late = svc.post("/v1/reports", "ingest", json=report(item="r3")).json()
    decide(svc, late["case"], "moderator", "allow")
    svc.clock.advance(15 * 86_400)
    refused = svc.post(f"/v1/reports/{late['id']}/contest", "ingest", json={"statement": "Vẫn là lừa đảo"})
    assert refused.status_code == 409 and "until" in refused.json()["detail"]
    again = svc.post("/v1/reports", "ingest", json=report()).json()
    assert again["case"] != upheld["case"]  # a decided case takes no more reports: a new one opens


def test_bad_input_gets_clear_problems(svc):
    svc.post("/v1/moderate", "ingest", json=SCAM)
    unknown_item = svc.post("/v1/reports", "ingest", json=report(item="khong-co"))
    assert unknown_item.status_code == 404 and unknown_item.json()["field"] == "subject.item"
    assert "send the item first" in unknown_item.json()["hint"]
    typo = svc.post("/v1/reports", "ingest", json=report(category="scma"))
    assert typo.status_code == 422 and "did you mean 'scam'" in typo.json()["detail"]
    assert typo.json()["field"] == "category"
    account = svc.post("/v1/reports", "ingest", json=report() | {"platform": "zalo", "subject": {"account": "shop-gia"}})
    assert account.status_code == 201  # an account is (platform, author id): another platform, another account
    too_many = svc.post("/v1/reports", "ingest", json={"reports": [report(reporter=f"u{n}") for n in range(10_000)]})
    assert too_many.status_code in (413, 422) and too_many.headers["content-type"] == "application/problem+json"
    if too_many.status_code == 422:
        assert too_many.json()["field"] == "reports"
    bad_json = svc.client.post("/v1/reports", content=b'{"platform": "forum",', headers=svc.as_("ingest"))
    assert bad_json.status_code == 400
    in_batch = svc.post("/v1/reports", "ingest", json={"reports": [report(), report(evidence=["javascript:alert(1)"])]})
    assert in_batch.status_code == 422 and in_batch.json()["field"] == "reports[1].evidence[0]"
    long = svc.post("/v1/reports", "ingest", json=report(statement="lừa " * 600))
    assert long.status_code == 422 and long.json()["field"] == "statement"
    both = svc.post("/v1/reports", "ingest", json=report(flagger="Chống Lừa Đảo"))
    assert both.status_code == 422
    assert svc.post("/v1/reports", "moderator", json=report()).status_code == 403
    with svc.app.state.store.read() as tx:
        assert len(report_rows.list_reports(tx, limit=100)) == 1  # only the account report was stored


def test_a_trusted_flagger_report_sorts_first_and_is_due(svc):
    added = svc.post("/v1/flaggers", "admin", json={"name": "Chống Lừa Đảo", "organisation": "Dự án Chống Lừa Đảo",
                                                   "respond_hours": 24})
    assert added.status_code == 201, added.text
    assert svc.post("/v1/flaggers", "admin", json={"name": "chống lừa đảo", "organisation": "x",
                                                  "respond_hours": 1}).status_code == 409
    svc.post("/v1/moderate", "ingest", json=SCAM)
    svc.post("/v1/moderate", "ingest", json=OTHER | {"text": SCAM["text"] + " nhé"})
    user = svc.post("/v1/reports", "ingest", json=report(item="r3")).json()
    flagged = svc.post("/v1/reports", "ingest", json={"platform": "forum", "flagger": "CHỐNG LỪA ĐẢO",
                                                      "subject": {"item": "r1"}, "category": "scam",
                                                      "statement": "Số tài khoản nằm trong danh sách lừa đảo"})
    assert flagged.status_code == 201, flagged.text
    staff = svc.get("/v1/reports?source=flagger", "moderator").json()["reports"]
    assert [r["flagger"] for r in staff] == ["Chống Lừa Đảo"] and staff[0]["case"]["due_at"]
    by_case = [r["case"]["id"] for r in svc.get("/v1/reports", "moderator").json()["reports"]]
    queue = [c["id"] for c in svc.get("/v1/cases?limit=100", "moderator").json()["cases"]
             if c["origin"] == "reports"]
    assert queue.index(flagged.json()["case"]) < queue.index(user["case"]) and set(by_case) <= set(queue)
    decide(svc, flagged.json()["case"], "moderator", "remove", "2.1")
    listed = svc.get("/v1/flaggers", "admin").json()["flaggers"]
    assert listed[0]["accuracy"] == 1.0 and listed[0]["upheld"] == 1
    assert svc.client.delete("/v1/flaggers/Chống Lừa Đảo", headers=svc.as_("admin")).status_code == 200
    gone = svc.post("/v1/reports", "ingest", json={"platform": "forum", "flagger": "Chống Lừa Đảo",
                                                   "subject": {"item": "r1"}, "category": "scam"})
    assert gone.status_code == 422 and gone.json()["field"] == "flagger"


def test_a_reporter_whose_reports_are_repeatedly_rejected_is_limited(store, engine, monkeypatch):
    monkeypatch.setenv("KHIEN_REPORTER_LIMIT_ANSWERED", "3")
    with running(store, engine, reporter_limit_answered=3) as svc:
        for n in range(3):
            item = {"id": f"ok{n}", "platform": "forum", "text": f"Ảnh mèo nhà mình số {n}, dễ thương không"}
            svc.post("/v1/moderate", "ingest", json=item)
            made = svc.post("/v1/reports", "ingest", json=report(item=f"ok{n}", reporter="phien",
                                                                 category="harassment", statement="ghét"))
            assert made.status_code == 201, made.text
            decide(svc, made.json()["case"], "moderator", "allow")
            svc.clock.advance(60)
        limited = svc.post("/v1/reports", "ingest", json=report(item="ok0", reporter="phien"))
        assert limited.status_code == 429 and "until" in limited.json()["detail"]
        assert limited.json()["field"] == "reporter" and int(limited.headers["Retry-After"]) > 0
        assert svc.post("/v1/reports", "ingest", json=report(item="ok0", reporter="lan")).status_code == 201
        svc.clock.advance(8 * 86_400)
        assert svc.post("/v1/reports", "ingest", json=report(item="ok0", reporter="phien")).status_code == 201
        types = [e["type"] for e in svc.get("/v1/audit?limit=1000", "auditor").json()["events"]]
        assert "report.reporter_limited" in types


def test_a_planted_ring_is_marked_through_the_api_and_raises_no_priority(svc):
    """30 accounts made last week paste one statement on a reporter's post within minutes."""
    post = {"id": "phong-su", "platform": "forum", "reach": {"views": 800},
            "text": "Phóng sự: nước ngập ở Cần Thơ, người dân cần hỗ trợ khẩn cấp"}
    svc.post("/v1/moderate", "ingest", json=post)
    paste = "Bài này phát tán tin giả, đề nghị khóa ngay tài khoản"
    ids, week_ago = [], iso(svc.clock.now() - 7 * 86_400)
    for n in range(30):
        svc.clock.advance(15)
        made = svc.post("/v1/reports", "ingest", json={
            "platform": "forum", "reporter": {"id": f"clone{n}", "created_at": week_ago},
            "subject": {"item": "phong-su"}, "category": "misinformation", "statement": paste})
        ids.append(made.json()["id"])
    staff = [svc.get(f"/v1/reports/{i}", "moderator").json() for i in ids]
    assert all(r["suspicious"] and r["ring"] for r in staff)
    assert {r["case"]["reporters"] for r in staff} == {0}
    assert "suspicious" not in svc.get(f"/v1/reports/{ids[0]}", "ingest").json()
    types = [e["type"] for e in svc.get("/v1/audit?limit=1000", "auditor").json()["events"]]
    assert "report.ring_detected" in types


def test_the_transparency_report_counts_reports_rings_and_account_actions(svc):
    """Received by source and category, acted on by category and source, the median time to action,
    rings detected, and account actions by type, from the audit log; an account report case decided
    with an account action answers its reports."""
    for item in (SCAM, LOOKS_FINE):
        svc.post("/v1/moderate", "ingest", json=item)
    svc.post("/v1/flaggers", "admin", json={"name": "Chống Lừa Đảo", "organisation": "Dự án Chống Lừa Đảo",
                                            "respond_hours": 24})
    scam = svc.post("/v1/reports", "ingest", json={"reports": [report(reporter="u1"), report(reporter="u2")]}).json()
    svc.post("/v1/reports", "ingest", json={"platform": "forum", "flagger": "Chống Lừa Đảo", "subject": {"item": "r1"},
                                            "category": "scam", "statement": STATEMENTS[2]})
    fine = svc.post("/v1/reports", "ingest", json=report(item="r2", reporter="u3", category="spam")).json()
    page = svc.post("/v1/reports", "ingest", json={
        "platform": "forum", "reporter": {"id": "u4"}, "subject": {"account": "shop-gia-mao"},
        "category": "impersonation", "statement": "Trang này giả mạo shop chính hãng để lừa tiền đặt cọc"}).json()
    svc.clock.advance(2 * 3600)
    decide(svc, scam["cases"][0], "moderator", "remove", "2.1")  # acted on after two hours
    decide(svc, fine["case"], "moderator", "allow")  # not acted on
    assert svc.post(f"/v1/cases/{page['case']}/claim", "moderator").status_code == 200
    suspended = svc.post(f"/v1/cases/{page['case']}/decision", "moderator",
                         json={"action": "suspend", "clause": "2.2", "duration_days": 30})
    assert suspended.status_code == 200, suspended.text
    assert svc.get(f"/v1/reports/{page['id']}", "ingest").json()["state"] == "upheld"
    t = svc.get("/v1/reports/transparency", "auditor").json()
    received = t["reports"]["received"]
    assert (received["total"], received["users"], received["trusted_flaggers"]) == (5, 4, 1)
    assert received["by_category"] == {"impersonation": 1, "scam": 3, "spam": 1}
    assert t["reports"]["answered"] == {"flagger": {"upheld": 1}, "user": {"upheld": 3, "rejected": 1}}
    assert t["reports"]["acted_on_by_category"] == {"impersonation": {"user": 1}, "scam": {"user": 2, "flagger": 1}}
    assert t["reports"]["median_hours_to_action"] == 2.0
    assert t["accounts"]["actioned_by_type"] == {"suspend": 1}
