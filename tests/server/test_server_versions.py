"""Edits over HTTP: `/v1/moderate` and `/v1/items` store other text as a new version, decide it, and
say which version an answer is about; `GET /v1/items/{id}` lists the versions."""

HARMLESS = {"id": "p1", "platform": "forum", "text": "Bán xe máy cũ, giá thương lượng, xem xe tại Cầu Giấy",
            "reach": {"views": 300}}
SCAM_TEXT = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"


def test_an_edited_post_is_decided_again_and_the_answer_names_its_version(service):
    first = service.post("/v1/moderate", "ingest", json=HARMLESS)
    assert first.status_code == 200 and first.json()["action"] == "allow"
    assert first.headers["Khien-Item-Version"] == "1" and first.json()["item_version"] == 1

    edited = service.post("/v1/moderate", "ingest", json=HARMLESS | {"text": SCAM_TEXT})
    body = edited.json()
    assert edited.status_code == 200 and body["action"] in ("review", "remove")
    assert "Khien-Replayed" not in edited.headers
    assert edited.headers["Khien-Item-Version"] == "2" and body["item_version"] == 2

    again = service.post("/v1/moderate", "ingest", json=HARMLESS | {"text": SCAM_TEXT})
    assert again.headers["Khien-Replayed"] == "true" and again.headers["Khien-Item-Version"] == "2"
    assert again.json() == body

    state = service.get("/v1/items/p1?platform=forum", "ingest").json()
    assert state["version"] == 2 and state["item"]["text"] == SCAM_TEXT
    assert state["decision"]["action"] == body["action"]
    assert [(v["version"], v["decision"]["action"]) for v in state["versions"]] == [(1, "allow"), (2, body["action"])]
    assert all(len(v["content_hash"]) == 64 for v in state["versions"])
    old = service.get("/v1/items/p1?platform=forum&version=1", "moderator").json()
    assert old["version"] == 1 and old["item"]["text"] == HARMLESS["text"] and old["decision"]["action"] == "allow"
    missing = service.get("/v1/items/p1?platform=forum&version=7", "ingest")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    assert "version 7" in missing.json()["detail"]


def test_a_batch_item_sent_to_moderate_with_other_text_stores_that_text(service):
    r = service.post("/v1/items", "ingest", json={"items": [HARMLESS]})
    assert r.json() == {"accepted": 1, "duplicates": 0, "edited": 0}
    answer = service.post("/v1/moderate", "ingest", json=HARMLESS | {"text": SCAM_TEXT})
    assert answer.json()["action"] in ("review", "remove") and answer.json()["item_version"] == 2
    stored = service.get("/v1/items/p1?platform=forum&version=2", "ingest").json()
    assert stored["item"]["text"] == SCAM_TEXT and stored["decision"]["action"] == answer.json()["action"]
    worker = service.app.state.worker
    while worker.run_once():
        pass
    versions = service.get("/v1/items/p1?platform=forum", "ingest").json()["versions"]
    assert [v["decision"] for v in versions][0] is None  # nobody decided version 1: nobody read it


def test_a_batch_edit_goes_back_to_the_worker(service):
    service.post("/v1/items", "ingest", json={"items": [HARMLESS]})
    worker = service.app.state.worker
    while worker.run_once():
        pass
    edit = HARMLESS | {"text": SCAM_TEXT}
    r = service.post("/v1/items", "ingest", json={"items": [edit, edit]})
    assert r.json() == {"accepted": 0, "duplicates": 1, "edited": 1}
    pending = service.get("/v1/items/p1?platform=forum", "ingest").json()
    assert pending["status"] == "pending" and pending["version"] == 2 and pending["decision"] is None
    assert pending["versions"][0]["decision"]["action"] == "allow"
    while worker.run_once():
        pass
    decided = service.get("/v1/items/p1?platform=forum", "ingest").json()
    assert decided["status"] == "decided" and decided["decision"]["action"] in ("review", "remove")
    case = service.get("/v1/cases", "moderator").json()["cases"][0]
    assert case["item_version"] == 2
