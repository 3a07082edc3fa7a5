"""API benchmark: issue 11's targets for the HTTP service, beside the same engine called in-process.

Starts ``khien serve --no-worker`` (a separate process) on a fresh database, then:

(d) ingest: the backlog (``--backlog``, default 100,000 items) through ``POST /v1/items`` in batches
    of 1,000 from a few clients: items/s stored durably (committed before the 202);
(a) ``POST /v1/moderate`` at ``--rate`` (200) requests/s, open loop (request *i* is due at
    ``i / rate`` s; latency counts from when it was due, so a stalled server cannot hide its queue),
    WHILE a separate ``khien worker`` process decides that backlog: p50/p99/max, errors, and how
    many backlog items the worker decided in the window;
(b) the highest rate with p99 ≤ 50 ms and no errors: 200, 400, 600, ... (short window each, stopped at
    the first failure), with one server process and again with ``khien serve --workers 2``;
(c) ``/healthz`` latency sampled throughout (a) and (b), and during a phase where 4 concurrent
    requests carry 1 MB texts (the server has ``max_text_chars`` raised; those decisions are not
    waited for beyond the phase);
(e) resident memory (VmRSS from /proc/<pid>/status) of the server process tree (uvicorn processes
    and their engine child processes) and of the worker, at start/end of each phase and peak,
    against a stated bound (``--rss-bound``, MiB per process).

The baseline is measured in the same run: the same engine in this process, ``decide()`` latency
per item and ``decide_batch()`` items/s.

    python bench/api.py [--db postgresql+psycopg://postgres@127.0.0.1:55433/postgres] [--seconds 30]
    python bench/api.py --quick        # small sizes: a smoke run, about a minute

Without ``--db`` it uses ``KHIEN_BENCH_DATABASE_URL`` or ``KHIEN_TEST_POSTGRES_URL``, else a
temporary SQLite file (and says so). A PostgreSQL URL gets a fresh schema, dropped afterwards.
Targets (issue 11): (a) p99 ≤ 20 ms at 200 requests/s during the backlog, 0 errors; (b) ≥ 1,000
requests/s with p99 ≤ 50 ms; (c) /healthz p99 ≤ 10 ms throughout; (d) ingest ≥ 5,000 items/s
durable; (e) RSS flat and under the bound.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx
import orjson

TEXTS = [
    "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678",
    "Hôm nay trời đẹp quá",
    "Nhận làm nhiệm vụ like dạo, chuyển khoản trước 500k để kích hoạt tài khoản, lh 0987654321",
    "Quán phở này ngon lắm nha, cả nhà nên ghé thử",
    "Chúc mừng bạn đã trúng thưởng iPhone 15, vui lòng nộp phí vận chuyển để nhận quà",
    "Mai đi học nhớ mang áo mưa nhé mọi người",
    "Vay tiền online không cần thế chấp, giải ngân trong 5 phút, chỉ cần CCCD",
    "Bài viết rất hay, cảm ơn tác giả đã chia sẻ kinh nghiệm nuôi con nhỏ",
    "Cảnh báo: có nhóm giả danh công an gọi điện yêu cầu chuyển tiền, mọi người cẩn thận",
    "Đội tuyển Việt Nam đá hay quá, tự hào lắm",
    "Nhà cái uy tín, nạp đầu tặng 100%, cá cược bóng đá tỷ lệ cao",
    "Ai có kinh nghiệm sửa máy giặt ở Cầu Giấy không ạ?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def khien_bin() -> str:
    return str(Path(sys.executable).with_name("khien")) if Path(sys.executable).with_name("khien").exists() \
        else (shutil.which("khien") or "khien")


class Database:
    """A fresh schema on PostgreSQL (dropped afterwards) or a temporary SQLite file."""

    def __init__(self, url: str | None) -> None:
        self.base = url
        self.tmp = None
        self.schema = None
        if url and url.startswith("postgresql"):
            from sqlalchemy import create_engine, text

            self.schema = f"bench_{uuid.uuid4().hex[:10]}"
            self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            self.url = f"{url}{'&' if '?' in url else '?'}options={quote(f'-csearch_path={self.schema}')}"
            self.kind = "PostgreSQL"
        else:
            self.tmp = tempfile.mkdtemp(prefix="khien-bench-")
            self.url = url or f"sqlite:///{self.tmp}/bench.db"
            self.kind = "SQLite"

    def close(self) -> None:
        if self.schema:
            from sqlalchemy import text

            with self.admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.admin.dispose()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


class Connection:
    """A bare HTTP/1.1 keep-alive connection on asyncio streams.

    The load generator must cost far less than the server it measures; a general-purpose async
    client with thousands of queued requests spends more CPU than the service does.
    """

    def __init__(self, host: str, port: int, key: str) -> None:
        self.host, self.port = host, port
        self.head = f"Host: {host}:{port}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"{method} {path} HTTP/1.1\r\n{self.head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        payload = await self.reader.readexactly(length) if length else b""
        return int(status_line.split()[1]), payload

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        return await self.request("POST", path, body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


NET_ERRORS = (OSError, asyncio.IncompleteReadError, ValueError, IndexError)


# ---------------------------------------------------------------- processes and their memory

def process_tree(pid: int) -> list[int]:
    """``pid`` and every descendant (uvicorn workers, engine child processes), from /proc."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return sorted(set(out))


