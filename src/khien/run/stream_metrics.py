"""``/metrics`` of a ``khien stream`` process: throughput, dead letters and lag, for Prometheus.

prometheus_client (in the ``server`` extra) is imported when the endpoint is asked for, so the
stream runner itself does not need it.
"""

from __future__ import annotations

from typing import Callable

from .kafka import StreamSummary

__all__ = ["serve_metrics"]


def serve_metrics(host: str, port: int) -> Callable[[StreamSummary], None]:
    """Serve ``http://HOST:PORT/metrics`` from a daemon thread; returns the observer that
    :func:`khien.run.kafka.run_stream` calls with its counts after every batch."""
    from prometheus_client import CollectorRegistry, Gauge, start_http_server

    registry = CollectorRegistry()
    decided = Gauge("khien_stream_items_decided", "Items decided since the runner started", registry=registry)
    dead = Gauge("khien_stream_items_dead_lettered", "Malformed messages sent to the dead-letter topic since start",
                 registry=registry)
    batches = Gauge("khien_stream_batches", "Batches committed since start", registry=registry)
    rate = Gauge("khien_stream_items_per_second", "Items decided per second since start", registry=registry)
    lag = Gauge("khien_stream_lag", "Messages not yet decided on this runner's partitions (-1: not reported)",
                registry=registry)
    start_http_server(port, addr=host, registry=registry)

    def observe(summary: StreamSummary) -> None:
        decided.set(summary.decided)
        dead.set(summary.dead)
        batches.set(summary.batches)
        rate.set(summary.rate())
        lag.set(-1 if summary.lag is None else summary.lag)

    return observe
