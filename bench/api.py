"""API benchmark: the HTTP service on loopback against the same engine called in-process.

Starts ``khien serve`` (a separate process) on a fresh database, then:

1. ``POST /v1/moderate`` at a fixed arrival rate (open loop: request *i* is due at ``i / rate``
   seconds; latency is measured from when it was due, so a stalled server cannot hide its queue).
   Every item is new (no idempotent replays). Prints p50/p99/max latency and errors.
2. ``POST /v1/items`` batches of 1,000, as fast as the server acknowledges them, from a few
   concurrent clients: items/s stored durably (committed before the 202), and how fast the
   background worker decided them.
3. Baseline, measured in the same run: the same engine in this process: ``decide()`` latency per
   item and ``decide_batch()`` items/s. The overhead ratios compare the two.

The server's resident memory is sampled throughout (start and end of each phase, and peak).

    python bench/api.py [--db postgresql+psycopg://postgres@127.0.0.1:55433/postgres] [--seconds 60] [--rate 200]

Without ``--db`` it uses ``KHIEN_BENCH_DATABASE_URL`` or ``KHIEN_TEST_POSTGRES_URL``, else a
temporary SQLite file (and says so). A PostgreSQL URL gets a fresh schema, dropped afterwards.
Goals: p99 ≤ 20 ms at 200 requests/s, ingest ≥ 5,000 items/s durable, 0 errors, memory flat.
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

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"POST {path} HTTP/1.1\r\n{self.head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
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

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def moderate_phase(host: str, port: int, key: str, rate: float, seconds: float, pid: int,
                         connections: int = 32) -> dict:
    """Open loop: request i is due at start + i/rate and waits in a queue if every connection is busy."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    memory = [rss_mib(pid)]
    queue: asyncio.Queue = asyncio.Queue()
    conns = [Connection(host, port, key) for _ in range(connections)]
    for i in range(50):  # warm-up (not counted)
        await conns[i % connections].post("/v1/moderate", orjson.dumps(
            {"id": f"warm-{i}", "platform": "bench", "text": TEXTS[i % len(TEXTS)]}))

    async def worker(conn: Connection) -> None:
        nonlocal errors
        while True:
            job = await queue.get()
            if job is None:
                return
            i, due = job
            body = orjson.dumps({"id": f"m-{i}", "platform": "bench", "text": TEXTS[i % len(TEXTS)],
                                 "reach": {"views": i % 5000}})
            try:
                status, _ = await conn.post("/v1/moderate", body)
                if status != 200:
                    errors += 1
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                errors += 1
                conn.close()
                conn.writer = None
            latencies.append(time.perf_counter() - due)

    workers = [asyncio.create_task(worker(c)) for c in conns]
    start = time.perf_counter()
    next_sample = start + 5
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((i, due))
        if time.perf_counter() >= next_sample:
            memory.append(rss_mib(pid))
            next_sample += 5
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    for c in conns:
        c.close()
    memory.append(rss_mib(pid))
    return {"requests": total, "elapsed": elapsed, "achieved_rate": total / elapsed, "errors": errors,
            "p50_ms": pct(latencies, 50) * 1000, "p99_ms": pct(latencies, 99) * 1000,
            "max_ms": max(latencies) * 1000, "memory": memory}