class Memory:
    """RSS samples of named process trees: each phase keeps its first, last and peak sample."""

    def __init__(self) -> None:
        self.roots: dict[str, int] = {}
        self.phases: dict[str, dict[str, list[float]]] = {}
        self.largest: dict[str, float] = {}  # the largest single process seen, per role

    def sample(self, phase: str) -> None:
        for role, root in self.roots.items():
            sizes = [rss_mib(p) for p in process_tree(root)]
            sizes = [v for v in sizes if v == v]  # gone between listing and reading: skipped
            if not sizes:
                continue
            self.phases.setdefault(phase, {}).setdefault(role, []).append(sum(sizes))
            self.largest[role] = max(self.largest.get(role, 0.0), max(sizes))

    async def sampler(self, phase: str, stop: asyncio.Event, every: float = 0.5) -> None:
        self.sample(phase)
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), every)
            except asyncio.TimeoutError:
                pass
            self.sample(phase)


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit(f"khien serve did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
        time.sleep(0.2)


def start_server(bin_: str, db: "Database", port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    cmd = [bin_, "serve", "--db", db.url, "--port", str(port), "--no-worker"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ, **env))
    wait_healthy(f"http://127.0.0.1:{port}", proc)
    return proc


def stop(proc: subprocess.Popen | None, timeout: float = 30) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def pending(base: str) -> int:
    return httpx.get(f"{base}/healthz", timeout=30).json()["items_pending"]


# ---------------------------------------------------------------- load

async def healthz_sampler(host: str, port: int, stop_: asyncio.Event, out: list[float], every: float = 0.05) -> None:
    """GET /healthz on its own connection every ``every`` s; each answer's time in ``out`` (s)."""
    conn = Connection(host, port, "")
    while not stop_.is_set():
        started = time.perf_counter()
        try:
            status, _ = await conn.request("GET", "/healthz")
            out.append(time.perf_counter() - started if status == 200 else float("inf"))
        except NET_ERRORS:
            out.append(float("inf"))
            conn.close()
        try:
            await asyncio.wait_for(stop_.wait(), every)
        except asyncio.TimeoutError:
            pass
    conn.close()


async def moderate_phase(host: str, port: int, key: str, rate: float, seconds: float, tag: str,
                         health: list[float], connections: int = 64) -> dict:
    """Open loop: request i is due at start + i/rate and waits in a queue if every connection is busy."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue = asyncio.Queue()
    conns = [Connection(host, port, key) for _ in range(connections)]
    for i in range(50):  # warm-up (not counted)
        await conns[i % connections].post("/v1/moderate", orjson.dumps(
            {"id": f"warm-{tag}-{i}", "platform": "bench", "text": TEXTS[i % len(TEXTS)]}))

    async def worker(conn: Connection) -> None:
        nonlocal errors
        while True:
            job = await queue.get()
            if job is None:
                return
            i, due = job
            body = orjson.dumps({"id": f"m-{tag}-{i}", "platform": "bench", "text": TEXTS[i % len(TEXTS)],
                                 "reach": {"views": i % 5000}})
            try:
                status, _ = await conn.post("/v1/moderate", body)
                if status != 200:
                    errors += 1
            except NET_ERRORS:
                errors += 1
                conn.close()
            latencies.append(time.perf_counter() - due)

    stop_health = asyncio.Event()
    sampler = asyncio.create_task(healthz_sampler(host, port, stop_health, health))
    workers = [asyncio.create_task(worker(c)) for c in conns]
    start = time.perf_counter()
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((i, due))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    stop_health.set()
    await sampler
    for c in conns:
        c.close()
    return {"rate": rate, "requests": total, "elapsed": elapsed, "achieved_rate": total / elapsed,
            "errors": errors, "p50_ms": pct(latencies, 50) * 1000, "p99_ms": pct(latencies, 99) * 1000,
            "max_ms": max(latencies) * 1000}


async def ingest_backlog(host: str, port: int, key: str, total: int, batch: int = 1000, clients: int = 3) -> dict:
    """``total`` items through POST /v1/items (each 202 is a durable commit)."""
    acked = 0
    errors = 0
    batches = iter(range((total + batch - 1) // batch))
    start = time.perf_counter()

    async def sender() -> None:
        nonlocal acked, errors
        conn = Connection(host, port, key)
        for b in batches:
            size = min(batch, total - b * batch)
            payload = orjson.dumps({"items": [{"id": f"i-{b}-{j}", "platform": "bench",
                                               "text": TEXTS[(b + j) % len(TEXTS)], "reach": {"views": j}}
                                              for j in range(size)]})
            try:
                status, body = await conn.post("/v1/items", payload)
                if status == 202:
                    acked += orjson.loads(body)["accepted"]
                else:
                    errors += 1
            except NET_ERRORS:
                errors += 1
                conn.close()
        conn.close()

    await asyncio.gather(*(sender() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    return {"items": acked, "elapsed": elapsed, "items_per_s": acked / elapsed, "errors": errors}


async def step_rates(host: str, port: int, key: str, rates: list[float], seconds: float, tag: str,
                     health: list[float], goal_ms: float = 50.0) -> tuple[float, list[dict]]:
    """Each rate for ``seconds``; stops at the first with p99 > goal or errors. (best rate, steps)"""
    best, steps = 0.0, []
    for rate in rates:
        step = await moderate_phase(host, port, key, rate, seconds, f"{tag}-{rate:.0f}", health)
        steps.append(step)
        if step["p99_ms"] > goal_ms or step["errors"]:
            break
        best = rate
    return best, steps


async def long_text_phase(host: str, port: int, key: str, seconds: float, health: list[float],
                          chars: int = 1_000_000, concurrent: int = 4) -> dict:
    """``concurrent`` requests with ``chars``-character texts; /healthz sampled for ``seconds``.
    The long requests are not waited for beyond the phase (their connections are closed)."""
    text = (" ".join(TEXTS) + " ") * (chars // len(" ".join(TEXTS)) + 1)
    bodies = [orjson.dumps({"id": f"dai-{n}", "platform": "bench", "text": text[:chars]}) for n in range(concurrent)]
    conns = [Connection(host, port, key) for _ in range(concurrent)]
    answers: list[int] = []

    async def send(conn: Connection, body: bytes) -> None:
        try:
            status, _ = await conn.post("/v1/moderate", body)
            answers.append(status)
        except NET_ERRORS:
            answers.append(0)

    stop_health = asyncio.Event()
    sampler = asyncio.create_task(healthz_sampler(host, port, stop_health, health))
    senders = [asyncio.create_task(send(c, b)) for c, b in zip(conns, bodies)]
    await asyncio.sleep(seconds)
    stop_health.set()
    await sampler
    for task in senders:
        task.cancel()
    for c in conns:
        c.close()
    return {"answered": sorted(answers), "samples": len(health)}


def baseline(seconds: float) -> dict:
    from khien.engine import Engine
    from khien.model import Item

    engine = Engine.from_policy()
    items = [Item(f"b-{i}", TEXTS[i % len(TEXTS)], platform="bench", reach={"views": i % 5000}) for i in range(20000)]
    for item in items[:200]:
        engine.decide(item)
    single: list[float] = []
    end = time.perf_counter() + seconds / 2
    i = 0
    while time.perf_counter() < end:
        t = time.perf_counter()
        engine.decide(items[i % len(items)])
        single.append(time.perf_counter() - t)
        i += 1
    decided, start = 0, time.perf_counter()
    end = start + seconds / 2
    while time.perf_counter() < end:
        engine.decide_batch(items[(decided % 20000):(decided % 20000) + 1000])
        decided += 1000
    return {"p50_ms": pct(single, 50) * 1000, "p99_ms": pct(single, 99) * 1000,
            "batch_items_per_s": decided / (time.perf_counter() - start)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("KHIEN_BENCH_DATABASE_URL") or os.environ.get("KHIEN_TEST_POSTGRES_URL"))
    parser.add_argument("--seconds", type=float, default=30.0, help="length of phase (a); (b) steps last a third")
    parser.add_argument("--rate", type=float, default=200.0, help="POST /v1/moderate arrivals per second in (a)")
    parser.add_argument("--backlog", type=int, default=100_000, help="items ingested, then decided by khien worker")
    parser.add_argument("--clients", type=int, default=3, help="concurrent ingest clients")
    parser.add_argument("--rss-bound", type=float, default=1024.0, help="MiB any one process may hold (default 1024)")
    parser.add_argument("--quick", action="store_true", help="small sizes and short phases (a smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.backlog = min(args.seconds, 3.0), min(args.backlog, 3_000)
    step_s = max(2.0, args.seconds / 3)
    rates = [200.0, 400.0] if args.quick else [200.0 * n for n in range(1, 16)]
    long_s = 3.0 if args.quick else 15.0

    load0 = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    db = Database(args.db)
    if db.kind == "SQLite":
        print("note: no PostgreSQL URL given (--db or KHIEN_BENCH_DATABASE_URL); using a temporary SQLite file")
    bin_ = khien_bin()
    key = subprocess.run([bin_, "keys", "create", "--role", "ingest", "--name", "bench", "--db", db.url],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    host, port = "127.0.0.1", free_port()
    base = f"http://{host}:{port}"
    # The 1 MB phase needs the text limit (and body limit) raised; the other phases are unaffected.
    env = {"KHIEN_MAX_TEXT_CHARS": "1100000", "KHIEN_MAX_BODY_BYTES": str(8 * 1024 * 1024)}
    memory = Memory()
    health: dict[str, list[float]] = {}
    server = worker = None
    try:
        server = start_server(bin_, db, port, 1, env)
        memory.roots["server"] = server.pid
        print(f"khien serve --no-worker pid {server.pid} on {base}, database {db.kind}; backlog {args.backlog:,}; "
              f"(a) {args.seconds:.0f} s, (b) {step_s:.0f} s a step; load average before {load0}")

        async def phase(name: str, coro):  # memory sampled around and during each phase
            done = asyncio.Event()
            sampling = asyncio.create_task(memory.sampler(name, done))
            try:
                return await coro
            finally:
                done.set()
                await sampling

        ing = asyncio.run(phase("(d) ingest", ingest_backlog(host, port, key, args.backlog, clients=args.clients)))
        before = pending(base)
        worker = subprocess.Popen([bin_, "worker", "--db", db.url], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        memory.roots["worker"] = worker.pid
        while pending(base) == before and worker.poll() is None:  # the worker has built its engine and started
            time.sleep(0.2)
        start_pending = pending(base)
        mod = asyncio.run(phase("(a) moderate + backlog", moderate_phase(
            host, port, key, args.rate, args.seconds, "a", health.setdefault("(a)", []))))
        worker_decided = start_pending - pending(base)
        stop(worker)
        memory.roots.pop("worker")
        best1, steps1 = asyncio.run(phase("(b) rates, 1 process", step_rates(
            host, port, key, rates, step_s, "b1", health.setdefault("(b) 1 process", []))))
        long = asyncio.run(phase("(c) 4 × 1 MB texts", long_text_phase(
            host, port, key, long_s, health.setdefault("(c) 4 × 1 MB", []))))
        stop(server)
        server = start_server(bin_, db, port, 2, env)
        memory.roots["server"] = server.pid
        best2, steps2 = asyncio.run(phase("(b) rates, --workers 2", step_rates(
            host, port, key, rates, step_s, "b2", health.setdefault("(b) --workers 2", []))))
    finally:
        stop(worker)
        stop(server)
        db.close()
    base_line = baseline(4.0 if args.quick else 20.0)

    def lat(values: list[float]) -> str:
        ms = [v * 1000 for v in values]
        failed = sum(1 for v in ms if v == float("inf"))
        ok = [v for v in ms if v != float("inf")]
        return (f"p50 {pct(ok, 50):.1f} ms  p99 {pct(ok, 99):.1f} ms  max {max(ok, default=float('nan')):.1f} ms  "
                f"({len(ms)} samples{f', {failed} failed' if failed else ''})")

    def step_line(step: dict) -> str:
        return (f"    {step['rate']:>6.0f}/s (achieved {step['achieved_rate']:.0f}/s): p50 {step['p50_ms']:.1f} ms  "
                f"p99 {step['p99_ms']:.1f} ms  max {step['max_ms']:.0f} ms  errors {step['errors']}")

    print()
    print(f"Targets of issue 11, database {db.kind}, 2 cores shared by the load generator, server(s) and worker")
    print(f"(d) POST /v1/items: {ing['items_per_s']:,.0f} items/s durable ({ing['items']:,} items in "
          f"{ing['elapsed']:.1f} s, batches of 1,000, {args.clients} clients)  errors {ing['errors']}   "
          f"[goal ≥ 5,000 items/s]")
    print(f"(a) POST /v1/moderate at {args.rate:.0f}/s for {mod['elapsed']:.0f} s while `khien worker` decides the backlog "
          f"(achieved {mod['achieved_rate']:.0f}/s, {mod['requests']:,} requests)")
    print(f"    p50 {mod['p50_ms']:.1f} ms  p99 {mod['p99_ms']:.1f} ms  max {mod['max_ms']:.0f} ms  errors {mod['errors']}"
          f"   [goal p99 ≤ 20 ms, 0 errors]")
    print(f"    backlog decided by the worker during the window: {worker_decided:,} items "
          f"({worker_decided / mod['elapsed']:,.0f}/s; {start_pending:,} pending at its start)")
    for label, best, steps in (("one server process", best1, steps1), ("khien serve --workers 2", best2, steps2)):
        print(f"(b) highest rate with p99 ≤ 50 ms and 0 errors, {label}: {best:,.0f}/s   [goal ≥ 1,000/s]")
        for step in steps:
            print(step_line(step))
    print(f"(c) GET /healthz, every 50 ms on its own connection   [goal p99 ≤ 10 ms]")
    for name, values in health.items():
        print(f"    during {name:<18} {lat(values)}")
    print(f"    the 4 long requests answered within the {long_s:.0f} s phase: {long['answered'] or 'none'} "
          f"(not waited for; 503 = decide queue or child busy)")
    print(f"(e) resident memory (VmRSS, MiB), summed over each process tree, first → last (peak) per phase; "
          f"bound: {args.rss_bound:.0f} MiB per process")
    for name, roles in memory.phases.items():
        parts = [f"{role} {v[0]:.0f} → {v[-1]:.0f} ({max(v):.0f})" for role, v in roles.items()]
        print(f"    {name:<24} " + "   ".join(parts))
    for role, largest in memory.largest.items():
        verdict = "within" if largest <= args.rss_bound else "OVER"
        print(f"    largest single {role} process: {largest:.0f} MiB ({verdict} the bound)")
    print("Baseline: the same engine in-process (this process, no HTTP, no database)")
    print(f"    decide() p50 {base_line['p50_ms']:.2f} ms  p99 {base_line['p99_ms']:.2f} ms  "
          f"decide_batch() {base_line['batch_items_per_s']:,.0f} items/s")
    print(f"    service / in-process: (a) p50 {mod['p50_ms'] / base_line['p50_ms']:.1f}×  "
          f"p99 {mod['p99_ms'] / base_line['p99_ms']:.1f}×;  worker's backlog rate "
          f"{worker_decided / mod['elapsed'] / base_line['batch_items_per_s']:.2f}× the in-process batch rate")


if __name__ == "__main__":
    main()
