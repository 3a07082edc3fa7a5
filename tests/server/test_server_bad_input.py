"""Bad input is a 4xx problem+json that names the field, never a 500."""

import pytest

ITEM = {"id": "p1", "text": "Hôm nay trời đẹp quá"}


def _problem(r, status, field=None):
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and body["detail"] and body["type"].startswith("https://")
    if field is not None:
        assert body["field"] == field, body
    return body


@pytest.mark.parametrize("raw", [b'{"id": "p1", "text": ', b"not json", b"{'id': 'p1'}", b"[1, 2,]"])
def test_malformed_json(service, raw):
    body = _problem(service.post("/v1/moderate", "ingest", content=raw), 400, "body")
    assert "not valid JSON" in body["detail"]


def test_empty_body(service):
    _problem(service.post("/v1/moderate", "ingest", content=b""), 400, "body")


@pytest.mark.parametrize("item, field", [
    ({"id": "p1", "text": 5}, "text"),
    ({"id": "p1"}, "text"),
    ({"text": "Hôm nay trời đẹp quá"}, "id"),
    ({"id": True, "text": "x"}, "id"),
    ({"id": "p1", "text": "x", "reach": "nhiều"}, "reach"),
    ({"id": "p1", "text": "x", "media": [1]}, "media"),
    ({"id": "p1", "text": "x", "author": {"followers": "10"}}, "author.followers"),
    ({"id": "p1", "text": "x", "author": {"verified": "yes"}}, "author.verified"),
    ({"id": "p1", "text": "x", "platform": 7}, "platform"),
    ({"id": "p" * 301, "text": "x"}, "id"),
])
def test_wrong_types_name_the_field(service, item, field):
    _problem(service.post("/v1/moderate", "ingest", json=item), 422, field)


def test_not_an_object(service):
    _problem(service.post("/v1/moderate", "ingest", json=["p1"]), 422)
    _problem(service.post("/v1/items", "ingest", json=[ITEM]), 422, "body")


def test_unknown_fields_are_rejected(service):
    body = _problem(service.post("/v1/moderate", "ingest", json=ITEM | {"score": 1}), 422, "score")
    assert "unknown field 'score'" in body["detail"]
    _problem(service.post("/v1/items", "ingest", json={"items": [ITEM], "extra": 1}), 422, "extra")
    _problem(service.post("/v1/items", "ingest", json={"items": [ITEM, ITEM | {"colour": "red"}]}), 422,
             "items[1].colour")
    _problem(service.post("/v1/appeals", "ingest", json={"item": "p1", "statement": "x", "mood": "sad"}), 422, "mood")


def test_batch_errors_name_the_item(service):
    _problem(service.post("/v1/items", "ingest", json={"items": [ITEM, {"id": "p2", "text": None}]}), 422,
             "items[1].text")
    _problem(service.post("/v1/items", "ingest", json={"items": []}), 422, "items")
    many = {"items": [ITEM | {"id": f"p{i}"} for i in range(1001)]}
    _problem(service.post("/v1/items", "ingest", json=many), 422, "items")
    # all or nothing: nothing of a rejected batch was stored
    assert service.get("/v1/items/p1", "ingest").status_code == 404


def test_model_bodies_name_the_field(service):
    service.post("/v1/moderate", "ingest", json={"id": "s1", "text": "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, "
                                                               "ib Zalo 0912345678"})
    case_id = service.get("/v1/cases", "moderator").json()["cases"][0]["id"]
    _problem(service.post(f"/v1/cases/{case_id}/decision", "moderator", json={"action": "delete"}), 422, "action")
    _problem(service.post(f"/v1/cases/{case_id}/decision", "moderator", json={"action": 1}), 422, "action")
    _problem(service.post(f"/v1/cases/{case_id}/decision", "moderator", json={}), 422, "action")
    _problem(service.post("/v1/appeals", "ingest", json={"item": "s1", "statement": 5}), 422, "statement")
    _problem(service.post("/v1/legal-requests", "admin", json={"authority": "A", "legal_basis": "B", "items": [{"id": 3}],
                                                               "requested_action": "remove", "deadline": "2026-12-31"}),
             422, "items[0].id")
    _problem(service.post("/v1/keys", "admin", json={"role": "root"}), 422, "role")
    _problem(service.post("/v1/webhooks", "admin", json={"url": "ftp://example.org"}), 422, "url")
    _problem(service.get("/v1/cases?limit=0", "moderator"), 422, "limit")
    _problem(service.get("/v1/cases/abc", "moderator"), 422, "case_id")


def test_oversized_body(service):
    huge = b'{"id": "p1", "text": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    body = _problem(service.post("/v1/moderate", "ingest", content=huge), 413, "body")
    assert "limit" in body["detail"]


def test_oversized_body_without_a_length_header(service):
    def chunks():
        yield b'{"id": "p1", "text": "'
        for _ in range(40):
            yield b"a" * 65536
        yield b'"}'

    _problem(service.post("/v1/moderate", "ingest", content=chunks()), 413, "body")


def test_invalid_utf8(service):
    raw = '{"id": "p1", "text": "Hôm nay '.encode() + b"\xff\xfe" + ' đẹp"}'.encode()
    body = _problem(service.post("/v1/moderate", "ingest", content=raw), 400, "body")
    assert "UTF-8" in body["detail"]


def test_lone_surrogates_and_nul(service):
    _problem(service.post("/v1/moderate", "ingest", content=b'{"id": "p1", "text": "\\ud800"}'), 400, "body")
    _problem(service.post("/v1/moderate", "ingest", content=b'{"id": "p\\u0000", "text": "x"}'), 400, "body")
    _problem(service.get("/v1/items/p%00", "ingest"), 400, "url")


def test_unknown_routes_and_methods_are_problems_too(service):
    _problem(service.get("/v1/nothing", "ingest"), 404)
    _problem(service.client.put("/v1/moderate", headers=service.as_("ingest"), json=ITEM), 405)


def test_the_published_item_schema_is_the_parsers_table(service):
    from khien.model import ITEM_FIELDS, ITEM_REQUIRED

    spec = service.client.get("/openapi.json").json()
    schema = spec["paths"]["/v1/moderate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"] == {k: dict(v) for k, v in ITEM_FIELDS.items()}
    assert schema["required"] == list(ITEM_REQUIRED) and schema["additionalProperties"] is False


@pytest.mark.parametrize("body,field", [
    ({"id": "x" * 301, "text": "Chào cả nhà"}, "id"),
    ({"id": "p1", "platform": "p" * 101, "text": "Chào cả nhà"}, "platform"),
    ({"id": "p1", "text": "Chào cả nhà", "author": {"followers": -3}}, "author.followers"),
    ({"id": "p1", "text": "Chào cả nhà", "author": {"ten": "Lan"}}, "author.ten"),
])
def test_what_the_schema_declares_the_parser_enforces(service, body, field):
    _problem(service.post("/v1/moderate", "ingest", json=body), 422, field)
