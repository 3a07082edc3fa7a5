"""SIGKILL in the middle of a 20,000-item stream: after a restart every acknowledged item is decided
exactly once, and none is lost."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from khien.store import Store
from khien.store import items as item_rows

TOTAL = 20_000
BATCH = 500
TEXTS = ["Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678", "Hôm nay trời đẹp quá",
         "Nhận làm nhiệm vụ like dạo, chuyển khoản trước 500k để kích hoạt tài khoản", "Quán phở này ngon lắm nha"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _khien(*args):
    return [str(Path(sys.executable).with_name("khien")), *args]  # the installed console script


def _start(url, port, log):
    # The killed server's worker leaves its batch leased; a short lease lets the restarted one take it
    # back within the test (the default, 300 s, suits a worker that may be merely slow).
    env = dict(os.environ, KHIEN_WORKER_LEASE_S="5")
    proc = subprocess.Popen(_khien("serve", "--db", url, "--port", str(port)), stdout=log, stderr=log, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("khien serve did not start")


def _batch(n):
    return {"items": [{"id": f"d{i}", "platform": "stream", "text": TEXTS[i % len(TEXTS)], "reach": {"views": i}}
                      for i in range(n * BATCH, (n + 1) * BATCH)]}


@pytest.mark.slow
def test_sigkill_mid_stream_loses_nothing_and_decides_nothing_twice(tmp_path):
    url = f"sqlite:///{tmp_path / 'durable.db'}"
    key = subprocess.run(_khien("keys", "create", "--role", "ingest", "--db", url), capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {key}"}
    port = _free_port()
    log = open(tmp_path / "serve.log", "ab")
    proc = _start(url, port, log)
    acked: list[int] = []
    stop = threading.Event()

    def stream():
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client:
            for n in range(TOTAL // BATCH):
                if stop.is_set():
                    return
                try:
                    r = client.post("/v1/items", json=_batch(n))
                except httpx.HTTPError:
                    return  # the server died under this request: it was never acknowledged
                if r.status_code != 202:
                    return
                acked.append(n)

    sender = threading.Thread(target=stream)
    sender.start()
    while len(acked) < 16 and sender.is_alive():
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)  # mid-stream, and with the worker mid-batch
    proc.wait()
    stop.set()
    sender.join()
    killed_after = len(acked)
    assert 16 <= killed_after < TOTAL // BATCH, "the kill must land mid-stream"

    proc = _start(url, port, log)
    try:
        # the client re-sends everything not acknowledged (the in-flight batch may or may not be stored)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client:
            for n in range(TOTAL // BATCH):
                if n not in acked:
                    r = client.post("/v1/items", json=_batch(n))
                    assert r.status_code == 202, r.text
            deadline = time.monotonic() + 120
            while client.get("/healthz").json()["items_pending"] and time.monotonic() < deadline:
                time.sleep(0.2)
            assert client.get("/healthz").json()["items_pending"] == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()

    store = Store(url)
    with store.read() as tx:
        counts = item_rows.decision_counts(tx)
        statuses = item_rows.count_by_status(tx)
        rows = tx.conn.exec_driver_sql("SELECT COUNT(*) FROM decisions WHERE source = 'engine'").scalar()
    acked_ids = {("stream", f"d{i}") for n in acked for i in range(n * BATCH, (n + 1) * BATCH)}
    assert len(acked_ids) == killed_after * BATCH
    assert all(counts.get(key) == 1 for key in acked_ids), "an acknowledged item is missing or decided twice"
    assert len(counts) == TOTAL and rows == TOTAL and set(counts.values()) == {1}
    assert statuses == {"decided": TOTAL}
    from khien.audit import verify

    assert verify(store).ok
