"""The HTTP API end to end: moderate, ingest, cases, appeals, legal requests, audit."""

import time

from khien.store import items as item_rows

SCAM = {"id": "p1", "platform": "forum", "text": "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678",
        "reach": {"views": 1200}}
FINE = {"id": "p2", "platform": "forum", "text": "Hôm nay trời đẹp quá"}


def test_moderate_returns_what_scan_writes_and_is_idempotent(service):
    first = service.post("/v1/moderate", "ingest", json=SCAM)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["id"] == "p1" and body["action"] == "remove" and body["automated"] is True
    assert {"categories", "rules", "policy", "reasons", "detectors"} <= set(body) and "dsa" not in body
    assert "Lừa đảo" in body["reasons"]["vi"]
    assert body["item_version"] == 1 and first.headers["Khien-Item-Version"] == "1"
    assert "Khien-Replayed" not in first.headers
    again = service.post("/v1/moderate", "ingest", json=SCAM | {"reach": {"views": 5000}})  # reach is no edit
    assert again.status_code == 200 and again.json() == body
    assert again.headers["Khien-Replayed"] == "true" and again.headers["Khien-Item-Version"] == "1"
    with_dsa = service.post("/v1/moderate?dsa=true", "ingest", json=SCAM).json()
    assert with_dsa["dsa"]["category"] == "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
    fine = service.post("/v1/moderate", "ingest", json=FINE).json()
    assert fine["action"] == "allow" and fine["categories"] == []
    with service.app.state.store.read() as tx:
        assert item_rows.decision_counts(tx) == {("forum", "p1"): 1, ("forum", "p2"): 1}


def test_batch_is_stored_then_decided_by_the_worker(service):
    items = [{"id": f"b{i}", "platform": "forum", "text": SCAM["text"] if i % 2 else FINE["text"]} for i in range(40)]
    r = service.post("/v1/items", "ingest", json={"items": items})
    assert r.status_code == 202 and r.json() == {"accepted": 40, "duplicates": 0, "edited": 0}
    pending = service.get("/v1/items/b1?platform=forum", "ingest").json()
    assert pending["status"] == "pending" and pending["decision"] is None
    assert service.post("/v1/items", "ingest", json={"items": items[:3]}).json() == {"accepted": 0, "duplicates": 3,
                                                                                     "edited": 0}
    worker = service.app.state.worker
    while worker.run_once():
        pass
    decided = service.get("/v1/items/b1?platform=forum", "moderator").json()
    assert decided["status"] == "decided" and decided["decision"]["action"] == "remove"
    assert decided["item"]["text"] == SCAM["text"]
    assert service.get("/v1/items/b0?platform=forum", "ingest").json()["decision"]["action"] == "allow"
    assert service.get("/v1/items/nope", "ingest").status_code == 404
    cases = service.get("/v1/cases?limit=500", "moderator").json()["cases"]
    assert len(cases) == 20


def test_the_background_worker_decides_without_help(start_service):
    with start_service(worker=True, worker_idle_s=0.05) as s:
        items = [{"id": f"w{i}", "text": FINE["text"]} for i in range(25)]
        assert s.post("/v1/items", "ingest", json={"items": items}).status_code == 202
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if s.get("/v1/items/w24", "ingest").json()["status"] == "decided":
                break
            time.sleep(0.05)
        assert all(s.get(f"/v1/items/w{i}", "ingest").json()["status"] == "decided" for i in range(25))
        assert s.client.get("/healthz").json()["worker"] is True


def _case_for(service, item_id):
    cases = service.get("/v1/cases", "moderator").json()["cases"]
    return next(c for c in cases if c["item"]["id"] == item_id)


