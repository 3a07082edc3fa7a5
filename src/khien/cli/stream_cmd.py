"""``khien stream``: decide a Kafka topic of items into a topic of decisions (run/kafka.py)."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..errors import InputError
from ..model import ACTIONS
from ..run.kafka import KafkaAddress, StreamConfig, run_stream
from ..run.messages import HEADER_FIELDS
from ..strict import nearest
from ..settings import setting_value
from .main import EXIT_OK, guarded
from .options import ModelOption, PolicyOption, RegistryOption, build_engine


def _client_settings(pairs: List[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            raise InputError(f"-X {pair!r} is not KEY=VALUE", hint="For example -X security.protocol=SASL_SSL.")
        out[key.strip()] = value
    return out


def _header_fields(pairs: List[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for pair in pairs:
        name, eq, header = pair.partition("=")
        name, header = name.strip(), header.strip()
        if not eq or not header:
            raise InputError(f"--header {pair!r} is not FIELD=HEADER", hint="For example --header platform=x-platform.")
        if name not in HEADER_FIELDS:
            guess = nearest(name, HEADER_FIELDS)
            raise InputError(f"--header {pair!r}: {name!r} is not a field a header may give"
                             + (f"; did you mean '{guess}'?" if guess else ""),
                             hint=f"Fields: {', '.join(HEADER_FIELDS)}.")
        out.append((name, header))
    return tuple(out)


@guarded
def stream(
    source: str = typer.Option(..., "--from", help="Input topic of items: kafka://HOST:PORT/TOPIC."),
    sink: str = typer.Option(..., "--to", help="Output topic of decisions, keyed by item id: kafka://HOST:PORT/TOPIC."),
    group: str = typer.Option(..., "--group", "-g", help="Consumer group; run more processes with the same group to scale."),
    dead_letter: Optional[str] = typer.Option(
        None, "--dead-letter", help="Topic for malformed messages, with the reason (default: reported on stderr and skipped)."),
    exactly_once: bool = typer.Option(
        False, "--exactly-once", help="One Kafka transaction per batch (decisions + input offsets); needs broker support."),
    instance_id: Optional[str] = typer.Option(
        None, "--instance-id", help="Stable, unique name of this process in the group (default: the host name); "
                                    "names the transactional producer with --exactly-once."),
    batch_size: int = typer.Option(500, "--batch-size", min=1, max=100_000, help="Most messages decided at once."),
    batch_ms: int = typer.Option(200, "--batch-ms", min=1, max=60_000, help="Longest wait to fill a batch, in ms."),
    key_as_id: bool = typer.Option(
        False, "--key-as-id", help="An item without an 'id' takes the message key (UTF-8) as its id."),
    header: List[str] = typer.Option(
        [], "--header", help="FIELD=HEADER: an item without FIELD (id, platform, url, created_at) takes the "
                             "message header HEADER (UTF-8) as its value (repeatable)."),
    client: List[str] = typer.Option([], "-X", help="A librdkafka setting KEY=VALUE for both clients (repeatable)."),
    policy: Optional[Path] = PolicyOption,
    model: Optional[Path] = ModelOption,
    registry: Optional[Path] = RegistryOption,
    dsa: bool = typer.Option(False, "--dsa", help="Add the DSA statement-of-reasons fields to each decision."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress and no summary."),
    progress_s: float = typer.Option(5.0, "--progress-s", min=0.1, help="Seconds between progress lines (and lag reads)."),
    metrics_port: Optional[int] = typer.Option(
        None, "--metrics-port", min=1, max=65535,
        help="Serve throughput, dead letters and lag on http://HOST:PORT/metrics (needs the 'server' extra)."),
    metrics_host: str = typer.Option("127.0.0.1", "--metrics-host", help="Address of the /metrics endpoint."),
    db: Optional[str] = typer.Option(
        None, "--db", help="Also record each decision in this database, as POST /v1/moderate does: decisions that "
                           "need people become cases, once per item version (needs the 'server' extra)."),
    max_text_chars: Optional[int] = typer.Option(
        None, "--max-text-chars", min=1, help="Longest text decided; a longer one is dead-lettered (default: setting max_text_chars)."),
) -> None:
    """Decide every item of a Kafka topic until stopped; SIGTERM or Ctrl-C finishes the batch in hand
    (decide, produce, commit) and exits 0.

    Default delivery is at-least-once: after a crash a batch may be decided again, to identical
    decisions, so consumers dedupe by key. --exactly-once commits each batch in one transaction.
    """
    config = StreamConfig(
        source=KafkaAddress.parse(source, "--from"), sink=KafkaAddress.parse(sink, "--to"), group=group,
        dead_letter=KafkaAddress.parse(dead_letter, "--dead-letter") if dead_letter else None,
        exactly_once=exactly_once, batch_size=batch_size, batch_ms=batch_ms, dsa=dsa, key_as_id=key_as_id,
        headers=_header_fields(header), max_text=setting_value("max_text_chars", max_text_chars),
        progress_s=progress_s, client=_client_settings(client),
        **({"instance_id": instance_id} if instance_id else {}))
    config.check()
    engine = build_engine(policy, model, registry)
    err = Console(stderr=True)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    report = (lambda line: None) if quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    if not quiet:
        report(f"khien stream: {config.source} -> {config.sink}, group {group}, "
               f"{'exactly-once' if exactly_once else 'at-least-once'}, policy {engine.policy.version}")
    observe = None
    if metrics_port is not None:
        from ..run.stream_metrics import serve_metrics

        try:
            observe = serve_metrics(metrics_host, metrics_port)
        except ModuleNotFoundError as exc:
            raise InputError(f"--metrics-port needs prometheus_client ({exc.name} is not installed)",
                             hint="pip install 'khien[server]'") from None
        except OSError as exc:
            raise InputError(f"--metrics-port {metrics_port}: cannot listen on {metrics_host}: {exc.strerror}") from None
    recorder = None
    if db is not None:
        from ..run.stream_store import StoreRecorder

        recorder = StoreRecorder(db, engine.policy, upgrade=bool(setting_value("migrate")), campaigns=engine.campaign)
    try:
        summary = run_stream(engine, config, stop=stop, report=report, observe=observe, record=recorder)
    finally:
        if recorder is not None:
            recorder.close()
    if not quiet:
        table = Table(title="khien stream", show_header=True, header_style="bold")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_row("items decided", f"{summary.decided:,}")
        table.add_row("dead-lettered", f"{summary.dead:,}")
        table.add_row("batches", f"{summary.batches:,}")
        if recorder is not None:
            table.add_row("decisions recorded (new)", f"{recorder.added:,}")
        if summary.retried_batches:
            table.add_row("aborted transactions", f"{summary.retried_batches:,}")
        for name in ACTIONS:
            table.add_row(f"action: {name}", f"{summary.actions.get(name, 0):,}")
        for name, count in summary.categories.most_common():
            table.add_row(f"category: {name}", f"{count:,}")
        table.add_row("items/s", f"{summary.rate():,.0f}")
        table.add_row("items/s while busy", f"{summary.busy_rate():,.0f}")
        table.add_row("engine share of busy time", f"{summary.deciding / summary.busy:.0%}" if summary.busy else "-")
        table.add_row("policy", engine.policy.version)
        err.print(table)
    raise typer.Exit(EXIT_OK)
