"""Webhook delivery: POST each queued event, HMAC-signed, with retries and a dead-letter table.

Signature: see :mod:`khien.hooks.signing` (``Khien-Signature: t=<unix seconds>,v1=<hex>``). A
delivery that fails (non-2xx, timeout, refused) is retried after ``backoff × 2^(attempt-1)``
seconds; after ``max_attempts`` it moves to the dead-letter table, from which an admin can replay
it (``POST /v1/webhooks/dead-letters/{id}/replay``). What each attempt changes is written by
:func:`khien.hooks.settle`; this module only does the HTTP and the threads.

Contracts:

- **One lane per endpoint.** Each endpoint's due deliveries go, in order, to one task on a small
  thread pool (``concurrency`` threads); while an endpoint's task runs, or while it backs off after
  a failure, its deliveries are left out of the next query. A receiver that accepts and never
  answers, or trickles its answer a byte at a time, holds one thread for at most ``timeout_s``
  (a total deadline per request, :mod:`khien.run.deadline`) and delays only its own events.
- **Checked address, pinned.** Before each lane the URL goes through the
  :class:`~khien.hooks.AddressGuard` again (DNS answers change) and the request is sent to the
  address that was checked, with the name in the Host header and the TLS SNI, so the name cannot be
  re-resolved to an internal address between the check and the connection.
- **Generic errors.** ``last_error`` is one of :class:`~khien.hooks.Failure`, ``HTTP <status>`` or
  the guard's ``address not allowed (<category>)``: never the resolver's or the socket's message.
- Each endpoint has its own HTTP client, so a kept-alive connection (and its TLS session, made
  for one name) is never reused for another endpoint that resolves to the same address.
"""

from __future__ import annotations

import ipaddress
import logging
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import httpx

from ..clock import SYSTEM, Clock
from ..hooks import (SIGNATURE_HEADER, AddressGuard, Backoff, Failure, Outcome, RefusedAddress, Target,
                     WebhookDelivery, due, http_status, settle, sign, verify_signature)
from ..store import Store
from .deadline import DeadlineTransport
from .loop import BackgroundLoop

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["Dispatcher", "sign", "verify_signature", "SIGNATURE_HEADER", "failure_of"]