def test_case_claim_decide_appeal_and_audit(service):
    service.post("/v1/moderate", "ingest", json=SCAM)
    case = _case_for(service, "p1")
    assert case["category"] == "scam" and case["proposed_action"] == "remove" and case["claimed_by"] is None
    detail = service.get(f"/v1/cases/{case['id']}", "moderator").json()
    assert detail["item"]["content"]["text"] == SCAM["text"] and detail["decision"]["action"] == "remove"

    assert service.post(f"/v1/cases/{case['id']}/decision", "moderator", json={"action": "remove", "clause": "2.1"}
                        ).status_code == 409  # not claimed yet
    claim = service.post(f"/v1/cases/{case['id']}/claim", "moderator")
    assert claim.status_code == 200 and claim.json()["claimed_by"] == "an"
    taken = service.post(f"/v1/cases/{case['id']}/claim", "moderator2")
    assert taken.status_code == 409 and taken.headers["content-type"] == "application/problem+json"
    bad_clause = service.post(f"/v1/cases/{case['id']}/decision", "moderator", json={"action": "remove", "clause": "7"})
    assert bad_clause.status_code == 422 and bad_clause.json()["field"] == "clause"
    done = service.post(f"/v1/cases/{case['id']}/decision", "moderator",
                        json={"action": "remove", "clause": "2.1", "note": "Lừa đảo tuyển CTV"})
    assert done.status_code == 200, done.text
    assert done.json()["outcome"]["automated"] is False and done.json()["decided_by"] == "an"

    appeal = service.post("/v1/appeals", "ingest", json={"item": "p1", "platform": "forum",
                                                         "statement": "Tôi tuyển cộng tác viên thật, có hợp đồng"})
    assert appeal.status_code == 201, appeal.text
    appeal_id = appeal.json()["id"]
    assert [a["id"] for a in service.get("/v1/appeals", "moderator").json()["appeals"]] == [appeal_id]
    same = service.post(f"/v1/appeals/{appeal_id}/decision", "moderator", json={"outcome": "reversed"})
    assert same.status_code == 403 and "different moderator" in same.json()["detail"]
    other = service.post(f"/v1/appeals/{appeal_id}/decision", "moderator2",
                         json={"outcome": "reversed", "note": "Có hợp đồng lao động"})
    assert other.status_code == 200, other.text
    assert other.json()["outcome"] == "reversed" and other.json()["new_decision"]["action"] == "allow"
    again = service.post(f"/v1/appeals/{appeal_id}/decision", "moderator2", json={"outcome": "upheld"})
    assert again.status_code == 409
    state = service.get("/v1/items/p1?platform=forum", "ingest").json()
    assert state["decision"]["action"] == "allow"

    verified = service.get("/v1/audit/verify", "auditor").json()
    assert verified["ok"] is True and verified["events"] >= 6
    events = service.get("/v1/audit?limit=1000", "auditor").json()["events"]
    types = [e["type"] for e in events]
    for expected in ("decision.automated", "case.opened", "case.claimed", "case.decided", "appeal.submitted",
                     "appeal.decided"):
        assert expected in types
    assert all(e["prev_hash"] == p["hash"] for p, e in zip(events, events[1:]))
    report = service.get("/v1/reports/transparency", "auditor").json()
    assert report["appeals"]["reversed"] == 1 and report["decisions"]["human"] == {"remove": 1}


def test_legal_request_ledger(service):
    service.post("/v1/moderate", "ingest", json=SCAM)
    r = service.post("/v1/legal-requests", "admin", json={
        "authority": "Cục An toàn thông tin", "legal_basis": "Nghị định 147/2024/NĐ-CP, Điều 23",
        "items": [{"id": "p1", "platform": "forum"}, {"id": "unknown-post", "platform": "forum"}],
        "requested_action": "remove", "deadline": "2026-12-31T17:00:00+07:00", "reference": "CV-123"})
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["status"] == "open" and len(req["actions"]) == 2
    legal_cases = [c for c in service.get("/v1/cases", "moderator").json()["cases"] if c["origin"] == "legal"]
    assert {c["item"]["id"] for c in legal_cases} == {"p1", "unknown-post"}
    for case in legal_cases:
        service.post(f"/v1/cases/{case['id']}/claim", "moderator")
        action = {"action": "remove", "clause": "2.1"} if case["item"]["id"] == "p1" else {"action": "allow"}
        assert service.post(f"/v1/cases/{case['id']}/decision", "moderator", json=action).status_code == 200
    done = service.get(f"/v1/legal-requests/{req['id']}", "auditor").json()
    assert done["status"] == "completed"
    assert {a["item"]["id"]: a["action"] for a in done["actions"]} == {"p1": "remove", "unknown-post": "allow"}
    ledger = service.get("/v1/legal-requests", "auditor").json()["legal_requests"]
    assert ledger[0]["authority"] == "Cục An toàn thông tin"
    bad = service.post("/v1/legal-requests", "admin", json={
        "authority": "X", "legal_basis": "Y", "items": [{"id": "p1"}], "requested_action": "remove",
        "deadline": "next week"})
    assert bad.status_code == 422 and bad.json()["field"] == "deadline"
    assert service.get("/v1/reports/transparency", "auditor").json()["legal_requests"]["requests"] == 1


