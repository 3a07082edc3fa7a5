"""The Kafka stream runner behind ``khien stream`` (needs ``pip install 'khien[kafka]'``).

A consumer in a group reads items (the JSON objects ``khien scan`` reads, one a message), decides
them a batch at a time and produces each decision to the output topic keyed by item id;
a malformed message goes to the dead-letter topic with its place and the reason. Scale by running
more processes with the same ``--group``: the partitions of the input topic are the unit.

Delivery (see docs/scale.md):

- **at-least-once** (default): poll a batch (up to ``batch_size`` messages or ``batch_ms``),
  decide and produce it; a batch's offsets are committed (asynchronously) only once the broker
  has acknowledged every record of it and of the batches before it. Deciding the next batch
  does not wait for those acknowledgements (at most ``MAX_IN_FLIGHT`` batches are unacknowledged),
  and a stop flushes and commits synchronously. A crash before a commit makes the next owner
  of those partitions decide them again: the output may hold the same decision twice, never two
  different decisions for one item (the engine is a pure function of the item and the policy),
  so consumers dedupe by key.
- **exactly-once** (``exactly_once=True``): each batch is one Kafka transaction: its decisions, its
  dead letters and its input offsets (``send_offsets_to_transaction``) commit together or not at
  all. Consumers of the output must read with ``isolation.level=read_committed``.

One batch is decided at a time, at most ``MAX_IN_FLIGHT`` wait for the broker's acknowledgement, and
the consumer's read-ahead is a few batches (bounded memory, natural backpressure: a backlog waits
in Kafka). ``stop`` being set makes the loop finish the batch in hand
(decide, produce, commit) and return; the CLI sets it on SIGTERM and SIGINT.

confluent_kafka is imported inside :func:`run_stream` so the core install does not need it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import urlsplit

from ..engine import Engine
from ..errors import InputError, KhienError
from ..model import Decision, Item
from .messages import BatchOutput, Outgoing, Polled, decide_messages, next_offsets

__all__ = ["KafkaAddress", "StreamConfig", "StreamSummary", "StreamError", "run_stream", "consumer_settings",
           "producer_settings"]

# Consumer-group timing: a dead runner's partitions move to the others within seconds, and a batch
# (well under a second) never comes close to the heartbeat. Overridable with client settings.
SESSION_TIMEOUT_MS = 6000
HEARTBEAT_MS = 500
TXN_TIMEOUT_S = 30.0
PREFETCH_KB = 8192
MAX_IN_FLIGHT = 4  # produced batches awaiting the broker's acknowledgement before deciding waits
MAX_FETCH_WAIT_MS = 500  # librdkafka's default; a broker holds an empty fetch at most min(this, batch_ms)


class StreamError(KhienError):
    """The stream cannot go on: the broker refused a write, or the producer was fenced."""

    code = "khien.stream"


@dataclass(frozen=True, slots=True)
class KafkaAddress:
    """``kafka://HOST:PORT[,HOST:PORT...]/TOPIC``: bootstrap servers and a topic."""

    bootstrap: str
    topic: str

    @classmethod
    def parse(cls, url: str, what: str = "address") -> "KafkaAddress":
        parts = urlsplit(url)
        topic = parts.path.strip("/")
        if parts.scheme != "kafka" or not parts.netloc or not topic or "/" in topic:
            raise InputError(f"{what} {url!r} is not kafka://HOST:PORT/TOPIC",
                             hint="For example kafka://broker:9092/posts (several brokers: kafka://b1:9092,b2:9092/posts).")
        return cls(parts.netloc, topic)

    def __str__(self) -> str:
        return f"kafka://{self.bootstrap}/{self.topic}"


