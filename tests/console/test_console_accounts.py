"""The console's account pages and account cases, without JavaScript (TestClient).

The seed has one author (``u0100020``) with posts on facebook AND on tiktok: the two are different
accounts, and neither page may show the other's strikes or history. p0039 ("MB Bank Chăm Sóc Khách
Hàng") is an impersonating account, for which the worker opened an account case.
"""

from __future__ import annotations

import re

import pytest

from khien.clock import FakeClock

DAY = 86_400
START = 1_800_000_000.0  # 2027-01-15, after the seed's own timestamps
AUTHOR = "u0100020"  # "Ông Ba Bị Store": t-same-author and p0001 on facebook, t-other-platform on tiktok
NOTE = "Nhiều người dùng báo tài khoản này nhắn tin lừa đặt cọc giữ chỗ qua Zalo"


def _case_of(store, item_id: str, platform: str = "facebook") -> int:
    from khien.review import cases

    with store.read() as tx:
        found = cases.list_cases(tx, state=None, limit=500)
    return next(c.case.id for c in found if c.case.item_id == item_id and c.case.platform == platform)


def _clocked(browser) -> FakeClock:
    clock = FakeClock(START)
    browser.client.app.state.clock = clock
    return clock


def _remove(b, case_id: int, clause: str) -> None:
    """A moderator upholds the engine's removal through the forms (claim, decide, confirm)."""
    assert b.post(f"/cases/{case_id}/claim").status_code == 303
    r = b.post(f"/cases/{case_id}/decide", {"op": "decide", "confirm": "1", "action": "remove", "clause": clause,
                                            "note": ""})
    assert r.status_code == 303, r.text


def _account(store, engine, platform: str, author_id: str, clock):
    from khien.review import accounts

    with store.read() as tx:
        return accounts.get_account(tx, engine.policy, platform, author_id, clock=clock)


def _notice(html: str) -> dict[str, str]:
    found = dict(re.findall(r'<blockquote class="sor" lang="(vi|en)"[^>]*>([^<]*)</blockquote>', html))
    assert set(found) == {"vi", "en"}, "no bilingual notice on the page"
    import html as h

    return {k: h.unescape(v) for k, v in found.items()}