def test_keys_can_be_created_and_revoked_by_an_admin(service):
    made = service.post("/v1/keys", "admin", json={"role": "moderator", "name": "chi"})
    assert made.status_code == 201
    key = made.json()["key"]
    assert service.client.get("/v1/cases", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    listed = service.get("/v1/keys", "admin").json()["keys"]
    assert all("key" not in k and "key_hash" not in k for k in listed)
    assert service.client.delete(f"/v1/keys/{made.json()['id']}", headers=service.as_("admin")).status_code == 204
    assert service.client.get("/v1/cases", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_health_metrics_and_openapi(service):
    assert service.client.get("/healthz").json()["status"] == "ok"
    service.post("/v1/moderate", "ingest", json=FINE)
    metrics = service.client.get("/metrics")
    assert metrics.status_code == 200
    assert 'khien_http_requests_total{method="POST",route="/v1/moderate",status="200"}' in metrics.text
    assert "khien_items_pending" in metrics.text
    spec = service.client.get("/openapi.json").json()
    assert spec["paths"]["/v1/moderate"]["post"]["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "id", "text"]


def test_concurrent_moderation_shares_commits_and_stays_idempotent(store, app_and_keys):
    import asyncio

    import httpx

    app, keys = app_and_keys
    headers = {"Authorization": f"Bearer {keys['ingest']}"}

    async def run():
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://khien",
                                         headers=headers) as client:
                same = [client.post("/v1/moderate", json=SCAM) for _ in range(15)]
                distinct = [client.post("/v1/moderate", json=FINE | {"id": f"c{i}"}) for i in range(15)]
                return await asyncio.gather(*same, *distinct)

    responses = asyncio.run(run())
    assert all(r.status_code == 200 for r in responses)
    assert len({r.content for r in responses[:15]}) == 1  # one decision, returned to every caller
    assert sum(r.headers.get("Khien-Replayed") != "true" for r in responses[:15]) == 1
    with store.read() as tx:
        counts = item_rows.decision_counts(tx)
    assert counts[("forum", "p1")] == 1 and len(counts) == 16 and set(counts.values()) == {1}


class _BrokenOnRefund:
    """The packaged engine, except that it crashes on any batch holding the word 'hoàn tiền'."""

    def __init__(self, engine):
        self.engine = engine
        self.policy = engine.policy

    def decide_batch(self, items):
        if any("hoàn tiền" in i.text for i in items):
            raise RuntimeError("detector crashed")
        return self.engine.decide_batch(items)


def test_admins_list_and_retry_quarantined_items(service):
    from khien.review import intake

    posts = [{"id": "q0", "platform": "forum", "text": "Hôm nay trời đẹp quá"},
             {"id": "q1", "platform": "forum", "text": "Shop hoàn tiền 100% nếu hàng lỗi, inbox nhé"}]
    assert service.post("/v1/items", "ingest", json={"items": posts}).status_code == 202
    engine = service.app.state.engine
    assert intake.decide_pending(service.app.state.store, _BrokenOnRefund(engine)) == 2
    listed = service.get("/v1/items?status=failed", "admin").json()
    assert [(i["id"], i["error"], i["attempts"]) for i in listed["items"]] == [
        ("q1", "RuntimeError: detector crashed", 1)]
    assert service.get("/v1/items?status=failed", "moderator").status_code == 403
    assert service.get("/v1/items?status=pending", "admin").status_code == 422
    state = service.get("/v1/items/q1?platform=forum", "ingest").json()
    assert state["status"] == "failed" and state["error"] == "RuntimeError: detector crashed"
    assert service.post("/v1/items/q1/retry?platform=forum", "moderator").status_code == 403
    retried = service.post("/v1/items/q1/retry?platform=forum", "admin")
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    again = service.post("/v1/items/q1/retry?platform=forum", "admin")
    assert again.status_code == 409 and "cannot be retried" in again.json()["detail"]
    assert intake.decide_pending(service.app.state.store, engine) == 1
    assert service.get("/v1/items/q1?platform=forum", "ingest").json()["status"] == "decided"
    assert service.get("/v1/items?status=failed", "admin").json()["items"] == []
    metrics = service.client.get("/metrics").text
    assert "khien_items_failed 0.0" in metrics