@dataclass(frozen=True, slots=True)
class StreamConfig:
    """What one runner process reads, writes and how. ``instance_id`` must be stable across
    restarts of the same process and distinct between processes of one group: with
    ``exactly_once`` it names the transactional producer (``khien-GROUP-INSTANCE``), so a
    restarted runner fences its previous self and aborts its unfinished transaction."""

    source: KafkaAddress
    sink: KafkaAddress
    group: str
    dead_letter: KafkaAddress | None = None
    exactly_once: bool = False
    instance_id: str = field(default_factory=socket.gethostname)
    batch_size: int = 500
    batch_ms: int = 200
    dsa: bool = False
    max_text: int | None = None
    key_as_id: bool = False  # an item without an id takes the message key as its id
    headers: tuple[tuple[str, str], ...] = ()  # (item field, message header) pairs: the header fills a missing field
    progress_s: float = 5.0
    client: Mapping[str, str] = field(default_factory=dict)  # extra librdkafka settings (security, tuning)

    def check(self) -> None:
        """Refuse combinations one producer cannot serve, before anything connects."""
        if self.dead_letter is not None and self.dead_letter.bootstrap != self.sink.bootstrap:
            raise InputError(f"the dead-letter topic ({self.dead_letter}) must be on the output's brokers "
                             f"({self.sink.bootstrap}): one producer writes both")
        if self.exactly_once and self.sink.bootstrap != self.source.bootstrap:
            raise InputError("--exactly-once needs the output topic on the input's brokers: the input offsets "
                             "commit in the same transaction as the decisions")
        if self.sink.topic == self.source.topic:
            raise InputError(f"the output topic is the input topic ({self.source.topic}): decisions would be read as items")


@dataclass(slots=True)
class StreamSummary:
    """Counts since the runner started (what the closing summary and the progress lines show)."""

    decided: int = 0
    dead: int = 0
    batches: int = 0
    retried_batches: int = 0
    actions: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    lag: int | None = None
    elapsed: float = 0.0
    busy: float = 0.0  # seconds from a non-empty poll to its commit: deciding plus the broker round trips
    deciding: float = 0.0  # seconds of those in decide_messages (the engine and (de)serialising)

    def add(self, out: BatchOutput) -> None:
        self.decided += len(out.decisions)
        self.dead += len(out.dead)
        self.batches += 1
        self.actions.update(out.actions)
        self.categories.update(out.categories)

    def rate(self) -> float:
        return self.decided / self.elapsed if self.elapsed > 0 else 0.0

    def busy_rate(self) -> float:
        """Items/s while there was work: what a runner does under backlog, without idle polls."""
        return self.decided / self.busy if self.busy > 0 else 0.0


def consumer_settings(config: StreamConfig) -> dict[str, Any]:
    """librdkafka consumer settings: manual commits only, from the earliest offset of a new group,
    committed transactions only (the input may come from a transactional producer)."""
    return {
        "bootstrap.servers": config.source.bootstrap,
        "group.id": config.group,
        "client.id": f"khien-{config.instance_id}",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
        "session.timeout.ms": SESSION_TIMEOUT_MS,
        "heartbeat.interval.ms": HEARTBEAT_MS,
        # bounded read-ahead (librdkafka's defaults prefetch up to 100,000 messages / 64 MB): a few
        # batches, so a slow runner's backlog stays in Kafka, where another runner can take it
        "queued.min.messages": 4 * config.batch_size,
        "queued.max.messages.kbytes": PREFETCH_KB,
        # a broker may hold a fetch this long while a partition is empty: no longer than the batch
        # wait, or a quiet partition's first item waits for the fetch rather than the batch
        "fetch.wait.max.ms": min(config.batch_ms, MAX_FETCH_WAIT_MS),
        **config.client,
    }


def producer_settings(config: StreamConfig) -> dict[str, Any]:
    """librdkafka producer settings: acknowledged by all replicas, idempotent (a retried send is not
    written twice), transactional with ``exactly_once``."""
    out: dict[str, Any] = {
        "bootstrap.servers": config.sink.bootstrap,
        "client.id": f"khien-{config.instance_id}",
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 5,
        **config.client,
    }
    if config.exactly_once:
        out["transactional.id"] = f"khien-{config.group}-{config.instance_id}"
    return out


