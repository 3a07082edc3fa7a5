"""Benchmark: the campaign detector's memory over a long stream (issue 14: bounded at any length).

    python bench/campaigns_memory.py [--posts 1000000] [--rate 2] [--window 7200]

Generated everyday Vietnamese posts (random words; the same recipe as the bounded-index test in
tests/campaigns, which runs 200,000) from 5,000 accounts at ``--rate`` posts a second. After the
first window it samples, every 50,000 posts, the index's size (``index_bytes``), the posts it
holds, and the process's resident memory; a bounded index stays flat while the stream grows.
"""

from __future__ import annotations

import argparse
import random
import resource
import time

from khien.campaigns.detector import CampaignDetector
from khien.campaigns.records import Post

WORDS = ("nhà xe trời mưa phở cơm bạn mình học thi đi làm chợ rau cá thịt giá tăng giảm phim hay dở "
         "sáng tối mẹ con bố anh chị em đường phố quán cà phê sữa trà đá bóng sân").split()
T0 = 1_764_000_000.0


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--rate", type=float, default=2.0, help="posts per second of stream time")
    ap.add_argument("--window", type=float, default=7200.0, help="seconds")
    args = ap.parse_args()
    r = random.Random(11)
    det = CampaignDetector({"window_s": args.window, "bucket_s": args.window / 12})
    first_window = int(args.window * args.rate) + 10_000
    rows = []
    batch: list[Post] = []
    started = time.perf_counter()
    for i in range(args.posts):
        batch.append(Post(f"p{i}", f"u{r.randrange(5000)}", T0 + i / args.rate, " ".join(r.choices(WORDS, k=9))))
        if len(batch) == 1000:
            det.observe(batch)
            det.expired()
            batch = []
            if i + 1 >= first_window and (i + 1) % 50_000 == 0:
                held = det.window_posts()
                rows.append((i + 1, det.index_bytes(), held, rss_mib()))
    elapsed = time.perf_counter() - started
    print(f"{args.posts:,} posts, window {args.window:,.0f} s at {args.rate:g} posts/s "
          f"({args.window * args.rate:,.0f} posts in a window), {elapsed:,.0f} s, {args.posts / elapsed:,.0f} posts/s")
    print(f"{'posts seen':>12} {'index bytes':>12} {'posts held':>11} {'B/post':>7} {'RSS MiB':>8}")
    for seen, size, held, rss in rows:
        print(f"{seen:>12,} {size:>12,} {held:>11,} {size / max(held, 1):>7.0f} {rss:>8.0f}")
    sizes = [s for _, s, _, _ in rows]
    rss = [m for *_, m in rows]
    print(f"index: min {min(sizes):,} max {max(sizes):,} bytes (max/min {max(sizes) / min(sizes):.2f}); "
          f"RSS: min {min(rss):.0f} max {max(rss):.0f} MiB")


if __name__ == "__main__":
    main()
