"""An HTTP transport whose requests have a total deadline, not only a per-read timeout.

httpx's timeouts bound each socket operation: a receiver that sends one byte of its answer every
few seconds never trips a read timeout and can hold a delivery lane for as long as it likes. Here
every socket operation of a request gets the time left until the request's deadline as its
timeout, so connecting, sending the body and reading the answer's head together take at most
``total_s`` seconds, however the receiver spaces its bytes.

The deadline is per thread (the webhook deliverer sends one request at a time per lane thread):
:meth:`DeadlineTransport.handle_request` sets it and every stream the pool opens or reuses reads
it, so a kept-alive connection obeys the deadline of the request using it.
"""

from __future__ import annotations

import ssl
import threading
import time
import typing

import httpcore
import httpx

__all__ = ["DeadlineTransport"]

_local = threading.local()


def _left(timeout: float | None, *, on_expiry: type[Exception]) -> float | None:
    """``timeout`` clamped to the current request's deadline; raises ``on_expiry`` once it passed."""
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise on_expiry("the request's total deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, on_expiry=httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, on_expiry=httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname,
                                             _left(timeout, on_expiry=httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: typing.Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_tcp(host, port, _left(timeout, on_expiry=httpcore.ConnectTimeout),
                                               local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, _left(timeout, on_expiry=httpcore.ConnectTimeout),
                                                       socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.BaseTransport):
    """Plain HTTP(S) without proxies, each request bounded by ``total_s`` seconds in all.

    The deadline covers the request up to the answer's head (what :meth:`handle_request` returns);
    a body read afterwards has only the per-read timeout (the webhook deliverer never reads one).
    """

    def __init__(self, total_s: float, *, verify: ssl.SSLContext | bool = True) -> None:
        self.total_s = total_s
        context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)
        self._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=_Backend())
        # httpx's transport turns an httpx request into an httpcore one and httpcore's errors into
        # httpx's; it has no parameter for the network backend, so it is given our pool (httpx is
        # pinned, and tests/hooks/test_deadline.py fails if this stops working).
        self._httpx = httpx.HTTPTransport()
        self._httpx._pool.close()
        self._httpx._pool = self._pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _local.deadline = time.monotonic() + self.total_s
        try:
            return self._httpx.handle_request(request)
        finally:
            _local.deadline = None

    def close(self) -> None:
        self._httpx.close()