def run_stream(engine: Engine, config: StreamConfig, *, stop: threading.Event,
               report: Callable[[str], None], observe: Callable[[StreamSummary], None] | None = None,
               record: Callable[[Sequence[tuple[Item, Decision]]], None] | None = None) -> StreamSummary:
    """Run until ``stop`` is set; returns the counts.
    ``record`` gets each batch's (item, decision) pairs before anything is produced (the store of
    ``--db``: :mod:`khien.run.stream_store`); it must be idempotent, since an uncommitted batch is
    decided and recorded again.
    ``observe`` gets the counts after every batch and progress tick (the ``/metrics`` endpoint).

    Raises :class:`StreamError` when a write is refused or the producer is fenced (the
    uncommitted batch is decided again by whoever owns its partitions next).
    """
    config.check()
    from confluent_kafka import Consumer, Producer

    def committed(error: Any, partitions: Any) -> None:  # the outcome of an asynchronous commit
        if error is not None:
            report(f"khien stream: offsets not committed ({error.str()}); the batch will be decided again")

    consumer = Consumer({**consumer_settings(config), "on_commit": committed})
    producer = Producer(producer_settings(config))
    summary = StreamSummary()
    acks = _Acknowledged(consumer, producer, report)
    started = time.perf_counter()
    next_report = started + config.progress_s
    try:
        if config.exactly_once:
            _call(producer.init_transactions, TXN_TIMEOUT_S)
        consumer.subscribe([config.source.topic], on_revoke=acks.revoked)
        while not stop.is_set():
            polled = _poll(consumer, config, report)
            if polled:
                began = time.perf_counter()
                out = decide_messages(engine, polled, dsa=config.dsa, max_text=config.max_text,
                                      keep=record is not None, key_as_id=config.key_as_id, headers=config.headers)
                summary.deciding += time.perf_counter() - began
                if record is not None and out.decided:
                    record(out.decided)
                if config.dead_letter is None:
                    for letter in out.dead:
                        report(f"khien stream: dropped a malformed message: {letter.value.decode('utf-8')}")
                if config.exactly_once:
                    committed = _transaction(consumer, producer, config, polled, out, report)
                    summary.retried_batches += not committed
                    if committed:
                        summary.add(out)
                else:
                    sent = len(out.decisions) + (len(out.dead) if config.dead_letter is not None else 0)
                    _send(producer, config, out, acks.track(polled, sent))
                    acks.settle(producer, MAX_IN_FLIGHT - 1)
                    summary.add(out)
                summary.busy += time.perf_counter() - began
            elif not config.exactly_once:
                acks.settle(producer, MAX_IN_FLIGHT - 1)
            now = time.perf_counter()
            summary.elapsed = now - started
            ticked = now >= next_report
            if ticked:
                summary.lag = _lag(consumer)
                report(_progress(summary))
                next_report = now + config.progress_s
            if observe is not None and (polled or ticked):
                observe(summary)
        if not config.exactly_once:
            acks.drain(producer)
    finally:
        summary.elapsed = time.perf_counter() - started
        producer.flush(10)
        consumer.close()  # leaves the group at once: the partitions move without a session timeout
    return summary


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    from confluent_kafka import KafkaException

    try:
        return fn(*args)
    except KafkaException as exc:
        raise StreamError(f"the broker refused {fn.__name__}: {exc.args[0].str() if exc.args else exc}") from exc


