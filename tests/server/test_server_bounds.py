"""Bounded work in the API: the text limit, the engine off the event loop, the decide queue's 503,
and security headers on every HTML response (issue 11)."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from .conftest import Service, make_service

SCAM = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15% mỗi đơn, nạp tiền để rút, ib Zalo 0912 345 678. "
FINE = "Hôm nay trời đẹp, cả nhà đi công viên chơi rồi ăn phở bò ở đầu ngõ. "


@pytest.fixture
def small_limit(store, engine):
    app, keys = make_service(store, engine, max_text_chars=500)
    with TestClient(app) as client:
        yield Service(client, keys)


def test_moderate_refuses_a_text_over_the_limit_naming_field_and_limit(small_limit):
    r = small_limit.post("/v1/moderate", "ingest", json={"id": "dai", "text": FINE * 10})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["field"] == "text" and "500" in body["detail"] and f"{len(FINE * 10):,}" in body["detail"]
    assert body["code"] == "khien.input.too_large"
    ok = small_limit.post("/v1/moderate", "ingest", json={"id": "ngan", "text": FINE})
    assert ok.status_code == 200  # at the limit's right side, items are decided as before


def test_batch_names_the_item_whose_text_is_over_the_limit(small_limit):
    batch = {"items": [{"id": "1", "text": FINE}, {"id": "2", "text": SCAM}, {"id": "3", "text": SCAM * 8}]}
    r = small_limit.post("/v1/items", "ingest", json=batch)
    assert r.status_code == 413
    assert r.json()["field"] == "items[2].text" and "500" in r.json()["detail"]
    assert small_limit.get("/v1/items/1", "ingest").status_code == 404  # all or nothing


class _Gate:
    """The packaged engine, whose ``decide`` waits until the test opens the gate."""

    def __init__(self, engine):
        self.engine = engine
        self.policy = engine.policy
        self.entered = threading.Event()
        self.open = threading.Event()

    def decide(self, item):
        self.entered.set()
        assert self.open.wait(30), "the gate was never opened"
        return self.engine.decide(item)


def test_healthz_answers_while_the_engine_is_busy(service, engine):
    """If the engine ran on the event loop, /healthz could not answer until the gate opened."""
    gate = _Gate(engine)
    service.app.state.decider.engine = gate
    answer = {}
    sender = threading.Thread(target=lambda: answer.setdefault(
        "r", service.post("/v1/moderate", "ingest", json={"id": "cho", "text": SCAM})))
    sender.start()
    assert gate.entered.wait(30)
    health = service.client.get("/healthz")
    assert health.status_code == 200 and sender.is_alive()
    gate.open.set()
    sender.join(30)
    assert answer["r"].status_code == 200 and answer["r"].json()["action"] == "remove"


def test_a_full_decide_queue_answers_503_with_retry_after(store, engine):
    app, keys = make_service(store, engine, decide_queue=1)
    with TestClient(app) as client:
        service = Service(client, keys)
        gate = _Gate(engine)
        app.state.decider.engine = gate
        first = threading.Thread(target=lambda: service.post("/v1/moderate", "ingest", json={"id": "a", "text": SCAM}))
        first.start()
        assert gate.entered.wait(30)
        busy = service.post("/v1/moderate", "ingest", json={"id": "b", "text": FINE})
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert busy.json()["code"] == "khien.busy"
        gate.open.set()
        first.join(30)
        assert service.post("/v1/moderate", "ingest", json={"id": "b", "text": FINE}).status_code == 200
        assert app.state.decider.in_flight == 0


def test_a_long_real_text_does_not_hold_up_healthz(store, engine):
    """A long text (raised limit) takes the engine seconds; /healthz keeps answering meanwhile,
    each answer taking a small part of the long request's time (relative, not a wall-clock bound)."""
    text = (SCAM + FINE) * 1200  # ~190,000 characters, ~270 KB of UTF-8
    app, keys = make_service(store, engine, max_text_chars=len(text))
    with TestClient(app) as client:
        service = Service(client, keys)
        done = threading.Event()
        answer = {}

        def send():
            started = time.perf_counter()
            answer["r"] = service.post("/v1/moderate", "ingest", json={"id": "dai", "text": text})
            answer["took"] = time.perf_counter() - started
            done.set()

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(0.05)  # let the long request reach the engine first
        waits = []
        while not done.is_set():
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            waits.append(time.perf_counter() - started)
            done.wait(0.02)
        sender.join()
    assert answer["r"].status_code == 200 and answer["r"].json()["action"] == "remove"
    assert len(waits) >= 3, "healthz answered fewer than three times while the long text was decided"
    # The engine runs in a thread, so healthz never waits for the whole decision; but the engine holds
    # the GIL in long stretches, so single answers can still take a large part of it (seen: 1.1 s of
    # 2.1 s on a busy machine). The typical answer is quick; the process model of issue 11 removes the
    # spikes.
    assert max(waits) < answer["took"]
    assert sorted(waits)[len(waits) // 2] < answer["took"] / 10
    scam = answer["r"].json()["categories"][0]
    assert scam["name"] == "scam" and len(scam["evidence"]) <= 12


def test_no_third_party_docs_page_and_openapi_stays(service):
    assert service.client.get("/docs").status_code == 404
    assert service.client.get("/redoc").status_code == 404
    assert service.client.get("/openapi.json").status_code == 200


def test_every_html_response_gets_security_headers(store, engine):
    app, keys = make_service(store, engine)

    @app.get("/bare-html")
    def bare() -> HTMLResponse:  # a page that forgot its headers, as an error page might
        return HTMLResponse("<p>Xin chào</p>", status_code=500)

    with TestClient(app) as client:
        page = client.get("/bare-html")
        login = client.get("/login")
        api = client.get("/healthz")
    for r in (page, login):
        assert r.headers["content-type"].startswith("text/html")
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin"
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in api.headers  # JSON answers are unchanged apart from nosniff
