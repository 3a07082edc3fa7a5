"""``khien serve --workers N`` runs N server processes, each building the app from the settings
handed down in the environment (issue 11)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (uvicorn's supervisor may sit between the CLI and the servers)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def test_serve_workers_runs_that_many_server_processes_and_stops_on_sigterm(tmp_path):
    port = _free_port()
    url = f"sqlite:///{tmp_path / 'khien.db'}"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "khien", "serve", "--db", url, "--port", str(port),
                             "--workers", "2", "--no-worker"], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and health is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()
            except httpx.HTTPError:
                time.sleep(0.2)  # waiting for real processes to start
        assert health is not None, (tmp_path / "serve.log").read_text()
        # the --no-worker flag reached the child processes through the environment
        assert health["status"] == "ok" and health["worker"] is False
        servers = [p for p in _descendants(proc.pid)
                   if b"spawn" in Path(f"/proc/{p}/cmdline").read_bytes() or b"khien" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert len(servers) >= 2, servers
        # the API works across the processes: an item stored through one is readable through any
        key = subprocess.run([sys.executable, "-m", "khien", "keys", "create", "--role", "ingest", "--db", url],
                             capture_output=True, text=True, env=env, check=True).stdout.strip().splitlines()[-1]
        headers = {"authorization": f"Bearer {key}"}
        body = {"id": "bai-1", "text": "Tuyển CTV việc nhẹ lương cao, ib Zalo 0912345678", "platform": "forum"}
        answer = httpx.post(f"http://127.0.0.1:{port}/v1/moderate", json=body, headers=headers, timeout=30)
        assert answer.status_code == 200, answer.text
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