def _poll(consumer: Any, config: StreamConfig, report: Callable[[str], None]) -> list[Polled]:
    """Up to ``batch_size`` messages, waiting at most ``batch_ms``; client errors that are not
    fatal (a broker restarting, a partition moving) are reported and the stream goes on."""
    from confluent_kafka import KafkaException

    try:
        messages = consumer.consume(config.batch_size, config.batch_ms / 1000)
    except KafkaException as exc:
        raise StreamError(f"the consumer failed: {exc.args[0].str() if exc.args else exc}") from exc
    polled = []
    for m in messages:
        error = m.error()
        if error is not None:
            if error.fatal():
                raise StreamError(f"the consumer failed: {error.str()}") from KafkaException(error)
            report(f"khien stream: consumer: {error.str()}")
            continue
        polled.append(Polled(m.topic(), m.partition(), m.offset(), m.key(), m.value(),
                             tuple(m.headers() or ()) if config.headers else ()))
    return polled


def _send(producer: Any, config: StreamConfig, out: BatchOutput, on_delivery: Callable[..., None] | None) -> None:
    targets: list[tuple[str, Sequence[Outgoing]]] = [(config.sink.topic, out.decisions)]
    if config.dead_letter is not None:
        targets.append((config.dead_letter.topic, out.dead))
    for topic, records in targets:
        for record in records:
            while True:
                try:
                    producer.produce(topic, record.value, record.key, headers=list(record.headers) or None,
                                     on_delivery=on_delivery)
                    break
                except BufferError:  # the local queue is full: let deliveries drain it
                    producer.poll(0.1)
        producer.poll(0)


class _Acknowledged:
    """At-least-once bookkeeping: produced batches in order, each with its records not yet
    acknowledged by the broker. A batch's offsets are committed once it and every batch before it
    are fully acknowledged, so a committed offset never passes an item whose decision is not
    stored in the output topic."""

    def __init__(self, consumer: Any, producer: Any, report: Callable[[str], None]) -> None:
        self.consumer = consumer
        self.producer = producer
        self.report = report
        self.batches: deque[_InFlight] = deque()
        self.latest: dict[tuple[str, int], int] = {}  # offsets handed to a commit, per partition we own

    def revoked(self, consumer: Any, partitions: Sequence[Any]) -> None:
        """A rebalance takes ``partitions`` (called before they move): wait for the batches in
        flight and commit them synchronously, so their next owner starts after them; then never
        commit for those partitions again (a late commit of ours could move their offset back)."""
        if self.batches:
            self.producer.flush(60)
        self._commit_ready(asynchronous=False)
        gone = {(tp.topic, tp.partition) for tp in partitions}
        for place in gone:
            self.latest.pop(place, None)
        for batch in self.batches:
            for place in gone:
                batch.offsets.pop(place, None)

    def track(self, polled: Sequence[Polled], records: int) -> Callable[[Any, Any], None]:
        """Register a batch about to be produced as ``records`` records; the returned callback
        counts their deliveries."""
        batch = _InFlight(next_offsets(polled), records)
        self.batches.append(batch)
        return batch.delivered

    def settle(self, producer: Any, keep: int) -> None:
        """Serve delivery callbacks, commit what is fully acknowledged, and wait until at most
        ``keep`` batches are unacknowledged (backpressure on a slow broker)."""
        producer.poll(0)
        self._commit_ready(asynchronous=True)
        waited = 0.0
        while len(self.batches) > keep:
            producer.poll(0.05)
            waited += 0.05
            self._commit_ready(asynchronous=True)
            if waited >= 60 and self.batches:
                raise StreamError(f"the broker did not acknowledge {self.batches[0].remaining} record(s) within 60 s")

    def drain(self, producer: Any) -> None:
        """On stop: wait for every acknowledgement, then commit every offset synchronously (this
        also settles asynchronous commits still on their way)."""
        producer.flush(60)
        self._commit_ready(asynchronous=True, send=False)
        if self.batches:
            raise StreamError(f"the broker did not acknowledge {self.batches[0].remaining} record(s) within 60 s")
        if self.latest:
            _commit(self.consumer, self.latest, self.report, asynchronous=False)

    def _commit_ready(self, *, asynchronous: bool, send: bool = True) -> None:
        offsets: dict[tuple[str, int], int] = {}
        while self.batches and self.batches[0].remaining == 0:
            batch = self.batches.popleft()
            if batch.failed:
                # not committed: whoever owns the partitions next decides the batch again
                raise StreamError(f"the broker did not take {len(batch.failed)} record(s), first: {batch.failed[0]}")
            offsets.update(batch.offsets)
        self.latest.update(offsets)
        if offsets and send:
            _commit(self.consumer, offsets, self.report, asynchronous=asynchronous)


