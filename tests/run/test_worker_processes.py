"""``khien worker`` as its own process (issue 11): three run at once, one is killed with SIGKILL
mid-way, and the others finish its items: every item decided, each exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from khien.clock import FakeClock
from khien.enums import ItemStatus
from khien.model import Item
from khien.review import Actor, intake
from khien.store import items as item_rows

APP = Actor("forum-app", "ingest")
TEXTS = ["Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678 để nhận việc",
         "Hôm nay trời Hà Nội đẹp quá, cả nhà đi dạo hồ Gươm",
         "Nhận làm nhiệm vụ like dạo, chuyển khoản trước 500k để kích hoạt tài khoản",
         "Quán phở đầu ngõ nhà mình ngon lắm nha, nước dùng trong",
         "Vay tiền nhanh không cần thế chấp, giải ngân trong 5 phút, lãi suất 0%",
         "Cảm ơn thầy cô đã dạy dỗ chúng em suốt năm học vừa qua"]
SRC = str(Path(__file__).resolve().parents[2] / "src")
LEASE_S = 3  # short, so the killed worker's batch comes back within the test


def _ingest(store, n):
    items = [Item(id=f"bai-{i}", text=f"{TEXTS[i % len(TEXTS)]} #{i}", platform="forum") for i in range(n)]
    for start in range(0, n, 1000):
        with store.write() as tx:
            intake.ingest(tx, items[start:start + 1000], APP, clock=FakeClock())


def _worker(url, log, batch):
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
               KHIEN_WORKER_LEASE_S=str(LEASE_S), KHIEN_WORKER_IDLE_S="0.1")
    return subprocess.Popen([sys.executable, "-m", "khien", "worker", "--db", url, "--batch", str(batch)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)


def _decided(store):
    with store.read() as tx:
        return item_rows.count_by_status(tx).get(ItemStatus.DECIDED.value, 0)


def _wait(predicate, timeout, procs):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)  # polling real subprocesses: nothing here runs on a fake clock
    return False


def _run_three_and_kill_one(store, db_url, tmp_path, total, batch):
    _ingest(store, total)
    logs = [open(tmp_path / f"worker-{n}.log", "wb") for n in range(3)]
    procs = [_worker(db_url, logs[n], batch) for n in range(3)]
    try:
        # kill one as soon as some items are decided (its claimed batch is then left leased)
        assert _wait(lambda: _decided(store) >= batch, 120, procs), "no worker decided anything"
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait(10)
        finished = _wait(lambda: _decided(store) == total, 300, procs)
        for proc in procs[1:]:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(60) for proc in procs[1:]]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for log in logs:
            log.close()
    output = "\n".join((tmp_path / f"worker-{n}.log").read_text("utf-8", "replace")[-2000:] for n in range(3))
    assert finished, f"only {_decided(store)} of {total} decided\n{output}"
    assert codes == [0, 0], output  # SIGTERM: the batch in hand is finished, exit 0
    assert "handled" in output and "stopped after" in output
    with store.read() as tx:
        assert item_rows.count_by_status(tx) == {ItemStatus.DECIDED.value: total}
        counts = item_rows.decision_counts(tx)
    assert len(counts) == total
    assert set(counts.values()) == {1}  # nothing decided twice


@pytest.mark.postgres
def test_three_workers_one_killed_lose_nothing_and_decide_nothing_twice(store, db_url, tmp_path):
    if not db_url.startswith("postgresql"):
        pytest.skip("the many-worker durability test is about PostgreSQL (SKIP LOCKED leases)")
    _run_three_and_kill_one(store, db_url, tmp_path, total=3000, batch=100)


def test_workers_on_sqlite_share_the_backlog_and_survive_a_kill(store, db_url, tmp_path):
    if not db_url.startswith("sqlite"):
        pytest.skip("the PostgreSQL case is the test above")
    _run_three_and_kill_one(store, db_url, tmp_path, total=600, batch=50)


@pytest.mark.parametrize("nice", [7, 0])
def test_worker_nice_lowers_the_process_cpu_priority(tmp_path, nice):
    """``khien worker --nice N`` runs at the caller's niceness + N (the API on the host answers first)."""
    url = f"sqlite:///{tmp_path / 'nice.db'}"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), KHIEN_WORKER_IDLE_S="0.1")
    log = open(tmp_path / "worker.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "khien", "worker", "--db", url, "--nice", str(nice)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        # polling a real subprocess for its start line: nothing here runs on a fake clock
        started = _wait(lambda: b"started" in (tmp_path / "worker.log").read_bytes(), 60, [proc])
        assert started, (tmp_path / "worker.log").read_text()
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) == min(19, ours + nice)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