async def ingest_phase(host: str, port: int, key: str, seconds: float, pid: int, batch: int = 1000,
                       clients: int = 3) -> dict:
    acked = 0
    errors = 0
    memory = [rss_mib(pid)]
    start = time.perf_counter()
    deadline = start + seconds
    counter = iter(range(10**9))

    async def sender() -> None:
        nonlocal acked, errors
        conn = Connection(host, port, key)
        while time.perf_counter() < deadline:
            b = next(counter)
            payload = orjson.dumps({"items": [{"id": f"i-{b}-{j}", "platform": "bench",
                                               "text": TEXTS[(b + j) % len(TEXTS)], "reach": {"views": j}}
                                              for j in range(batch)]})
            try:
                status, body = await conn.post("/v1/items", payload)
                if status == 202:
                    acked += orjson.loads(body)["accepted"]
                else:
                    errors += 1
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                errors += 1
                conn.close()
                conn.writer = None
        conn.close()

    async def sampler() -> None:
        while time.perf_counter() < deadline:
            await asyncio.sleep(5)
            memory.append(rss_mib(pid))

    await asyncio.gather(sampler(), *(sender() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    memory.append(rss_mib(pid))
    return {"items": acked, "elapsed": elapsed, "items_per_s": acked / elapsed, "errors": errors, "memory": memory}


def wait_decided(base: str, timeout: float) -> tuple[int, float]:
    """Poll until the worker has decided everything; returns (items left, seconds waited)."""
    start = time.perf_counter()
    with httpx.Client(base_url=base, timeout=10) as client:
        while True:
            left = client.get("/healthz").json()["items_pending"]
            if left == 0 or time.perf_counter() - start > timeout:
                return left, time.perf_counter() - start
            time.sleep(0.5)


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
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase (default 60)")
    parser.add_argument("--rate", type=float, default=200.0, help="POST /v1/moderate arrivals per second")
    parser.add_argument("--clients", type=int, default=3, help="concurrent ingest clients")
    args = parser.parse_args()

    load0 = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    db = Database(args.db)
    if db.kind == "SQLite":
        print("note: no PostgreSQL URL given (--db or KHIEN_BENCH_DATABASE_URL); using a temporary SQLite file")
    bin_ = khien_bin()
    key = subprocess.run([bin_, "keys", "create", "--role", "ingest", "--name", "bench", "--db", db.url],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([bin_, "serve", "--db", db.url, "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"khien serve did not start: {server.stderr.read().decode() if server.stderr else ''}")
            time.sleep(0.2)
        print(f"khien serve pid {server.pid} on {base}, database {db.kind}; {args.seconds:.0f} s per phase; 2 cores shared")
        cpu0 = cpu_s(server.pid)
        mod = asyncio.run(moderate_phase("127.0.0.1", port, key, args.rate, args.seconds, server.pid))
        mod_cpu_ms = (cpu_s(server.pid) - cpu0) / (mod["requests"] + 50) * 1000
        ing = asyncio.run(ingest_phase("127.0.0.1", port, key, args.seconds, server.pid, clients=args.clients))
        left, waited = wait_decided(base, timeout=args.seconds)
        decided_rate = (ing["items"] - left) / (ing["elapsed"] + waited)
        rss_end = rss_mib(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        db.close()
    base_line = baseline(min(args.seconds, 20.0))

    def mem(values: list[float]) -> str:
        return f"{values[0]:.0f} → {values[-1]:.0f} MiB (peak {max(values):.0f})"

    print()
    print(f"POST /v1/moderate at {args.rate:.0f} req/s for {mod['elapsed']:.0f} s ({mod['requests']:,} requests, "
          f"achieved {mod['achieved_rate']:.1f}/s)")
    print(f"  latency p50 {mod['p50_ms']:.2f} ms   p99 {mod['p99_ms']:.2f} ms   max {mod['max_ms']:.1f} ms   "
          f"errors {mod['errors']}   (goal: p99 ≤ 20 ms, 0 errors)")
    print(f"  server memory {mem(mod['memory'])}; server CPU {mod_cpu_ms:.2f} ms a request "
          f"(capacity ≈ {1000 / mod_cpu_ms:,.0f} req/s a core); load average before the run {load0}")
    print(f"POST /v1/items into {db.kind}, batches of 1,000, {args.clients} clients, {ing['elapsed']:.0f} s")
    print(f"  ingest {ing['items_per_s']:,.0f} items/s durable ({ing['items']:,} items)   errors {ing['errors']}   "
          f"(goal ≥ 5,000 items/s)")
    print(f"  worker (same process, same 2 cores): {decided_rate:,.0f} items/s decided end to end; "
          + ("all decided" if left == 0 else f"{left:,} still pending") + f" {waited:.0f} s after the last batch")
    print(f"  server memory {mem(ing['memory'])}; after the worker drained: {rss_end:.0f} MiB")
    print("Baseline: the same engine in-process (this process, no HTTP, no database)")
    print(f"  decide() p50 {base_line['p50_ms']:.2f} ms   p99 {base_line['p99_ms']:.2f} ms   "
          f"decide_batch() {base_line['batch_items_per_s']:,.0f} items/s")
    print("Overhead ratios (service / in-process)")
    print(f"  moderate latency p50 {mod['p50_ms'] / base_line['p50_ms']:.1f}×   p99 {mod['p99_ms'] / base_line['p99_ms']:.1f}×")
    print(f"  items decided end to end through the API: {decided_rate / base_line['batch_items_per_s']:.2f}× "
          f"the in-process batch rate")
    print(f"  ingest acknowledged rate: {ing['items_per_s'] / base_line['batch_items_per_s']:.2f}× the in-process "
          f"batch decide rate")


if __name__ == "__main__":
    main()
