"""The deliverer: one lane per endpoint, the checked address pinned, and only generic errors stored.

Real loopback HTTP servers (allow-listed, since webhooks refuse loopback by default). Nothing
sleeps: tests wait on events with generous bounds and assert the order things happened in, not
how long they took.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from khien import hooks
from khien.clock import SYSTEM, FakeClock
from khien.hooks import AddressGuard
from khien.review import outbox
from khien.run.webhooks import Dispatcher

LOOPBACK = "127.0.0.1"
TIMEOUT_S = 3.0  # how long a receiver has to answer; every wait below is bounded by it or a multiple
POST = {"platform": "forum", "item": "bai-1", "decision": {"action": "remove", "category": "scam"},
        "text": "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"}


class Receiver:
    """A loopback HTTP server: ``answer`` is a status to send, or ``"hang"`` (accept, read, never answer)."""

    def __init__(self, answer=200):
        self.requests = []
        self.arrived = threading.Condition()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.arrived:
                    outer.requests.append((dict(self.headers), body))
                    outer.arrived.notify_all()
                if answer == "hang":
                    outer.release.wait(60)
                    return
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://{LOOPBACK}:{self.port}/khien"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, n, timeout):
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.requests) >= n, timeout)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made = []

    def make(answer=200):
        made.append(Receiver(answer))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _subscribe(store, url, guard=AddressGuard(LOOPBACK)):
    return hooks.create_webhook(store, url=url, secret="bí-mật-của-nền-tảng-0123", actor="quản-trị",
                                guard=guard).id


def _publish(store, clock, n=1):
    for i in range(n):
        with store.write() as tx:
            outbox.publish(tx, "decision", [POST | {"item": f"bai-{i}"}], clock=clock)


def _rows(store, clock, webhook_id):
    """The pending deliveries of one endpoint in the order queued, whenever due."""
    later = FakeClock(clock.now() + 10 ** 6)
    return sorted((d for d in hooks.due(store, limit=100, clock=later) if d.webhook_id == webhook_id),
                  key=lambda d: d.id)


def test_a_hanging_receiver_does_not_delay_another_endpoint(store, receivers):
    clock = FakeClock(SYSTEM.now())
    hanging, good = receivers("hang"), receivers(200)
    slow_id = _subscribe(store, hanging.url)  # subscribed first: its deliveries come first in the queue
    good_id = _subscribe(store, good.url)
    _publish(store, clock, n=3)
    dispatcher = Dispatcher(store, timeout_s=TIMEOUT_S, clock=clock, guard=AddressGuard(LOOPBACK))
    try:
        assert dispatcher.run_once() == 6
        assert good.wait_for(3, timeout=TIMEOUT_S * 3), "the good receiver waited for the hanging one"
        assert hanging.wait_for(1, timeout=TIMEOUT_S)
        # The good endpoint had all three while the hanging one's first attempt was still open.
        assert all(d.attempts == 0 for d in _rows(store, clock, slow_id))
        assert [json.loads(body)["item"] for _, body in good.requests] == ["bai-0", "bai-1", "bai-2"]

        dispatcher.step(timeout=TIMEOUT_S * 5)  # waits for the hanging lane to time out
        first, *rest = _rows(store, clock, slow_id)
        assert (first.attempts, first.last_error) == (1, "timeout")
        assert [d.attempts for d in rest] == [0, 0]  # the lane stops at a failure: no timeout spent on each
        assert len(hanging.requests) == 1 and dispatcher.delivered == 3
        assert _rows(store, clock, good_id) == []
        # The endpoint backs off as its failed delivery does: nothing is sent to it before then.
        assert dispatcher.step(timeout=TIMEOUT_S) == 0
    finally:
        hanging.release.set()
        dispatcher.stop()


def test_a_hanging_receiver_does_not_hold_back_later_events_for_another(store, receivers):
    """The background thread: an event published while the hanging attempt is open still goes out."""
    hanging, good = receivers("hang"), receivers(200)
    slow_id = _subscribe(store, hanging.url)
    _subscribe(store, good.url)
    dispatcher = Dispatcher(store, timeout_s=TIMEOUT_S * 3, idle_s=0.05, guard=AddressGuard(LOOPBACK)).start()
    try:
        _publish(store, SYSTEM)
        dispatcher.wake()
        assert good.wait_for(1, timeout=TIMEOUT_S) and hanging.wait_for(1, timeout=TIMEOUT_S)
        _publish(store, SYSTEM)
        dispatcher.wake()
        assert good.wait_for(2, timeout=TIMEOUT_S), "the second event waited for the hanging receiver"
        assert [d.attempts for d in _rows(store, SYSTEM, slow_id)] == [0, 0]  # still on its first attempt
    finally:
        hanging.release.set()
        dispatcher.stop()


def test_the_request_goes_to_the_checked_address_with_the_name_as_host(store, receivers):
    receiver = receivers(200)
    # A name no real resolver knows: if the client resolved it again, the request would fail.
    guard = AddressGuard(LOOPBACK, resolve=lambda host, port: [LOOPBACK] if host == "hooks.nen-tang.invalid" else [])
    _subscribe(store, f"http://hooks.nen-tang.invalid:{receiver.port}/khien?nguon=kiem-duyet", guard)
    clock = FakeClock(SYSTEM.now())
    _publish(store, clock)
    dispatcher = Dispatcher(store, timeout_s=TIMEOUT_S, clock=clock, guard=guard)
    try:
        dispatcher.step(timeout=TIMEOUT_S * 2)
    finally:
        dispatcher.stop()
    [(headers, body)] = receiver.requests
    assert headers["Host"] == f"hooks.nen-tang.invalid:{receiver.port}"
    assert json.loads(body)["item"] == "bai-0" and dispatcher.delivered == 1


def test_errors_are_generic_and_map_no_internal_host(store, receivers):
    clock = FakeClock(SYSTEM.now())
    closed = receivers(200)
    closed_url = closed.url
    closed.close()  # nothing listens there any more
    plain = receivers(200)
    failing = receivers(503)
    public = AddressGuard(resolve=lambda host, port: ["14.225.0.10"])
    ids = {
        "connection refused": _subscribe(store, closed_url),
        "TLS error": _subscribe(store, plain.url.replace("http://", "https://")),  # TLS to a plain-HTTP server
        "HTTP 503": _subscribe(store, failing.url),
        # Registered while the name resolved to a public address; by delivery it points at the metadata service.
        "address not allowed (metadata)": _subscribe(store, "http://hooks.nen-tang.vn/khien", public),
    }
    _publish(store, clock)
    rebound = AddressGuard(LOOPBACK, resolve=lambda host, port: ["169.254.169.254"] if host.endswith(".vn")
                           else [LOOPBACK])
    dispatcher = Dispatcher(store, timeout_s=TIMEOUT_S, clock=clock, guard=rebound)
    try:
        assert dispatcher.step(timeout=TIMEOUT_S * 4) == 4
    finally:
        dispatcher.stop()
    for expected, webhook_id in ids.items():
        [row] = _rows(store, clock, webhook_id)
        assert row.last_error == expected
        assert LOOPBACK not in row.last_error and "169.254" not in row.last_error
        assert str(closed.port) not in row.last_error and "Errno" not in row.last_error
    assert len(failing.requests) == 1 and plain.requests == []
