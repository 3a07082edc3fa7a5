"""POST /v1/claims (admin import) and GET /v1/claims/match (moderator), issue 15."""

import json

DOC = {"@context": "https://schema.org", "@type": "ClaimReview",
       "claimReviewed": "Uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư giai đoạn cuối",
       "reviewRating": {"@type": "Rating", "alternateName": "Sai sự thật"},
       "url": "https://kiemchung.example.org/chanh-nong-ung-thu", "name": "Nước chanh nóng không chữa được ung thư",
       "author": {"@type": "Organization", "name": "Kiểm Chứng"}, "datePublished": "2024-03-02"}


def test_import_then_match(service):
    r = service.post("/v1/claims?trust=true", "admin", content=json.dumps(DOC, ensure_ascii=False).encode(),
                     headers={"Content-Type": "application/ld+json"})
    assert r.status_code == 200, r.text
    assert len(r.json()["added"]) == 1 and r.json()["trusted"] == ["Kiểm Chứng"]
    text = "uong nuoc chanh nong moi sang chua khoi benh ung thu giai doan cuoi nha ca nha"
    m = service.get("/v1/claims/match", "moderator", params={"text": text})
    assert m.status_code == 200, m.text
    top = m.json()["matches"][0]
    assert top["url"] == DOC["url"] and top["rating"] == "Sai sự thật" and top["publisher"] == "Kiểm Chứng"
    assert top["spans"] and all(text[s["start"]:s["end"]] == s["text"] for s in top["spans"])


def test_jsonl_import(service):
    line = {"claim": "Đập thủy điện Hòa Bình bị nứt và sắp vỡ", "rating": "Tin giả", "publisher": "Tin Thật",
            "url": "https://tinthat.example.org/dap-hoa-binh"}
    r = service.post("/v1/claims", "admin", content=(json.dumps(line, ensure_ascii=False) + "\n").encode(),
                     headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and len(r.json()["added"]) == 1


def test_bad_bodies_are_problems_naming_the_field(service):
    r = service.post("/v1/claims", "admin", content=b"not json", headers={"Content-Type": "application/ld+json"})
    assert r.status_code in (400, 422) and r.headers["content-type"].startswith("application/problem+json")
    bad = {k: v for k, v in DOC.items() if k != "reviewRating"}
    r = service.post("/v1/claims", "admin", content=json.dumps(bad).encode(),
                     headers={"Content-Type": "application/ld+json"})
    assert r.status_code == 422 and "reviewRating" in r.text
    r = service.post("/v1/claims", "admin", content=b"", headers={"Content-Type": "application/ld+json"})
    assert 400 <= r.status_code < 500
    assert service.get("/v1/claims/match", "moderator", params={"text": "  "}).status_code == 422


def test_roles(service):
    assert service.post("/v1/claims", "moderator", content=json.dumps(DOC).encode()).status_code == 403
    assert service.get("/v1/claims/match", "ingest", params={"text": "chanh"}).status_code == 403


def test_service_engine_matches_the_store_live(store):
    """create_app without an engine: claims.v1 reads the store's fact-checks, refreshed after an import."""
    from khien.clock import FakeClock
    from khien.review import claims
    from khien.review.actor import Actor
    from khien.server import Settings, create_app

    clock = FakeClock(1_800_000_000.0)
    app = create_app(Settings(database_url=store.url, worker=False, webhooks=False), store=store, clock=clock)
    detector = next(d for d in app.state.engine.detectors if d.name == "claims.v1")
    assert detector.matcher() is None  # nothing imported yet
    with store.write() as tx:
        claims.import_document(tx, Actor("admin", "admin"), "doc.jsonld", json.dumps(DOC).encode(),
                               trust_publishers=True, clock=clock)
    assert detector.matcher() is None  # read again only after the refresh interval
    clock.advance(61)
    assert [fc.url for fc in detector.matcher().fact_checks] == [DOC["url"]]
