"""The console without JavaScript: sign-in, sessions, CSRF, roles, and the whole review flow."""

from __future__ import annotations

import re

import pytest

from khien.audit import list_events, verify
from khien.review import appeals
from khien.review.actor import Actor

from .conftest import PASSWORD, csrf_of


def _claim_next(b, **filters):
    r = b.post("/queue/claim-next", filters)
    assert r.status_code == 303, r.text
    m = re.match(r"/cases/(\d+)\?msg=claimed", r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(1))


def test_pages_need_a_session_and_keep_the_target(console):
    b = console()
    r = b.get("/queue?category=scam", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fqueue%3Fcategory%3Dscam"
    assert b.get("/policy").status_code == 200  # the published policy is public


def test_sign_in_with_a_wrong_password_is_refused_and_names_do_not_leak(console):
    b = console()
    wrong = b.sign_in("lan", "not-the-password")
    unknown = b.sign_in("nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Tên người dùng hoặc mật khẩu không đúng." in wrong.text
    assert b.client.cookies.get("khien_session") is None


def test_sign_in_sets_an_httponly_session_and_sign_out_ends_it(console):
    b = console()
    r = b.sign_in("lan")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "khien_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    token = b.client.cookies.get("khien_session")
    assert b.get("/queue").status_code == 200
    assert b.post("/logout").status_code == 303
    b.client.cookies.set("khien_session", token)  # the old cookie is worthless now
    assert b.get("/queue", follow_redirects=False).status_code == 303


def test_every_post_needs_the_csrf_token(console):
    b = console()
    page = b.get("/login")
    assert b.client.post("/login", data={"name": "lan", "password": PASSWORD}).status_code == 400
    assert b.client.post("/login", data={"csrf": "0" * 40, "name": "lan", "password": PASSWORD}).status_code == 400
    assert b.client.post("/login", data={"csrf": csrf_of(page.text), "name": "lan", "password": PASSWORD},
                         follow_redirects=False).status_code == 303
    b.csrf = csrf_of(b.get("/queue").text)
    for path in ("/queue/claim-next", "/logout", "/cases/1/claim", "/cases/1/decide", "/appeals/1/decide"):
        r = b.client.post(path, data={"csrf": "forged"}, follow_redirects=False)
        assert r.status_code == 400, path
    # The token of one session is not valid in another.
    other = console()
    other.sign_in("minh")
    assert other.client.post("/queue/claim-next", data={"csrf": b.csrf}).status_code == 400


def test_roles_as_in_the_api(console):
    auditor, moderator, ingest = console(), console(), console()
    auditor.sign_in("thu")
    moderator.sign_in("lan")
    ingest.sign_in("nap")
    assert auditor.get("/queue").status_code == 403
    assert auditor.get("/audit").status_code == 200
    assert auditor.get("/legal").status_code == 200
    assert moderator.get("/audit").status_code == 403
    assert moderator.get("/appeals").status_code == 200
    assert ingest.get("/queue").status_code == 403
    assert ingest.get("/", follow_redirects=False).headers["location"] == "/policy"
    assert 'href="/audit"' not in moderator.get("/queue").text  # the nav shows only what the role may open


def test_next_is_never_an_open_redirect(console):
    b = console()
    page = b.get("/login")
    r = b.client.post("/login", data={"csrf": csrf_of(page.text), "name": "lan", "password": PASSWORD,
                                      "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"
    assert b.get("/lang/en?next=https://evil.example/", follow_redirects=False).headers["location"] == "/"


def test_queue_orders_by_priority_filters_and_shows_locks_to_others(console):
    lan, minh = console(), console()
    lan.sign_in("lan")
    minh.sign_in("minh")
    page = lan.get("/queue").text
    priorities = [float(p) for p in re.findall(r'<td class="num">(\d+\.\d)</td>', page)]
    assert priorities and priorities == sorted(priorities, reverse=True)
    scam = lan.get("/queue?category=scam").text
    assert 'class="cat cat-scam"' in scam and 'class="cat cat-hate"' not in scam
    assert "Không có ca nào" in lan.get("/queue?source=legal").text or "Hàng đợi trống" in lan.get("/queue?source=legal").text
    case_id = _claim_next(lan)
    assert f'href="/cases/{case_id}"' in lan.get("/queue").text  # "cases you hold"
    seen = minh.get("/queue").text
    assert '<span class="lock" title="lan đang xử lý đến' in seen
    assert minh.get("/queue/locks").json()["locks"][str(case_id)]["who"] == "lan"  # what the queue's script polls
    other = minh.get(f"/cases/{case_id}").text
    assert "lan đang xử lý đến" in other
    assert re.search(r'<fieldset\s+disabled', other)
    r = minh.post(f"/cases/{case_id}/decide", {"action": "remove", "clause": "2.1", "confirm": "1"})
    assert r.status_code == 409
    assert _claim_next(minh) != case_id  # claim-next skips a case someone holds


def test_case_page_shows_evidence_in_the_users_words_and_the_author_history(console):
    b = console()
    b.sign_in("lan")
    case_id = _claim_next(b, category="hate")
    page = b.get(f"/cases/{case_id}").text
    assert re.search(r'<mark class="cat-hate\s*" title="lexicon\.hate\.v1: hate / region">hồ sơ quê</mark>'
                     r'<small class="tag">lexicon·region</small>', page)
    assert "3.1" in page and "hate.suspected" in page
    # Earlier decisions of this author on this platform only, and never the text of those items.
    assert "t-same-author" in page
    assert "t-other-platform" not in page
    assert "nộp phí giữ chỗ" not in page
    assert "Nội dung đã bị" in page  # the server-side preview of the statement of reasons


def test_links_show_their_domains_and_media_is_blurred(console):
    b = console()
    b.sign_in("lan")
    page = b.get("/queue?category=spam").text
    case_id = int(re.search(r'href="/cases/(\d+)" class="rowlink"', page).group(1))
    spam = b.get(f"/cases/{case_id}").text
    assert "nhacai88vip.win" in spam and "hxxps://nhacai88vip[.]win" in spam
    media_case = None
    for cid in re.findall(r'href="/cases/(\d+)" class="rowlink"', b.get("/queue").text):
        body = b.get(f"/cases/{cid}").text
        if "t-media" in body:
            media_case = body
            break
    assert media_case is not None
    assert 'class="blurred"' in media_case and 'class="reveal"' in media_case and "<img src=\"data:image/svg+xml" in media_case


def test_decide_without_javascript_previews_confirms_and_records(console, store):
    b = console()
    b.sign_in("lan")
    case_id = _claim_next(b)
    preview = b.post(f"/cases/{case_id}/decide", {"op": "preview", "action": "label", "clause": "2.3", "note": ""})
    assert preview.status_code == 200 and "gắn nhãn cảnh báo" in preview.text
    missing = b.post(f"/cases/{case_id}/decide", {"op": "decide", "action": "remove", "clause": ""})
    assert missing.status_code == 422 and "clause" in missing.text
    confirm = b.post(f"/cases/{case_id}/decide", {"op": "decide", "action": "remove", "clause": "2.1", "note": "lừa đảo tuyển CTV"})
    assert confirm.status_code == 200 and "Xác nhận và gửi" in confirm.text
    assert 'name="confirm" value="1"' in confirm.text
    done = b.post(f"/cases/{case_id}/decide", {"op": "decide", "action": "remove", "clause": "2.1",
                                               "note": "lừa đảo tuyển CTV", "confirm": "1"})
    assert done.status_code == 303
    page = b.get(done.headers["location"]).text
    assert "Lý do đã gửi cho người dùng" in page and "Ghi chú của người kiểm duyệt: lừa đảo tuyển CTV" in page
    events = list_events(store, type="case.decided", subject=f"case:{case_id}").events
    assert len(events) == 1 and events[0].actor == "lan" and events[0].event.action == "remove"
    assert verify(store).ok


def test_preview_endpoint_follows_the_form(console):
    b = console()
    b.sign_in("lan")
    case_id = _claim_next(b)
    ok = b.get(f"/cases/{case_id}/preview?action=remove&clause=2.1&note=abc").json()
    assert "gỡ bỏ" in ok["reasons"]["vi"] and "removed" in ok["reasons"]["en"] and ok["error"] is None
    bad = b.get(f"/cases/{case_id}/preview?action=remove&clause=").json()
    assert bad["reasons"] is None and "clause" in bad["error"]


def test_appeal_is_decided_by_a_different_moderator(console, store):
    lan, minh = console(), console()
    lan.sign_in("lan")
    minh.sign_in("minh")
    case_id = _claim_next(lan)
    lan.post(f"/cases/{case_id}/decide", {"op": "decide", "action": "remove", "clause": "2.1", "confirm": "1"})
    with store.read() as tx:
        item = re.search(r"<span class=\"muted\">[^<]*· ([^ <]+)", lan.get(f"/cases/{case_id}").text)
    assert item
    from khien.review import cases

    with store.read() as tx:
        case = cases.get_case(tx, case_id)
    with store.write() as tx:
        appeal = appeals.submit(tx, Actor("user-42", "ingest"), item_id=case.item_id,
                                platform=case.platform or None, statement="Tôi không lừa đảo ai cả, đây là tin tuyển dụng thật.")
    listing = minh.get("/appeals").text
    assert f'href="/appeals/{appeal.id}"' in listing and "Tôi không lừa đảo ai cả" in listing
    own = lan.get(f"/appeals/{appeal.id}").text
    assert "không thể xét kháng nghị này" in own
    r = lan.post(f"/appeals/{appeal.id}/decide", {"outcome": "reversed", "action": "allow", "confirm": "1"})
    assert r.status_code == 403
    confirm = minh.post(f"/appeals/{appeal.id}/decide", {"outcome": "reversed", "action": "allow", "note": "tin thật"})
    assert confirm.status_code == 200 and 'name="confirm" value="1"' in confirm.text
    done = minh.post(f"/appeals/{appeal.id}/decide", {"outcome": "reversed", "action": "allow", "note": "tin thật",
                                                         "confirm": "1"})
    assert done.status_code == 303
    page = minh.get(done.headers["location"]).text
    assert "Đảo ngược" in page and "Kháng nghị được chấp nhận" in page
    auditor = console()
    auditor.sign_in("thu")
    audit = auditor.get("/audit?type=appeal.decided").text
    assert "Chuỗi băm toàn vẹn" in audit and f"appeal:{appeal.id}" in audit and "minh" in audit


def test_english_is_one_click_away(console):
    b = console()
    b.sign_in("lan")
    assert "Hàng đợi xem xét" in b.get("/queue").text
    r = b.get("/lang/en?next=%2Fqueue", follow_redirects=False)
    assert r.headers["location"] == "/queue"
    page = b.get("/queue").text
    assert "Review queue" in page and '<html lang="en">' in page


def test_policy_page_shows_the_published_clauses(console, engine):
    page = console().get("/policy").text
    for clause, name in engine.policy.clauses().items():
        cat = engine.policy.categories[name]
        assert f"Điều {clause}" in page and cat.title["vi"] in page
    assert engine.policy.appeal["vi"] in page


def test_console_pages_send_security_headers(console):
    r = console().get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "<script>" not in r.text and " style=" not in r.text  # nothing inline: the CSP forbids it
    assert r.headers["x-content-type-options"] == "nosniff"


def test_legal_requests_appear_in_the_ledger_and_the_queue(console, store):
    from khien.review import legal

    with store.write() as tx:
        legal.create(tx, Actor("quan", "admin"), authority="Sở Thông tin và Truyền thông TP.HCM",
                     legal_basis="Nghị định 147/2024/NĐ-CP, Điều 23", items=[("facebook", "p0003")],
                     requested_action="remove", deadline="2026-12-01T00:00:00Z", reference="CV-1234")
    auditor, moderator = console(), console()
    auditor.sign_in("thu")
    moderator.sign_in("lan")
    ledger = auditor.get("/legal").text
    assert "Sở Thông tin và Truyền thông TP.HCM" in ledger and "Nghị định 147/2024/NĐ-CP" in ledger
    queue = moderator.get("/queue?source=legal").text
    case_id = int(re.search(r'href="/cases/(\d+)" class="rowlink"', queue).group(1))
    page = moderator.get(f"/cases/{case_id}").text
    assert "Căn cứ pháp lý" in page and "Không gỡ chỉ vì có yêu cầu" in page


def test_sign_in_is_throttled_after_repeated_failures(console):
    from khien.access.throttle import LIMITS

    b = console()
    for _ in range(LIMITS.addr_limit):
        r = b.sign_in(f"khach-{_}", "wrong-password-x")
        assert r.status_code == 401
    refused = b.sign_in("minh")  # the right password, but from the address that has been guessing
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Đăng nhập sai quá nhiều lần" in refused.text


def test_a_guessed_account_still_signs_in_from_elsewhere_after_a_short_delay(console):
    from khien.access.throttle import LIMITS

    guesser, owner = console(), console()
    slept: list[float] = []

    async def record(delay: float) -> None:
        slept.append(delay)

    guesser.client.app.state.signin_sleep = record
    for _ in range(LIMITS.name_free + 6):
        assert guesser.sign_in("minh", "sai-mat-khau-roi").status_code == 401
    assert slept and slept == sorted(slept) and slept[-1] == LIMITS.name_max_delay  # grew, then capped
    before = len(slept)
    assert owner.sign_in("minh").status_code == 303  # delayed, never refused
    assert len(slept) == before + 1 and slept[-1] <= LIMITS.name_max_delay


def test_admins_disable_enable_and_reset_console_users_at_users(console):
    import re

    admin, lan = console(), console()
    assert admin.sign_in("quan").status_code == 303
    assert lan.sign_in("lan").status_code == 303 and lan.get("/queue").status_code == 200
    assert lan.get("/users", follow_redirects=False).status_code == 403
    assert "/users" not in lan.get("/queue").text  # the link is for admins only
    page = admin.get("/users")
    assert page.status_code == 200 and "lan" in page.text
    assert admin.client.post("/users/disable", data={"name": "lan"}).status_code == 400  # no CSRF token
    r = admin.post("/users/disable", {"name": "LAN"})
    assert r.status_code == 303 and r.headers["location"] == "/users?done=account_disabled"
    assert lan.get("/queue", follow_redirects=False).status_code == 303  # the session ended at once
    assert console().sign_in("lan").status_code == 401
    assert admin.post("/users/enable", {"name": "lan"}).status_code == 303
    reset = admin.post("/users/reset", {"name": "lan"})
    assert reset.status_code == 200
    new = re.search(r'<code class="secret">([^<]+)</code>', reset.text).group(1)
    assert console().sign_in("lan").status_code == 401  # the old password no longer works
    assert console().sign_in("lan", new).status_code == 303
    assert admin.post("/users/disable", {"name": "quan"}).status_code == 409  # not oneself


@pytest.mark.parametrize("password,ok", [("short", False), ("một câu dài đủ an toàn", True)])
def test_users_create_reads_the_password_twice_from_stdin(tmp_path, password, ok):
    from typer.testing import CliRunner

    from khien.cli.main import _register, app

    _register()
    url = f"sqlite:///{tmp_path / 'u.db'}"
    result = CliRunner().invoke(app, ["users", "create", "--role", "moderator", "--name", "lan", "--db", url],
                                input=f"{password}\n{password}\n")
    assert (result.exit_code == 0) is ok, result.output
    if ok:
        from khien.store import open_store
        from khien.store import users as rows

        with open_store(url).read() as tx:
            assert rows.find_user(tx, "lan").password_hash.startswith("$argon2id$")
        again = CliRunner().invoke(app, ["users", "create", "--role", "moderator", "--name", "hoa", "--db", url],
                                   input=f"{password}\nkhác hẳn mật khẩu\n")
        assert again.exit_code == 2 and "differ" in again.output


def test_demo_setup_leaves_cases_users_and_the_command(tmp_path):
    from typer.testing import CliRunner

    from khien.cli.main import _register, app
    from khien.access import authenticate
    from khien.store import open_store

    from .conftest import example_items

    _register()
    posts = tmp_path / "posts.jsonl"
    import orjson

    posts.write_bytes(b"\n".join(orjson.dumps(r) for r in example_items()))
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(app, ["demo-setup", "--db", url, "--input", str(posts), "--password", "demo-pass-123"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].strip() == f"khien serve --db {url}    # then open http://127.0.0.1:8080/"
    assert "open cases" in result.output and "lan, minh" in result.output
    store = open_store(url)
    assert authenticate(store, "minh", "demo-pass-123") is not None
    again = CliRunner().invoke(app, ["demo-setup", "--db", url, "--input", str(posts), "--password", "demo-pass-456"])
    assert again.exit_code == 0 and "0 items stored" in again.output
    assert authenticate(store, "lan", "demo-pass-456") is not None


IMPERSONATION_RULES = [
    {"id": "impersonation.confident", "description": "An account or link that clearly imitates a protected entity.",
     "category": "impersonation", "action": "remove", "when": {"category": "impersonation", "min_score": 0.8}},
]


def test_impersonation_case_shows_the_account_beside_the_protected_entity(store, tmp_path):
    from importlib import resources

    import yaml
    from fastapi.testclient import TestClient

    from khien.engine import Engine

    from .conftest import Browser, make_app, seed

    doc = yaml.safe_load(resources.files("khien.data").joinpath("policy.yaml").read_text(encoding="utf-8"))
    # The packaged policy may already run the impersonation detector; add it only where it does not.
    doc.setdefault("detectors", {}).setdefault("impersonation.v1", {"registry": "packaged:default"})
    known = {r["id"] for r in doc.get("rules") or []}
    doc["rules"] = list(doc.get("rules") or []) + [r for r in IMPERSONATION_RULES if r["id"] not in known]
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    engine = Engine.from_policy(path)
    seed(store, engine, [{"id": "fake-agribank", "platform": "facebook",
                          "text": "Cập nhật thông tin tài khoản tại agribank.com.vn.xac-minh.top để nhận hỗ trợ",
                          "author": {"id": "u77", "display_name": "Agribank CSKH", "handle": "agribank.cskh.24h"}}])
    with TestClient(make_app(store, engine)) as client:
        b = Browser(client)
        b.sign_in("lan")
        case_id = int(re.search(r'href="/cases/(\d+)" class="rowlink"', b.get("/queue").text).group(1))
        page = b.get(f"/cases/{case_id}").text
    assert "Mạo danh: tài khoản và đơn vị được bảo vệ" in page
    assert "Agribank CSKH" in page and "agribank.com.vn" in page  # the account, and the entity's official domain
    assert "xac-minh.top" in page  # the link, with its registrable domain


def test_the_queue_pages_through_many_cases(console, store, monkeypatch):
    from khien.server.console import cases as case_pages
    from khien.store.review import count_open_cases

    monkeypatch.setattr(case_pages, "QUEUE_PAGE", 3)
    b = console()
    b.sign_in("lan")
    ids = []
    for page_no in (1, 2, 3):
        page = b.get(f"/queue?page={page_no}").text
        ids += re.findall(r'href="/cases/(\d+)" class="rowlink"', page)
        assert ('rel="next"' in page) == (page_no < 3)
    with store.read() as tx:
        open_cases = count_open_cases(tx)
    assert len(ids) == len(set(ids)) == open_cases > 6


def test_the_audit_view_reports_a_broken_chain(console, store):
    from sqlalchemy import update

    from khien.store.schema import audit_events

    auditor = console()
    auditor.sign_in("thu")
    assert "Chuỗi băm toàn vẹn" in auditor.get("/audit").text
    with store.write() as tx:  # someone edits the log behind the service's back...
        tx.conn.execute(update(audit_events).where(audit_events.c.seq == 3).values(actor="someone-else"))
    lan = console()
    lan.sign_in("lan")
    _claim_next(lan)  # ...and the next event makes the view walk the chain again
    page = auditor.get("/audit").text
    assert "Chuỗi băm bị phá vỡ tại sự kiện 3" in page