@dataclass(slots=True)
class _InFlight:
    offsets: dict[tuple[str, int], int]
    remaining: int
    failed: list[str] = field(default_factory=list)

    def delivered(self, error: Any, message: Any) -> None:
        self.remaining -= 1
        if error is not None:
            self.failed.append(f"{message.topic()}: {error.str()}")


def _offsets(offsets: Mapping[tuple[str, int], int]) -> list[Any]:
    from confluent_kafka import TopicPartition

    return [TopicPartition(topic, partition, offset) for (topic, partition), offset in offsets.items()]


def _commit(consumer: Any, offsets: Mapping[tuple[str, int], int], report: Callable[[str], None], *,
            asynchronous: bool) -> None:
    from confluent_kafka import KafkaException

    try:
        consumer.commit(offsets=_offsets(offsets), asynchronous=asynchronous)
    except KafkaException as exc:
        # typically a rebalance took the partitions away: their new owner decides the batch again,
        # to the same decisions (at-least-once)
        report(f"khien stream: offsets not committed ({exc.args[0].str() if exc.args else exc}); "
               "the batch will be decided again")


def _transaction(consumer: Any, producer: Any, config: StreamConfig, polled: Sequence[Polled], out: BatchOutput,
                 report: Callable[[str], None]) -> bool:
    """Produce the batch and commit its offsets in one transaction. Returns False when the
    transaction was aborted (the consumer is rewound to the batch's start, so it is decided again);
    raises :class:`StreamError` when this producer can no longer write (fenced, fatal)."""
    from confluent_kafka import KafkaException, TopicPartition

    try:
        producer.begin_transaction()
        _send(producer, config, out, None)
        producer.send_offsets_to_transaction(_offsets(next_offsets(polled)), consumer.consumer_group_metadata(), TXN_TIMEOUT_S)
        producer.commit_transaction(TXN_TIMEOUT_S)
        return True
    except KafkaException as exc:
        error = exc.args[0] if exc.args else None
        if error is None or not error.txn_requires_abort():
            raise StreamError(f"the transaction failed and cannot be aborted: {error.str() if error else exc}") from exc
        report(f"khien stream: transaction aborted ({error.str()}); the batch will be decided again")
        producer.abort_transaction(TXN_TIMEOUT_S)
        first: dict[tuple[str, int], int] = {}
        for m in polled:
            first[(m.topic, m.partition)] = min(first.get((m.topic, m.partition), m.offset), m.offset)
        for (topic, partition), offset in first.items():
            try:
                consumer.seek(TopicPartition(topic, partition, offset))
            except KafkaException:
                pass  # the partition moved to another runner: it starts from the committed offset
        return False


def _lag(consumer: Any) -> int | None:
    """Messages not yet decided on this runner's partitions, when the broker reports watermarks."""
    from confluent_kafka import KafkaException

    try:
        total = 0
        for tp in consumer.position(consumer.assignment()):
            _, high = consumer.get_watermark_offsets(tp, timeout=1.0, cached=False)
            if tp.offset >= 0 and high >= 0:
                total += max(0, high - tp.offset)
        return total
    except KafkaException:
        return None


def _progress(summary: StreamSummary) -> str:
    lag = "" if summary.lag is None else f", lag {summary.lag:,}"
    return (f"khien stream: {summary.decided:,} decided, {summary.dead:,} dead-lettered, "
            f"{summary.rate():,.0f} items/s{lag}")
