"""Accounts through the API: strikes from decided cases, account cases decided with account actions,
account appeals, and the errors bad input gets."""

from khien.clock import FakeClock

DAY = 86_400
SCAMS = [
    "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678",
    "Tuyển cộng tác viên online làm tại nhà, lương 500k/ngày, chỉ cần nạp trước 300k phí đào tạo, liên hệ Zalo 0912345678",
    "Việc nhẹ lương cao 800k/ngày, không cần kinh nghiệm, đóng phí giữ chỗ 200k, ib Zalo 0987654321",
]
AUTHOR = {"id": "u-minh", "display_name": "Minh Trần", "followers": 2500}


def _moderate(service, item_id, text, author=AUTHOR):
    r = service.post("/v1/moderate", "ingest", json={"id": item_id, "platform": "forum", "text": text,
                                                     "author": author, "reach": {"views": 300}})
    assert r.status_code in (200, 201), r.text
    return r.json()


def _case_of(service, item_id):
    cases = service.get("/v1/cases?limit=500", "moderator").json()["cases"]
    return next(c for c in cases if c["item"]["id"] == item_id)


def _decide(service, case_id, who="moderator", **body):
    assert service.post(f"/v1/cases/{case_id}/claim", who).status_code == 200
    return service.post(f"/v1/cases/{case_id}/decision", who, json=body)


def test_strikes_suspend_then_an_appeal_reverses_it(service):
    clock = FakeClock()
    service.app.state.clock = clock  # the strikes' time, moved by days
    if True:
        for n, text in enumerate(SCAMS):
            _moderate(service, f"s{n}", text)
            r = _decide(service, _case_of(service, f"s{n}")["id"], action="remove", clause="2.1")
            assert r.status_code == 200, r.text
            clock.advance(5 * DAY)
        r = service.get("/v1/accounts/forum/u-minh", "auditor")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "suspended" and body["strikes"]["weight"] == 3
        assert [s["item"]["id"] for s in body["strikes"]["active"]] == ["s0", "s1", "s2"]
        decision = body["history"]["account_decisions"][0]
        assert decision["action"] == "suspend" and decision["rules"] == ["account.fraud-repeat"]
        assert "s0, s1, s2" in decision["reasons"]["en"]
        listed = service.get("/v1/accounts?status=suspended", "moderator").json()["accounts"]
        assert [a["author_id"] for a in listed] == ["u-minh"]
        assert service.get("/v1/accounts?status=active", "moderator").json()["accounts"] == []

        r = service.post("/v1/appeals", "ingest", json={"account": "u-minh", "platform": "forum",
                                                       "statement": "Tôi không đăng những bài này, tài khoản bị hack"})
        assert r.status_code == 201, r.text
        appeal = r.json()
        assert appeal["original_decision"] == decision["id"] and appeal["item"]["id"] == "u-minh"
        # "an" upheld every removal, but the suspension is the rule's (system:accounts): an may decide it
        assert appeal["original_decider"] == "system:accounts"
        r = service.post(f"/v1/appeals/{appeal['id']}/decision", "moderator", json={"outcome": "reversed"})
        assert r.status_code == 200, r.text
        assert r.json()["new_decision"]["action"] == "allow"
        after = service.get("/v1/accounts/forum/u-minh", "moderator").json()
        assert after["status"] == "active" and after["strikes"]["active"] == []
        assert [s["removed_by"] for s in after["strikes"]["removed"]] == ["an"] * 3
        assert after["history"]["appeals"][0]["outcome"] == "reversed"


def test_a_manual_account_case_through_the_api(service):
    _moderate(service, "p1", "Cho mình hỏi shop còn áo size M không ạ?")
    r = service.post("/v1/accounts/forum/u-minh/cases", "moderator",
                     json={"note": "Người dùng báo tài khoản này nhắn tin lừa đặt cọc", "category": "scam"})
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["origin"] == "account" and case["item"]["id"] == "u-minh" and case["item_version"] == 0
    assert service.post(f"/v1/cases/{case['id']}/claim", "moderator").status_code == 200
    for body, field in (({"action": "explode"}, "action"), ({"action": "ban", "duration_days": 7}, "duration_days"),
                        ({"action": "suspend", "duration_days": 0}, "duration_days"),
                        ({"action": "remove", "clause": "2.1"}, "action")):
        r = service.post(f"/v1/cases/{case['id']}/decision", "moderator", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["field"] == field, r.json()
    r = service.post(f"/v1/cases/{case['id']}/decision", "moderator",
                     json={"action": "restrict", "clause": "2.1", "duration_days": 10, "note": "Cảnh báo lần đầu"})
    assert r.status_code == 200, r.text
    assert r.json()["outcome"]["action"] == "restrict"
    account = service.get("/v1/accounts/forum/u-minh", "moderator").json()
    assert account["status"] == "restricted" and account["status_until"] is not None
    assert account["history"]["item_decisions"][0]["item"] == "p1"


def test_bad_input_gets_clear_errors(service):
    r = service.get("/v1/accounts/forum/u-nobody", "moderator")
    assert r.status_code == 404 and "u-nobody" in r.json()["detail"] and "forum" in r.json()["detail"]
    r = service.post("/v1/accounts/forum/u-nobody/cases", "moderator", json={"note": "Xem lại"})
    assert r.status_code == 404 and "u-nobody" in r.json()["detail"]
    _moderate(service, "p1", "Cho mình hỏi shop còn áo size M không ạ?")
    r = service.post("/v1/accounts/shop/u-minh/cases", "moderator", json={"note": "Xem lại"})
    assert r.status_code == 404 and "'shop'" in r.json()["detail"]  # an account on another platform
    r = service.post("/v1/accounts/forum/u-minh/cases", "moderator", json={"note": "Xem lại", "category": "bogus"})
    assert r.status_code == 422 and r.json()["field"] == "category"
    assert service.post("/v1/accounts/forum/u-minh/cases", "ingest", json={"note": "x"}).status_code == 403
    assert service.get("/v1/accounts?status=sleeping", "moderator").status_code == 422
    r = service.post("/v1/appeals", "ingest", json={"account": "u-minh", "item": "p1", "platform": "forum",
                                                   "statement": "Sai rồi"})
    assert r.status_code == 422
    r = service.post("/v1/appeals", "ingest", json={"account": "u-minh", "platform": "forum", "statement": "Sai"})
    assert r.status_code == 404 and "u-minh" in r.json()["detail"]
    r = service.post("/v1/appeals", "ingest", json={"platform": "forum", "statement": "Sai"})
    assert r.status_code == 422
