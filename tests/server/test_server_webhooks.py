"""Webhooks: signed with HMAC-SHA256, retried with backoff, dead-lettered, replayed by an admin.

The deliverer runs on a FakeClock that the tests move; nothing waits on real time. The clock starts
an hour after the wall clock so that what the API queues (stamped with the wall clock) is due at once.
The receivers listen on loopback, which webhooks refuse by default: the service here allow-lists it.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from khien.clock import SYSTEM, FakeClock
from khien.hooks import AddressGuard
from khien.run.webhooks import SIGNATURE_HEADER, Dispatcher, verify_signature

SECRET = "bí-mật-của-nền-tảng-0123456789"
SCAM = {"id": "w1", "platform": "forum", "text": "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"}
BACKOFF_S = 2.0
LOOPBACK = "127.0.0.1"  # the allow-list of these tests


@pytest.fixture
def service(store, engine):
    """The service of conftest, with loopback allow-listed for webhooks."""
    from fastapi.testclient import TestClient

    from .conftest import Service, make_service

    app, keys = make_service(store, engine, webhook_allow_hosts=LOOPBACK)
    with TestClient(app) as client:
        yield Service(client, keys)


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


class Hooked:
    """The service, and a deliverer on a FakeClock that the test steps by hand."""

    def __init__(self, service, max_attempts):
        self.service = service
        self.clock = FakeClock(SYSTEM.now() + 3600)
        self.dispatcher = Dispatcher(service.app.state.store, max_attempts=max_attempts, backoff_s=BACKOFF_S,
                                     timeout_s=2.0, clock=self.clock, guard=AddressGuard(LOOPBACK))

    def __getattr__(self, name):
        return getattr(self.service, name)

    def drain(self, until, steps=20):
        """Step the deliverer, moving the clock past any back-off between steps, until ``until()``."""
        for _ in range(steps):
            if until():
                return
            self.dispatcher.step()
            self.clock.advance(60)
        assert until()


@pytest.fixture
def hooked(service):
    h = Hooked(service, max_attempts=3)
    yield h
    h.dispatcher.stop()


def test_deliveries_are_signed_and_retried_until_they_succeed(hooked):
    receiver = Receiver(failures=2)
    try:
        made = hooked.post("/v1/webhooks", "admin", json={"url": receiver.url, "secret": SECRET, "events": ["decision"]})
        assert made.status_code == 201 and made.json()["secret"] == SECRET
        hooked.post("/v1/moderate", "ingest", json=SCAM)
        hooked.drain(lambda: len(receiver.requests) >= 3)
        bodies = {body for _, body in receiver.requests}
        assert len(bodies) == 1  # the same event each time
        headers, body = receiver.requests[-1]
        assert headers["Khien-Event"] == "decision"
        now = hooked.clock.now()
        assert headers[SIGNATURE_HEADER].startswith(f"t={int(now) - 60},")  # signed at the deliverer's clock
        assert verify_signature(SECRET, body, headers[SIGNATURE_HEADER], now=now)
        assert not verify_signature(SECRET, body, headers[SIGNATURE_HEADER], now=now + 3600)  # too old by then
        assert not verify_signature("wrong-secret-0000000", body, headers[SIGNATURE_HEADER], now=now)
        assert not verify_signature(SECRET, body + b" ", headers[SIGNATURE_HEADER], now=now)
        event = json.loads(body)
        assert event["event"] == "decision" and event["item"] == "w1" and event["decision"]["action"] == "remove"
        hooked.clock.advance(3600)
        assert hooked.dispatcher.step() == 0
        assert len(receiver.requests) == 3  # delivered: never sent again
        assert hooked.dispatcher.delivered == 1
        assert hooked.get("/v1/webhooks/dead-letters", "admin").json()["dead_letters"] == []
    finally:
        receiver.close()


def test_retries_back_off(service):
    hooked = Hooked(service, max_attempts=10)
    receiver = Receiver(failures=10)
    try:
        hooked.post("/v1/webhooks", "admin", json={"url": receiver.url, "secret": SECRET})
        hooked.post("/v1/moderate", "ingest", json=SCAM)
        step = hooked.dispatcher.step
        assert step() == 1 and len(receiver.requests) == 1
        for n, wait in ((2, BACKOFF_S), (3, BACKOFF_S * 2), (4, BACKOFF_S * 4)):
            hooked.clock.advance(wait - 0.01)
            assert step() == 0 and len(receiver.requests) == n - 1  # not due yet: backoff × 2^(attempt-1)
            hooked.clock.advance(0.01)
            assert step() == 1 and len(receiver.requests) == n
    finally:
        hooked.dispatcher.stop()
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
        hooked.drain(lambda: len(dead()) == 1)
        letter = dead()[0]
        assert letter["attempts"] == 3 and letter["event"] == "appeal" and "500" in letter["last_error"]
        assert set(letter) == {"id", "delivery_id", "webhook_id", "event", "body", "attempts", "last_error",
                               "died_at", "replayed_at"}
        assert len(receiver.requests) == 3 and hooked.dispatcher.dead == 1
        audit = hooked.get("/v1/audit?limit=1000", "auditor").json()["events"]
        buried = [e for e in audit if e["type"] == "webhook.dead_letter"]
        assert buried and buried[0]["payload"]["attempts"] == 3 and buried[0]["actor"] == "system:webhooks"

        replay = hooked.post(f"/v1/webhooks/dead-letters/{letter['id']}/replay", "admin")
        assert replay.status_code == 202
        assert hooked.post(f"/v1/webhooks/dead-letters/{letter['id']}/replay", "admin").status_code == 404
        hooked.drain(lambda: len(receiver.requests) == 4)
        headers, body = receiver.requests[-1]
        assert verify_signature(SECRET, body, headers[SIGNATURE_HEADER], now=hooked.clock.now())
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
    hooked.drain(lambda: len(hooked.get("/v1/webhooks/dead-letters", "admin").json()["dead_letters"]) == 1)


def test_webhooks_are_listed_without_secrets_and_can_be_removed(service):
    made = service.post("/v1/webhooks", "admin", json={"url": "http://127.0.0.1:9/hook", "secret": SECRET,
                                                       "events": ["decision", "appeal", "decision"]}).json()
    assert made["events"] == ["appeal", "decision"]
    listed = service.get("/v1/webhooks", "admin").json()["webhooks"]
    assert listed == [{"id": made["id"], "url": "http://127.0.0.1:9/hook", "events": ["appeal", "decision"],
                       "active": True, "created_at": listed[0]["created_at"]}]
    assert service.client.delete(f"/v1/webhooks/{made['id']}", headers=service.as_("admin")).status_code == 204
    assert service.client.delete(f"/v1/webhooks/{made['id']}", headers=service.as_("admin")).status_code == 404
    assert service.get("/v1/webhooks", "admin").json()["webhooks"][0]["active"] is False


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/khien", "http://10.0.0.1/khien",
                                 "http://169.254.169.254/latest/meta-data/", "http://[::1]:9000/khien",
                                 "http://0x7f000001/khien", "http://localhost:8080/khien"])
def test_webhooks_to_internal_addresses_are_refused(start_service, url):
    with start_service() as service:  # no allow-list
        refused = service.post("/v1/webhooks", "admin", json={"url": url, "secret": SECRET})
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert problem["field"] == "url" and "address" in problem["detail"]
        if "localhost" in url:  # what DNS answered is not shown
            assert "resolves to a loopback address" in problem["detail"] and "127.0.0.1" not in problem["detail"]
        assert service.get("/v1/webhooks", "admin").json()["webhooks"] == []
        audit = service.get("/v1/audit?limit=1000", "auditor").json()["events"]
        assert "webhook.created" not in [e["type"] for e in audit]


def test_an_allow_listed_host_may_be_internal(start_service):
    with start_service(webhook_allow_hosts="localhost, 10.0.0.0/8") as service:
        for url in ("http://localhost:8080/khien", "http://10.1.2.3/khien"):
            assert service.post("/v1/webhooks", "admin", json={"url": url, "secret": SECRET}).status_code == 201
        assert service.post("/v1/webhooks", "admin", json={"url": "http://127.0.0.1:8080/khien"}).status_code == 422