def test_account_pages_are_for_moderators_auditors_and_admins(console, store):
    lan, thu, quan, nap, nobody = console(), console(), console(), console(), console()
    for b, name in ((lan, "lan"), (thu, "thu"), (quan, "quan"), (nap, "nap")):
        assert b.sign_in(name).status_code == 303
    for b in (lan, thu, quan):
        r = b.get("/accounts")
        assert r.status_code == 200 and 'href="/accounts"' in r.text
        page = b.get("/accounts/facebook/u0100649")  # the impersonating account the worker recorded
        assert page.status_code == 200 and "MB Bank Chăm Sóc Khách Hàng" in page.text
    assert 'id="open-case-form"' in lan.get("/accounts/facebook/u0100649").text
    auditor_view = thu.get("/accounts/facebook/u0100649").text
    assert 'id="open-case-form"' not in auditor_view  # auditors read; only moderators open cases
    assert 'href="/accounts"' not in nap.get("/policy").text
    assert nap.get("/accounts", follow_redirects=False).status_code == 403
    assert nap.get("/accounts/facebook/u0100649", follow_redirects=False).status_code == 403
    r = nobody.get("/accounts/facebook/u0100649", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    refused = thu.post("/accounts/facebook/u0100649/cases", {"note": NOTE})
    assert refused.status_code == 403
    # the search opens one account's page; an author id alone is not enough
    r = lan.get("/accounts?platform=facebook&author_id=u0100649", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/accounts/facebook/u0100649"
    assert "một nền tảng" in lan.get("/accounts?author_id=u0100649").text


def test_an_account_page_shows_strikes_and_history_of_its_platform_only(console, store, engine):
    lan = console()
    assert lan.sign_in("lan").status_code == 303
    clock = _clocked(lan)
    _remove(lan, _case_of(store, "t-same-author"), "2.1")  # scam strike on facebook
    clock.advance(DAY)
    _remove(lan, _case_of(store, "t-other-platform", "tiktok"), "2.1")  # the same author id, on tiktok
    clock.advance(DAY)

    fb = lan.get(f"/accounts/facebook/{AUTHOR}")
    assert fb.status_code == 200
    strikes = fb.text.split('id="strikes"')[1].split("</table>")[0]
    assert "t-same-author" in strikes and "t-other-platform" not in strikes
    assert "t-other-platform" not in fb.text and "tiktok" not in fb.text  # nothing from the other platform
    assert "p0001" in fb.text.split('id="item-decisions"')[1]  # the engine's decision on another facebook post
    assert "Ông Ba Bị Store" in fb.text
    tt = lan.get(f"/accounts/tiktok/{AUTHOR}")
    assert tt.status_code == 200
    assert "t-other-platform" in tt.text and "t-same-author" not in tt.text and "p0001" not in tt.text
    # a strike's expiry comes from the policy: 90 days for scam
    view = _account(store, engine, "facebook", AUTHOR, clock)
    (strike,) = view.strikes
    from khien.clock import iso

    assert iso(strike.created_ts + 90 * DAY)[:10] in strikes


def test_open_an_account_case_by_hand_then_suspend_it_with_a_preview(console, store, engine):
    lan, thu = console(), console()
    assert lan.sign_in("lan").status_code == 303 and thu.sign_in("thu").status_code == 303
    clock = _clocked(lan)
    _remove(lan, _case_of(store, "t-same-author"), "2.1")
    assert lan.client.post(f"/accounts/facebook/{AUTHOR}/cases", data={"note": NOTE}).status_code == 400  # no CSRF
    r = lan.post(f"/accounts/facebook/{AUTHOR}/cases", {"note": NOTE, "category": "scam"})
    assert r.status_code == 303
    case_id = int(re.match(r"/cases/(\d+)\?msg=case_opened", r.headers["location"]).group(1))
    again = lan.post(f"/accounts/facebook/{AUTHOR}/cases", {"note": NOTE})
    assert again.status_code == 409 and f"({case_id})" in again.text  # one open case at a time, named
    assert f'href="/cases/{case_id}"' in lan.get(f"/accounts/facebook/{AUTHOR}").text  # listed as open

    queue = lan.get("/queue").text
    row = queue.split(f'data-case="{case_id}"')[1].split("</tr>")[0]
    assert 'data-subject="account"' in row and "Ông Ba Bị Store" in row  # the account instead of a snippet

    page = lan.get(f"/cases/{case_id}")
    assert page.status_code == 200 and 'id="account-summary"' in page.text and NOTE in page.text
    assert "t-same-author" in page.text.split('id="strikes"')[1]  # its strikes beside the form
    assert 'name="duration_days"' in page.text and "disabled" in page.text.split('id="decide-form"')[1][:900]
    assert lan.post(f"/cases/{case_id}/claim").status_code == 303

    form = {"action": "suspend", "duration_days": "30", "clause": "2.1", "note": ""}
    preview = lan.post(f"/cases/{case_id}/decide", form | {"op": "preview"})
    assert preview.status_code == 200
    shown = _notice(preview.text)
    assert "tạm khóa 30 ngày" in shown["vi"] and "suspended for 30 days" in shown["en"]
    assert "t-same-author" in shown["en"]  # the items behind it
    assert _account(store, engine, "facebook", AUTHOR, clock).account.status_at(clock.now()) == "active"
    live = lan.get(f"/cases/{case_id}/preview?action=suspend&duration_days=30&clause=2.1&note=").json()
    assert live["reasons"] == shown  # the script's preview says the same

    confirm = lan.post(f"/cases/{case_id}/decide", form | {"op": "decide"})
    assert confirm.status_code == 200 and 'name="confirm" value="1"' in confirm.text
    assert 'name="duration_days" value="30"' in confirm.text and _notice(confirm.text) == shown
    assert _account(store, engine, "facebook", AUTHOR, clock).account.status == "active"  # nothing recorded yet
    done = lan.post(f"/cases/{case_id}/decide", form | {"op": "decide", "confirm": "1"})
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{case_id}?msg=decided"

    view = _account(store, engine, "facebook", AUTHOR, clock)
    assert view.account.status_at(clock.now()) == "suspended"
    assert view.account.status_until == pytest.approx(START + 30 * DAY)
    assert dict(view.decisions[0].decision.reasons) == shown  # the notice previewed is the notice sent
    decided = lan.get(f"/cases/{case_id}").text
    assert _notice(decided) == shown and "decide-form" not in decided
    account_page = thu.get(f"/accounts/facebook/{AUTHOR}").text
    assert "bị tạm khóa" in account_page and "2027-02-14" in account_page  # status and until when
    assert view.account.status_at(START + 31 * DAY) == "active"  # the suspension ends by itself
    listed = thu.get("/accounts?status=suspended").text
    assert f"/accounts/facebook/{AUTHOR}" in listed and "/accounts/tiktok/" not in listed
    audit = thu.get("/audit?type=account.decided").text
    assert f"account:facebook:{AUTHOR}" in audit


def test_the_note_of_a_case_opened_by_hand_is_shown_where_the_case_is_worked(console, store):
    import html

    lan, minh = console(), console()
    assert lan.sign_in("lan").status_code == 303 and minh.sign_in("minh").status_code == 303
    _clocked(lan)
    note = NOTE + " <ảnh chụp màn hình đính kèm> & số tài khoản 0912345678"
    r = lan.post(f"/accounts/facebook/{AUTHOR}/cases", {"note": note, "category": "scam"})
    case_id = int(re.match(r"/cases/(\d+)\?msg=case_opened", r.headers["location"]).group(1))
    page = minh.get(f"/cases/{case_id}").text  # another moderator works it: the note comes with the case
    shown = re.search(r'<blockquote class="note" lang="vi" id="opened-note">([^<]*)</blockquote>', page)
    assert shown and html.unescape(shown.group(1)) == note  # escaped, word for word
    assert re.search(r'id="opened-by">[^<]*\blan</p>', page)
    # a case the worker opened for an impersonation finding carries no person's note
    worker_case = minh.get(f"/cases/{_case_of(store, 'u0100649')}").text
    assert 'id="account-summary"' in worker_case and 'id="opened-note"' not in worker_case


def test_bad_input_gets_clear_pages(console, store):
    lan = console()
    assert lan.sign_in("lan").status_code == 303
    _clocked(lan)
    missing = lan.get("/accounts/facebook/khong-ton-tai")
    assert missing.status_code == 404 and "khong-ton-tai" in missing.text
    unknown = lan.post("/accounts/facebook/khong-ton-tai/cases", {"note": NOTE})
    assert unknown.status_code == 404
    empty = lan.post(f"/accounts/facebook/{AUTHOR}/cases", {"note": "   "})
    assert empty.status_code == 422 and "note" in empty.text
    bad_category = lan.post(f"/accounts/facebook/{AUTHOR}/cases", {"note": NOTE, "category": "lừa-đảo"})
    assert bad_category.status_code == 422 and "unknown category" in bad_category.text

    case_id = _case_of(store, "u0100649")  # the impersonation case the worker opened
    assert lan.post(f"/cases/{case_id}/claim").status_code == 303
    page = lan.get(f"/cases/{case_id}").text
    assert "MB Bank Chăm Sóc Khách Hàng" in page and "giả danh" in _notice(page)["vi"]  # the finding, named
    for form, words in (({"action": "ban", "duration_days": "7"}, "applies only to restrict and suspend"),
                        ({"action": "suspend", "duration_days": "ba mươi"}, "whole number of days"),
                        ({"action": "suspend", "duration_days": "0"}, "between 1 and"),
                        ({"action": "remove"}, "must be one of")):
        r = lan.post(f"/cases/{case_id}/decide", {"clause": "2.2", "note": "", "op": "decide", "confirm": "1"} | form)
        assert r.status_code == 422, (form, r.status_code)
        assert words in r.text and 'id="problem"' in r.text
    with store.read() as tx:
        from khien.review import cases

        assert cases.get_case(tx, case_id).state == "open"  # nothing was decided


def test_a_suspension_by_the_strike_ladder_is_shown_as_the_rule_s_not_a_person_s(console, store, engine):
    """Three upheld scam removals in 90 days suspend the account: its history names the published
    rule as the decider (the strikes name lan), never the internal actor ``system:accounts``."""
    from khien.model import Item
    from khien.review.intake import moderate_many

    lan = console()
    assert lan.sign_in("lan").status_code == 303
    clock = _clocked(lan)
    author = {"id": AUTHOR, "display_name": "Ông Ba Bị Store"}
    texts = {"t-ladder-2": "Tuyển cộng tác viên chốt đơn online, việc nhẹ lương cao 700k/ngày, nộp 300k phí giữ chỗ qua Zalo 0912345678",
             "t-ladder-3": "Cần gấp 20 bạn làm nhiệm vụ thả tim nhận hoa hồng, nạp trước 500k để kích hoạt tài khoản, ib Zalo 0987654321"}
    items = [Item.from_dict({"id": k, "platform": "facebook", "author": author, "text": v, "reach": {"views": 40}})
             for k, v in texts.items()]
    with store.write() as tx:
        moderate_many(tx, engine.policy, [(i, engine.decide(i)) for i in items], clock=clock)
    for item_id in ("t-same-author", *texts):
        _remove(lan, _case_of(store, item_id), "2.1")
        clock.advance(DAY)
    view = _account(store, engine, "facebook", AUTHOR, clock)
    assert view.account.status == "suspended"
    page = lan.get(f"/accounts/facebook/{AUTHOR}").text
    decided = page.split('id="account-decisions"')[1].split("</table>")[0]
    assert "Quy tắc đã công bố" in decided and "system:accounts" not in decided
