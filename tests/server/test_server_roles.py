"""Every endpoint × every role: 401 without a key, 403 with the wrong role, through with the right one."""

import pytest

from khien.enums import Role, values

ROLES = values(Role)
ITEM = {"id": "r1", "platform": "forum", "text": "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"}

# (method, path, roles allowed besides admin, body)
MATRIX = [
    ("POST", "/v1/moderate", {"ingest"}, ITEM),
    ("POST", "/v1/items", {"ingest"}, {"items": [ITEM | {"id": "r2"}]}),
    ("GET", "/v1/items/{item_id}", {"ingest", "moderator"}, None),
    ("GET", "/v1/items", set(), None),
    ("POST", "/v1/items/{item_id}/retry", set(), None),
    ("GET", "/v1/cases", {"moderator"}, None),
    ("GET", "/v1/cases/{case_id}", {"moderator"}, None),
    ("POST", "/v1/cases/{case_id}/claim", {"moderator"}, None),
    ("POST", "/v1/cases/{case_id}/decision", {"moderator"}, {"action": "remove", "clause": "2.1"}),
    ("GET", "/v1/campaigns/{key}", {"moderator"}, None),
    ("POST", "/v1/campaigns/{key}/decision", {"moderator"}, {"action": "remove", "clause": "2.1", "reason": "Lừa đảo"}),
    ("POST", "/v1/appeals", {"ingest"}, {"item": "r1", "platform": "forum", "statement": "Tôi không lừa đảo"}),
    ("GET", "/v1/appeals", {"moderator"}, None),
    ("GET", "/v1/appeals/{appeal_id}", {"moderator"}, None),
    ("POST", "/v1/appeals/{appeal_id}/decision", {"moderator"}, {"outcome": "upheld"}),
    ("POST", "/v1/legal-requests", set(), {"authority": "Bộ Công an", "legal_basis": "Luật An ninh mạng 2018",
                                           "items": [{"id": "r1", "platform": "forum"}], "requested_action": "review",
                                           "deadline": "2026-12-31"}),
    ("GET", "/v1/legal-requests", {"auditor"}, None),
    ("GET", "/v1/legal-requests/{request_id}", {"auditor"}, None),
    ("GET", "/v1/audit", {"auditor"}, None),
    ("GET", "/v1/audit/verify", {"auditor"}, None),
    ("GET", "/v1/reports/transparency", {"auditor"}, None),
    ("POST", "/v1/keys", set(), {"role": "auditor", "name": "kiểm toán"}),
    ("GET", "/v1/keys", set(), None),
    ("DELETE", "/v1/keys/{key_id}", set(), None),
    ("POST", "/v1/webhooks", set(), {"url": "http://127.0.0.1:9/hook"}),
    ("GET", "/v1/webhooks", set(), None),
    ("DELETE", "/v1/webhooks/{webhook_id}", set(), None),
    ("GET", "/v1/webhooks/dead-letters", set(), None),
    ("POST", "/v1/webhooks/dead-letters/{dead_id}/replay", set(), None),
    ("GET", "/v1/accounts", {"moderator", "auditor"}, None),
    ("GET", "/v1/accounts/{platform}/{author_id}", {"moderator", "auditor"}, None),
    ("POST", "/v1/accounts/{platform}/{author_id}/cases", {"moderator"}, {"note": "Tài khoản giả danh ngân hàng"}),
    ("POST", "/v1/reports", {"ingest"}, {"platform": "forum", "reporter": {"id": "u1"}, "subject": {"item": "r1"},
                                         "category": "scam", "statement": "Lừa chuyển khoản"}),
    ("GET", "/v1/reports", {"auditor", "moderator"}, None),
    ("GET", "/v1/reports/{report_id}", {"ingest", "auditor", "moderator"}, None),
    ("POST", "/v1/reports/{report_id}/contest", {"ingest"}, {"statement": "Vẫn là lừa đảo"}),
    ("POST", "/v1/flaggers", set(), {"name": "Chống Lừa Đảo", "organisation": "Dự án", "respond_hours": 24}),
    ("GET", "/v1/flaggers", set(), None),
    ("DELETE", "/v1/flaggers/{name}", set(), None),
    ("POST", "/v1/claims", set(), {"@type": "ClaimReview", "claimReviewed": "Đập Hòa Bình sắp vỡ",
                                   "reviewRating": {"alternateName": "Tin giả"}, "url": "https://x.example.org/dap",
                                   "author": {"name": "Tin Thật"}}),
    ("GET", "/v1/claims/match", {"moderator"}, None),
]


def test_the_matrix_covers_every_v1_endpoint(service):
    spec = service.client.get("/openapi.json").json()
    routes = {(m.upper(), p) for p, ops in spec["paths"].items() if p.startswith("/v1/") for m in ops}
    assert routes == {(m, p) for m, p, _, _ in MATRIX}


def test_roles_by_endpoint(service):
    # ids that exist, so allowed calls reach their handler
    service.post("/v1/moderate", "ingest", json=ITEM)
    case_id = service.get("/v1/cases", "moderator").json()["cases"][0]["id"]
    appeal_id = service.post("/v1/appeals", "ingest", json={"item": "r1", "platform": "forum",
                                                            "statement": "Tôi không lừa đảo"}).json()["id"]
    report_id = service.post("/v1/reports", "ingest", json={"platform": "forum", "reporter": {"id": "u0"},
                                                            "subject": {"item": "r1"}, "category": "scam"}).json()["id"]
    ids = {"item_id": "r1", "case_id": case_id, "appeal_id": appeal_id, "request_id": 1, "key_id": 999,
           "webhook_id": 999, "dead_id": 999, "platform": "forum", "author_id": "u-r1", "report_id": report_id,
           "name": "không-có", "key": "cmp-000000000000"}
    for method, template, allowed, body in MATRIX:
        path = template.format(**ids)
        anonymous = service.client.request(method, path, json=body)
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.headers["content-type"] == "application/problem+json"
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        bogus = service.client.request(method, path, json=body, headers={"Authorization": "Bearer khien_nope"})
        assert bogus.status_code == 401, (method, path)
        for role in ROLES:
            r = service.client.request(method, path, json=body, headers=service.as_(role))
            if role == "admin" or role in allowed:
                assert r.status_code not in (401, 403), (method, path, role, r.text)
            else:
                assert r.status_code == 403, (method, path, role, r.status_code)
                assert r.json()["code"] == "khien.permission"


@pytest.mark.parametrize("header", ["Basic YWRtaW46YWRtaW4=", "Bearer", "khien_abc"])
def test_malformed_authorization_is_401(service, header):
    r = service.client.get("/v1/cases", headers={"Authorization": header})
    assert r.status_code == 401
