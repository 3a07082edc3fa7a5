"""Report intake benchmark: durable reports/s in batches, and the per-report cost of grouping and priority.

On a fresh SQLite database (WAL, synchronous=FULL: every commit is durable) or ``--db URL``:

1. baseline: ``--reports`` items stored through ``khien.review.intake.ingest`` (what
   ``POST /v1/items`` runs) in batches of ``--batch``: items/s;
2. the same number of reports through ``khien.reports.intake.submit`` (what ``POST /v1/reports``
   runs, after parsing) in batches of ``--batch``: reports/s, each batch one durable transaction;
   reports fall on the stored items with a heavy tail (a few items get hundreds of reports, most
   one or two), a tenth are account reports, from a pool of reporters with Vietnamese statements;
3. ``--singles`` reports sent one per transaction: p50/p99 of the whole call (validation, the
   ring detector, grouping into the open case, the priority recompute and the commit), and the
   same without the commit (grouping + priority alone: the target is p99 ≤ 20 ms).

Parsing the JSON body is not timed (the baseline's items are not parsed either).

    python bench/reports.py [--reports 20000] [--batch 1000] [--singles 2000] [--seed 7] [--db URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time

from khien.clock import FakeClock
from khien.engine import Engine
from khien.model import Item
from khien.reports import intake as report_intake
from khien.reports.desk import ReportDesk
from khien.reports.intake import parse_report
from khien.review import intake
from khien.review.actor import Actor
from khien.store import open_store

T0 = 1_767_225_600.0
ACTOR = Actor("bench", "ingest", key_id=1)
TEXTS = ["Bán nhà mặt phố quận {n}, sổ hồng chính chủ, liên hệ chị Lan",
         "Hôm nay quán phở số {n} mở cửa từ 6 giờ sáng, mời cả nhà ghé",
         "Tuyển CTV việc nhẹ lương cao {n} triệu một tháng, ib Zalo ngay"]
STATEMENTS = ["Bài này lừa đảo, bắt chuyển khoản trước", "Nội dung spam lặp lại nhiều lần",
              "Tài khoản này quấy rối mình suốt tuần qua", "Mạo danh ngân hàng để lấy mã OTP",
              "Tin giả về dịch bệnh, gây hoang mang", ""]
DETAILS = ["mình thấy hôm qua", "đã báo nhiều lần", "mong admin xử lý", "em gái mình gặp", "bạn mình kể lại"]
CATEGORIES = ["scam", "spam", "harassment", "scam", "misinformation", "scam"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--singles", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="khien-bench-reports-")
    url = args.db or f"sqlite:///{os.path.join(tmp, 'bench.db')}"
    store = open_store(url, upgrade=True)
    policy = Engine.from_policy().policy
    clock = FakeClock(T0)
    n = args.reports

    # 1. baseline: the same number of items through intake.ingest
    items = [Item.from_dict({"id": f"p{i}", "platform": "mxh", "text": TEXTS[i % 3].format(n=i),
                             "reach": {"views": rng.randint(0, 50_000)}}) for i in range(n)]
    started = time.perf_counter()
    for start in range(0, n, args.batch):
        with store.write() as tx:
            intake.ingest(tx, items[start:start + args.batch], ACTOR, clock=clock)
    baseline_s = time.perf_counter() - started

    # 2. reports in batches
    desk = ReportDesk()
    weights = [1.0 / (i + 1) ** 1.1 for i in range(n)]
    targets = rng.choices(range(n), weights=weights, k=n + args.singles)

    def body(k: int) -> dict:
        kind = {"account": f"tac-gia-{targets[k] % 997}"} if k % 10 == 9 else {"item": f"p{targets[k]}"}
        c = rng.randrange(len(CATEGORIES))
        return {"platform": "mxh", "reporter": {"id": f"u{rng.randrange(n // 3 + 1)}"}, "subject": kind,
                "category": CATEGORIES[c],  # honest reporters write their own words
                "statement": f"{STATEMENTS[c]} ({rng.choice(DETAILS)} {k})" if STATEMENTS[c] else ""}

    parsed = [parse_report(body(k), policy) for k in range(n + args.singles)]
    per_batch: list[float] = []
    started = time.perf_counter()
    for start in range(0, n, args.batch):
        clock.advance(5.0)
        t = time.perf_counter()
        with store.write() as tx:
            report_intake.submit(tx, desk, policy, ACTOR, parsed[start:start + args.batch], clock=clock)
        per_batch.append((time.perf_counter() - t) / len(parsed[start:start + args.batch]))
    reports_s = time.perf_counter() - started

    # 3. one report per transaction: the whole call, and without the commit
    whole: list[float] = []
    inside: list[float] = []
    for k in range(n, n + args.singles):
        clock.advance(1.0)
        t = time.perf_counter()
        with store.write() as tx:
            report_intake.submit(tx, desk, policy, ACTOR, [parsed[k]], batch=False, clock=clock)
            inside.append(time.perf_counter() - t)
        whole.append(time.perf_counter() - t)

    ms = 1000.0
    print(f"database: {store.dialect}  reports: {n}  batch: {args.batch}  singles: {args.singles}")
    print(f"baseline intake.ingest (POST /v1/items):   {n / baseline_s:9.0f} items/s")
    print(f"reports submit (POST /v1/reports), batched: {n / reports_s:9.0f} reports/s "
          f"(target ≥ 2,000; per report in a batch p50 {statistics.median(per_batch) * ms:.3f} ms)")
    print(f"one report per transaction, whole call:     p50 {pct(whole, 0.5) * ms:6.2f} ms  "
          f"p99 {pct(whole, 0.99) * ms:6.2f} ms")
    print(f"grouping + priority (before the commit):    p50 {pct(inside, 0.5) * ms:6.2f} ms  "
          f"p99 {pct(inside, 0.99) * ms:6.2f} ms  (target p99 ≤ 20 ms)")
    sizes = desk.detector.sizes()
    print(f"ring detector: {len(desk.detector.rings())} rings, {sizes.windows} windows")


if __name__ == "__main__":
    main()
