"""Webhooks: signed with HMAC-SHA256, retried with backoff, dead-lettered, replayed by an admin."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from khien.run.webhooks import SIGNATURE_HEADER, verify_signature

SECRET = "bí-mật-của-nền-tảng-0123456789"
SCAM = {"id": "w1", "platform": "forum", "text": "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"}


class Receiver:
    """An HTTP server on 127.0.0.1 that answers 500 to the first ``failures`` requests, then 200."""

    def __init__(self, failures=0):
        self.failures = failures
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((dict(self.headers), body))
                status = 500 if len(outer.requests) <= outer.failures else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/khien"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hooked(start_service):
    with start_service(webhook_backoff_s=0.05, webhook_max_attempts=3, webhook_timeout_s=2.0) as service:
        yield service


def _drain(service, until, timeout=10.0):
    dispatcher = service.app.state.dispatcher
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not until():
        dispatcher.run_once()
        time.sleep(0.02)
    assert until()


def test_deliveries_are_signed_and_retried_until_they_succeed(hooked):
    receiver = Receiver(failures=2)
    try:
        made = hooked.post("/v1/webhooks", "admin", json={"url": receiver.url, "secret": SECRET, "events": ["decision"]})
        assert made.status_code == 201 and made.json()["secret"] == SECRET
        hooked.post("/v1/moderate", "ingest", json=SCAM)
        _drain(hooked, lambda: len(receiver.requests) >= 3)
        bodies = {body for _, body in receiver.requests}
        assert len(bodies) == 1  # the same event each time
        headers, body = receiver.requests[-1]
        assert headers["Khien-Event"] == "decision"
        assert verify_signature(SECRET, body, headers[SIGNATURE_HEADER])
        assert not verify_signature("wrong-secret-0000000", body, headers[SIGNATURE_HEADER])
        assert not verify_signature(SECRET, body + b" ", headers[SIGNATURE_HEADER])
        event = json.loads(body)
        assert event["event"] == "decision" and event["item"] == "w1" and event["decision"]["action"] == "remove"
        time.sleep(0.3)
        hooked.app.state.dispatcher.run_once()
        assert len(receiver.requests) == 3  # delivered: never sent again
        assert hooked.get("/v1/webhooks/dead-letters", "admin").json()["dead_letters"] == []
    finally:
        receiver.close()


def test_retries_back_off(hooked):
    receiver = Receiver(failures=10)
    try:
        hooked.post("/v1/webhooks", "admin", json={"url": receiver.url, "secret": SECRET})
        hooked.post("/v1/moderate", "ingest", json=SCAM)
        dispatcher = hooked.app.state.dispatcher
        dispatcher.run_once()
        assert len(receiver.requests) == 1
        dispatcher.run_once()  # not due yet: the next attempt waits backoff × 2^0
        assert len(receiver.requests) == 1
        time.sleep(0.07)
        dispatcher.run_once()
        assert len(receiver.requests) == 2
        dispatcher.run_once()  # now it waits backoff × 2^1
        assert len(receiver.requests) == 2
    finally:
        receiver.close()


def test_exhausted_deliveries_go_to_the_dead_letter_table_and_can_be_replayed(hooked):
    receiver = Receiver(failures=3)
    try:
        hooked.post("/v1/webhooks", "admin", json={"url": receiver.url, "secret": SECRET, "events": ["appeal"]})
        hooked.post("/v1/moderate", "ingest", json=SCAM)  # decisions are not subscribed: nothing queued
        appeal = hooked.post("/v1/appeals", "ingest", json={"item": "w1", "platform": "forum",
                                                            "statement": "Tôi tuyển người thật"}).json()
        hooked.post(f"/v1/appeals/{appeal['id']}/decision", "moderator", json={"outcome": "upheld"})
        dead = lambda: hooked.get("/v1/webhooks/dead-letters", "admin").json()["dead_letters"]  # noqa: E731
        _drain(hooked, lambda: len(dead()) == 1)
        letter = dead()[0]
        assert letter["attempts"] == 3 and letter["event"] == "appeal" and "500" in letter["last_error"]
        assert len(receiver.requests) == 3
        types = [e["type"] for e in hooked.get("/v1/audit?limit=1000", "auditor").json()["events"]]
        assert "webhook.dead_letter" in types

        replay = hooked.post(f"/v1/webhooks/dead-letters/{letter['id']}/replay", "admin")
        assert replay.status_code == 202
        assert hooked.post(f"/v1/webhooks/dead-letters/{letter['id']}/replay", "admin").status_code == 404
        _drain(hooked, lambda: len(receiver.requests) == 4)
        headers, body = receiver.requests[-1]
        assert verify_signature(SECRET, body, headers[SIGNATURE_HEADER])
        assert json.loads(body)["appeal"]["outcome"] == "upheld"
        assert dead() == []
        assert "webhook.replayed" in [e["type"] for e in hooked.get("/v1/audit?limit=1000", "auditor").json()["events"]]
    finally:
        receiver.close()


def test_an_unreachable_endpoint_is_dead_lettered_too(hooked):
    receiver = Receiver()
    url = receiver.url
    receiver.close()  # nothing listens there any more
    hooked.post("/v1/webhooks", "admin", json={"url": url, "secret": SECRET})
    hooked.post("/v1/moderate", "ingest", json=SCAM)
    _drain(hooked, lambda: len(hooked.get("/v1/webhooks/dead-letters", "admin").json()["dead_letters"]) == 1)
