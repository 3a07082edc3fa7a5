"""A receiver that trickles its answer cannot hold a delivery lane past the total deadline.

The trickler answers a complete, valid ``200`` head one byte every ``GAP_S`` seconds, so no single
read waits longer than the per-read timeout: only a deadline on the whole request stops it. Without
one the request succeeds after ``len(ANSWER) × GAP_S`` seconds, which is what these tests rule out.
"""

import socket
import threading
import time

import httpx
import pytest

from khien.clock import SYSTEM, FakeClock
from khien.hooks import AddressGuard
from khien.run.deadline import DeadlineTransport
from khien.run.webhooks import Dispatcher

from .test_lanes import LOOPBACK, _publish, _rows, _subscribe

GAP_S = 0.1
ANSWER = b"HTTP/1.1 200 OK\r\nX-Cham: " + b"a" * 60 + b"\r\nContent-Length: 0\r\n\r\n"  # ~9 s at GAP_S a byte


class Trickler:
    def __init__(self):
        self.sock = socket.create_server((LOOPBACK, 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{LOOPBACK}:{self.port}/khien"
        self.sent = 0
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            conn.recv(65536)  # the request (small: one webhook body)
            for byte in ANSWER:
                if self.stop.wait(GAP_S):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return  # the client gave up: what the deadline is for
                self.sent += 1

    def close(self):
        self.stop.set()
        self.sock.close()


@pytest.fixture
def trickler():
    t = Trickler()
    yield t
    t.close()


def test_the_transport_cuts_a_trickled_answer_at_the_total_deadline(trickler):
    with httpx.Client(transport=DeadlineTransport(1.0), timeout=1.0) as client:
        started = time.monotonic()
        with pytest.raises(httpx.TimeoutException):
            client.post(trickler.url, content=b'{"item": "bai-1"}')
        took = time.monotonic() - started
    # Bytes kept coming (no read waited a whole second), yet the request ended, well before the
    # whole answer could have arrived.
    assert trickler.sent >= 3
    assert took < len(ANSWER) * GAP_S / 2


def test_the_transport_leaves_a_prompt_answer_alone(trickler):
    trickler.close()
    from .test_lanes import Receiver

    receiver = Receiver(204)
    try:
        with httpx.Client(transport=DeadlineTransport(2.0), timeout=2.0) as client:
            for _ in range(3):  # the kept-alive connection obeys each request's own deadline
                assert client.post(receiver.url, content=b"{}").status_code == 204
    finally:
        receiver.close()


def test_a_trickling_receiver_fails_its_delivery_with_a_timeout(store, trickler):
    clock = FakeClock(SYSTEM.now())
    webhook_id = _subscribe(store, trickler.url)
    _publish(store, clock)
    dispatcher = Dispatcher(store, timeout_s=1.0, clock=clock, guard=AddressGuard(LOOPBACK))
    try:
        dispatcher.step(timeout=len(ANSWER) * GAP_S / 2)  # ends well before the trickle would
        [row] = _rows(store, clock, webhook_id)
        assert (row.attempts, row.last_error) == (1, "timeout")
        assert dispatcher.delivered == 0 and trickler.sent >= 3
    finally:
        dispatcher.stop()