log = logging.getLogger("khien.webhooks")


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from (httpx wraps httpcore, which wraps the socket's error)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def failure_of(exc: BaseException) -> Failure:
    """The generic category of a failed request (the exception's own text is never stored)."""
    chain = _causes(exc)
    if any(isinstance(e, (httpx.TimeoutException, TimeoutError)) for e in chain):
        return Failure.TIMEOUT
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return Failure.TLS
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return Failure.REFUSED
    if isinstance(exc, httpx.RemoteProtocolError | httpx.DecodingError):
        return Failure.PROTOCOL
    if isinstance(exc, httpx.TransportError | OSError):
        return Failure.UNREACHABLE
    return Failure.OTHER


class Dispatcher(BackgroundLoop):
    """A daemon thread that hands due webhook deliveries to per-endpoint lanes until stopped.

    :meth:`run_once` starts lanes and returns without waiting for them (the background loop's
    round); :meth:`step` also waits for the lanes it started, which is what tests on a
    :class:`~khien.clock.FakeClock` call before moving the clock through the back-off.
    """

    name = "khien-webhooks"

    def __init__(self, store: Store, *, max_attempts: int = 5, backoff_s: float = 2.0, timeout_s: float = 5.0,
                 idle_s: float = 0.5, batch: int = 50, concurrency: int = 8, clock: Clock = SYSTEM,
                 guard: AddressGuard | None = None) -> None:
        super().__init__()
        self.store = store
        self.backoff = Backoff(max_attempts=max_attempts, base_s=backoff_s)
        self.idle_s = idle_s
        self.batch = batch
        self.clock = clock
        self.guard = guard or AddressGuard()
        self.timeout_s = timeout_s
        self.delivered = 0
        self.dead = 0
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="khien-webhook-lane")
        self._lock = threading.Lock()
        self._busy: set[int] = set()  # endpoints with a lane queued or running
        self._paused: dict[int, float] = {}  # endpoint → clock time its back-off ends
        self._clients: dict[int, httpx.Client] = {}
        self._idle = threading.Condition(self._lock)

    @classmethod
    def from_settings(cls, store: Store, settings: "Settings", *, clock: Clock = SYSTEM) -> "Dispatcher":
        """The dispatcher ``khien serve`` runs, configured by the ``webhook_*`` settings."""
        return cls(store, max_attempts=settings.webhook_max_attempts, backoff_s=settings.webhook_backoff_s,
                   timeout_s=settings.webhook_timeout_s, clock=clock,
                   guard=AddressGuard(settings.webhook_allow_hosts))

    def stop(self, timeout: float = 10.0) -> None:
        super().stop(timeout)
        # A lane stops between deliveries once _stop is set; one in flight ends within timeout_s.
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    # ---- one round ---------------------------------------------------------------------------

    def run_once(self) -> int:
        """Hand every due delivery of an endpoint that is neither busy nor backing off to that
        endpoint's lane; returns how many deliveries were handed over (without waiting for them)."""
        now = self.clock.now()
        with self._lock:
            self._paused = {wid: until for wid, until in self._paused.items() if until > now}
            skip = self._busy | set(self._paused)
        batch = due(self.store, limit=self.batch, clock=self.clock, skip_webhooks=skip)
        lanes: dict[int, list[WebhookDelivery]] = {}
        for delivery in batch:
            lanes.setdefault(delivery.webhook_id, []).append(delivery)
        with self._lock:
            self._busy.update(lanes)
        for webhook_id, deliveries in lanes.items():
            self._pool.submit(self._lane, webhook_id, deliveries)
        return len(batch)

    def step(self, timeout: float | None = None) -> int:
        """:meth:`run_once`, then wait until every lane has finished (for tests; at most ``timeout`` s)."""
        n = self.run_once()
        with self._idle:
            self._idle.wait_for(lambda: not self._busy, timeout)
        return n

    # ---- one endpoint ------------------------------------------------------------------------

    def _lane(self, webhook_id: int, deliveries: list[WebhookDelivery]) -> None:
        """Deliver one endpoint's events in order; stop at the first failure and back off the endpoint."""
        try:
            target: Target | str | None = None
            for delivery in deliveries:
                if self._stop.is_set():
                    return
                if target is None:
                    target = self._target(delivery.url)
                started = self.clock.now()
                error = target if isinstance(target, str) else self._post(webhook_id, target, delivery)
                outcome = settle(self.store, delivery, error, backoff=self.backoff, clock=self.clock)
                self._count(outcome)
                if outcome is not Outcome.DELIVERED:
                    log.info("webhook %s delivery %s failed (%s): %s", webhook_id, delivery.id, error, outcome)
                    with self._lock:
                        # Its other events wait as long as this one, so they are not sent out of turn
                        # to a receiver that is down (and do not each spend a timeout on it).
                        self._paused[webhook_id] = started + self.backoff.delay(delivery.attempts + 1)
                    return
        except Exception:
            log.exception("webhook lane for endpoint %s failed; pausing it", webhook_id)
            with self._lock:  # e.g. the database is away: do not retry this endpoint in a tight loop
                self._paused[webhook_id] = self.clock.now() + max(self.backoff.base_s, 1.0)
        finally:
            with self._lock:
                self._busy.discard(webhook_id)
                self._idle.notify_all()
            self.wake()

    def _count(self, outcome: Outcome) -> None:
        with self._lock:
            if outcome is Outcome.DELIVERED:
                self.delivered += 1
            elif outcome is Outcome.DEAD:
                self.dead += 1

    def _target(self, url: str) -> Target | str:
        """The checked target of ``url``, or the reason it may not be sent to (a generic phrase)."""
        try:
            return self.guard.check(url)
        except RefusedAddress as refused:
            return refused.reason

    def _client(self, webhook_id: int) -> httpx.Client:
        with self._lock:
            client = self._clients.get(webhook_id)
            if client is None:
                # timeout_s bounds each read and, through the transport, the whole request: a receiver
                # trickling its answer a byte at a time is cut off at timeout_s all the same.
                client = self._clients[webhook_id] = httpx.Client(
                    transport=DeadlineTransport(self.timeout_s), timeout=self.timeout_s, follow_redirects=False)
            return client

    def _post(self, webhook_id: int, target: Target, delivery: WebhookDelivery) -> str | None:
        """POST once to the checked address; None on success, else a generic error."""
        body = delivery.body.encode("utf-8")
        headers = {
            "Host": target.host_header,
            "Content-Type": "application/json",
            "User-Agent": "khien-webhooks/1",
            "Khien-Event": delivery.event,
            "Khien-Delivery": str(delivery.id),
            SIGNATURE_HEADER: sign(delivery.secret, body, int(self.clock.now())),
        }
        extensions = {}
        if target.scheme == "https" and not _is_ip(target.host):
            extensions["sni_hostname"] = target.host  # the certificate is checked against the name
        try:
            # Streamed and never read: the status is all we need, and a receiver cannot make us hold
            # a large answer in memory.
            with self._client(webhook_id).stream("POST", target.pinned_url(), content=body, headers=headers,
                                                 extensions=extensions) as response:
                status = response.status_code
        except Exception as exc:  # noqa: BLE001 - every failure becomes a category; the text names hosts
            failure = failure_of(exc)
            log.debug("webhook %s: %s (%s)", webhook_id, failure, type(exc).__name__)
            return failure.value
        return None if 200 <= status < 300 else http_status(status)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
