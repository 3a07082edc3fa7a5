"""Prometheus metrics: request latency and counts by route, plus queue gauges read at scrape time."""

from __future__ import annotations

import time
from typing import Any, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["Metrics", "MetricsMiddleware", "CONTENT_TYPE"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """One registry per app, so several apps (tests) never clash on metric names."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("khien_http_requests_total", "HTTP requests", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("khien_http_request_seconds", "HTTP request latency", ["method", "route"],
                                 buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
                                 registry=self.registry)
        self.items_pending = Gauge("khien_items_pending", "Items stored and waiting for the worker",
                                   registry=self.registry)
        self.items_failed = Gauge("khien_items_failed", "Items the worker quarantined (status failed)",
                                  registry=self.registry)
        self.cases_open = Gauge("khien_cases_open", "Open review cases", registry=self.registry)
        self.worker_decided = Gauge("khien_worker_items_decided", "Items the worker decided since start",
                                    registry=self.registry)
        self.webhooks_delivered = Gauge("khien_webhooks_delivered", "Webhook deliveries since start",
                                        registry=self.registry)
        self.webhooks_dead = Gauge("khien_webhooks_dead_lettered", "Webhook deliveries dead-lettered since start",
                                   registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    def __init__(self, app: Callable, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.latency.labels(method, path).observe(time.perf_counter() - started)
            self.metrics.requests.labels(method, path, str(status[0])).inc()
