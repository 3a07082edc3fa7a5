"""Benchmark: items/s of ``khien scan --engine ray`` on 1 and 2 local Ray workers, beside
``khien scan --engine local`` on the same items; peak memory per worker.

    python bench/ray_scan.py [--items 1000000] [--files 8] [--workers 1,2] [--json out.json]

Items: the deterministic generated posts of tests/golden (corpus train batches and examples/, as
written, folded, shuffled, suffixed, with authors), repeated with unique ids and a counter suffix
past the first 100,000 so no cache helps. They are written once as ``--files`` Parquet files (the Ray
input) and as one JSONL file (the local input). Every run is a subprocess exactly as a user runs it.

Reported per run: wall time and items/s of the whole command (Ray's start-up, ~10-15 s here,
included), the items/s the runner itself reports (from its first batch of work: the engine load in
each actor included, Ray's start-up not), and peak resident memory per worker process (the local
process and its forked pool; Ray's Decider actors: VmHWM sampled from /proc every 0.2 s) and of
the Ray driver.
Needs the ``ray`` extra: ``pip install -e '.[ray]'``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASE = 100_000


def make_inputs(root: Path, n: int, files: int) -> tuple[Path, Path]:
    """``root/parquet/part-K.parquet`` and ``root/all.jsonl`` holding the same ``n`` items."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, str(REPO / "tests" / "golden"))
    from decisions import generated_posts

    base = generated_posts(min(n, BASE))
    (root / "parquet").mkdir(parents=True)
    per = -(-n // files)
    with open(root / "all.jsonl", "w", encoding="utf-8") as jsonl:
        for k in range(files):
            part = []
            for i in range(k * per, min(n, (k + 1) * per)):
                post = dict(base[i % len(base)])
                if i >= len(base):
                    post["id"], post["text"] = f"r{i:08d}", f"{post['text']} #{i}"
                part.append(post)
                jsonl.write(json.dumps(post, ensure_ascii=False) + "\n")
            table = pa.Table.from_batches([pa.RecordBatch.from_struct_array(pa.array(part))])
            pq.write_table(table, root / "parquet" / f"part-{k}.parquet")
    return root / "parquet", root / "all.jsonl"


class WorkerMemory:
    """Peak resident memory (VmHWM) of every process whose command line contains ``marker``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker.encode()
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    if self.marker not in Path(f"/proc/{pid}/cmdline").read_bytes():
                        continue
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                found = re.search(r"VmHWM:\s+(\d+) kB", status)
                if found:
                    self.peaks[int(pid)] = max(self.peaks.get(int(pid), 0), int(found.group(1)) * 1024)
            self._stop.wait(0.2)

    def __enter__(self) -> "WorkerMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _mib(n: float) -> float:
    return round(n / 2**20, 1)


def run(cmd: list[str], workers_marker: str, driver_marker: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    started = time.perf_counter()
    with WorkerMemory(workers_marker) as workers, WorkerMemory(driver_marker) as driver:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=6 * 3600)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    reported = re.search(r"items/s\s*│\s*([\d,]+)", done.stderr)
    decided = re.search(r"items decided\s*│\s*([\d,]+)", done.stderr)
    return {
        "wall_s": round(wall, 1),
        "decided": int(decided.group(1).replace(",", "")) if decided else None,
        "reported_items_per_s": int(reported.group(1).replace(",", "")) if reported else None,
        "peak_worker_mib": [_mib(p) for p in sorted(workers.peaks.values(), reverse=True)],
        "peak_driver_mib": _mib(max(driver.peaks.values(), default=0)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    khien = [sys.executable, "-m", "khien", "scan"]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        parquet, jsonl = make_inputs(root, args.items, args.files)
        print(f"inputs: {args.items:,} items in {args.files} Parquet files and one JSONL file "
              f"({time.perf_counter() - t:.0f} s)", file=sys.stderr)
        for workers in counts:
            for engine in ("local", "ray"):
                out = root / f"out-{engine}-{workers}"
                if engine == "local":
                    # the main process and its forked pool share the command line: all are "workers"
                    cmd = khien + [str(jsonl), "-o", str(out) + ".jsonl", "--workers", str(workers)]
                    figures = run(cmd, str(jsonl), str(jsonl))
                else:
                    cmd = khien + [str(parquet), "--engine", "ray", "-o", str(out), "--workers", str(workers)]
                    figures = run(cmd, "MapBatches(Decider)", str(parquet))
                figures |= {"engine": engine, "workers": workers, "items": args.items,
                            "items_per_s": round(args.items / figures["wall_s"])}
                results.append(figures)
                print(json.dumps(figures), flush=True)
                shutil.rmtree(out, ignore_errors=True)
    print(f"\n{'engine':<7}{'workers':>8}{'items':>11}{'wall s':>9}{'items/s':>9}{'runner items/s':>16}"
          f"{'peak MiB/worker':>17}")
    for r in results:
        worker = max(r["peak_worker_mib"], default=0)
        print(f"{r['engine']:<7}{r['workers']:>8}{r['items']:>11,}{r['wall_s']:>9}{r['items_per_s']:>9,}"
              f"{r['reported_items_per_s'] or 0:>16,}{worker:>17}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
