"""The campaign detector: planted campaigns are found through each disguise; natural repetition,
and similarity without coordination, are not campaigns; the index stays bounded."""

from __future__ import annotations

import random
import zlib

import numpy as np
import pytest

from khien.campaigns import CampaignConfig, CampaignDetector, Post
from khien.campaigns.synth import PERTURBATIONS, T0, campaign, natural, perturb
from khien.strict import ConfigError

# Real-world-like Vietnamese posts, written for these tests: what a campaign hides among.
BACKGROUND = [
    "Hôm nay trời đẹp quá, cả nhà rủ nhau đi công viên Thống Nhất chơi đến tối mới về",
    "Quán phở đầu ngõ nấu ngon mà giá lại rẻ, sáng nào cũng đông khách xếp hàng",
    "Tắc đường ở ngã tư Sở từ sáng tới giờ, ai đi làm thì tránh đường này nhé",
    "Con mình năm nay thi vào lớp 10, áp lực quá các mẹ ạ, không biết ôn thế nào",
    "Phim này xem hay thật sự, diễn viên chính đóng rất tự nhiên, đáng đồng tiền",
    "Giá xăng lại tăng rồi, đi làm bằng xe máy mỗi tháng tốn thêm cả trăm nghìn",
    "Mưa to quá, đường Nguyễn Trãi ngập hết rồi, mọi người về nhà cẩn thận",
    "Mình mới học nấu canh chua cá lóc, lần đầu mà cả nhà khen ngon ghê",
]


def background(r: random.Random, n: int, span: float) -> list[Post]:
    return [Post(f"bg-{i}", f"user{r.randrange(40)}", T0 + r.uniform(0, span), r.choice(BACKGROUND) + f" {i}")
            for i in range(n)]


def run(posts: list[Post], config: CampaignConfig | None = None) -> list:
    det = CampaignDetector(config)
    posts = sorted(posts, key=lambda p: p.ts)
    found = []
    for i in range(0, len(posts), 100):
        det.observe(posts[i:i + 100])
        found += det.expired()
    return found + det.clusters(campaigns_only=True)


@pytest.mark.parametrize("kind", ["task_scam", "gambling", "fake_review", "loan_spam"])
@pytest.mark.parametrize("perturbation", sorted(PERTURBATIONS))
def test_a_planted_campaign_is_found_whole_through_each_disguise(kind, perturbation):
    r = random.Random(zlib.crc32(f"{kind}{perturbation}".encode()))
    planted = campaign("c", kind, r, T0 + 1800, posts=25, span_s=2 * 3600)
    # The recipe draws several disguises at random; here every copy gets this one on top.
    posts = [Post(p.post.id, p.post.account, p.post.ts, perturb(p.post.text, r, [perturbation])) for p in planted]
    found = run(posts + background(r, 300, 6 * 3600))
    assert len(found) == 1, [c.sample for c in found]
    assert set(found[0].members) == {p.id for p in posts}


def test_a_day_of_greetings_and_a_football_win_are_not_campaigns():
    r = random.Random(3)
    posts = [p.post for p in natural("ny", "new_year", r, T0, 500, 24 * 3600)]
    posts += [p.post for p in natural("fb", "football", r, T0 + 3600, 300, 6 * 3600)]
    posts += background(r, 300, 24 * 3600)
    assert run(posts) == []


def test_the_same_text_by_many_accounts_without_coordination_is_a_cluster_not_a_campaign():
    text = "Mình thấy bài này nói rất đúng, ai cũng nên đọc một lần để hiểu thêm về lịch sử Việt Nam"
    r = random.Random(5)
    posts = [Post(f"p{i}", f"acct{i}", T0 + r.uniform(0, 20 * 3600), text) for i in range(40)]
    det = CampaignDetector()
    det.observe(sorted(posts, key=lambda p: p.ts))
    [cluster] = det.clusters()
    assert cluster.size == 40 and not cluster.campaign and cluster.signals == ()


def test_young_accounts_make_a_spread_out_copypasta_a_campaign():
    text = "Mình thấy bài này nói rất đúng, ai cũng nên đọc một lần để hiểu thêm về lịch sử Việt Nam"
    r = random.Random(5)
    posts = [Post(f"p{i}", f"acct{i}", ts := T0 + r.uniform(0, 20 * 3600), text, ts - 3 * 86400) for i in range(40)]
    det = CampaignDetector()
    det.observe(sorted(posts, key=lambda p: p.ts))
    [cluster] = det.clusters()
    assert cluster.campaign and cluster.signals == ("young_accounts",)


def test_one_gambling_link_under_different_comments_joins_them():
    comments = ["Trận này Quang Hải đá hay quá", "Thủ môn hôm nay bắt dở thật", "Trọng tài bắt ép đội mình",
                "Hiệp hai đội mình chơi khá hơn", "Công Phượng vào sân là khác hẳn", "Sân Mỹ Đình đông nghịt người"]
    posts = [Post(f"p{i}", f"acct{i}", T0 + 60 * i, f"{c} 👉 https://bet88.vip/dk nhận 100k") for i, c in enumerate(comments)]
    det = CampaignDetector()
    det.observe(posts)
    [cluster] = det.clusters()
    assert cluster.campaign and "shared_contact" in cluster.signals
    assert "url:bet88.vip/dk" in cluster.shared_entities and cluster.size == 6


def test_too_few_accounts_is_not_a_campaign():
    text = "Tuyển CTV làm việc online tại nhà, thu nhập 500k mỗi ngày, không cần vốn, liên hệ Zalo 0912345678"
    posts = [Post(f"p{i}", f"acct{i % 3}", T0 + 30 * i, text) for i in range(12)]  # 3 accounts, 12 posts
    det = CampaignDetector()
    memberships = det.observe(posts)
    assert memberships and not any(m.campaign for m in memberships)
    assert det.clusters()[0].size == 12


def test_posts_further_apart_than_the_window_are_not_joined():
    text = "Tuyển CTV làm việc online tại nhà, thu nhập 500k mỗi ngày, không cần vốn, liên hệ Zalo 0912345678"
    det = CampaignDetector({"window_s": 3600.0, "bucket_s": 600.0})
    det.observe([Post("a", "u1", T0, text)])
    assert det.observe([Post("b", "u2", T0 + 3 * 3600, text)]) == []


def test_the_index_stays_flat_over_a_long_stream():
    """200,000 posts at two a second with a two-hour window: the index holds one window."""
    words = ("nhà xe trời mưa phở cơm bạn mình học thi đi làm chợ rau cá thịt giá tăng giảm phim hay dở "
             "sáng tối mẹ con bố anh chị em đường phố quán cà phê sữa trà đá bóng sân").split()
    r = random.Random(11)
    det = CampaignDetector({"window_s": 7200.0, "bucket_s": 600.0})
    sizes, buckets = [], []
    batch = []
    for i in range(200_000):
        batch.append(Post(f"p{i}", f"u{r.randrange(5000)}", T0 + i / 2, " ".join(r.choices(words, k=9))))
        if len(batch) == 1000:
            det.observe(batch)
            det.expired()
            batch = []
            if i > 40_000:  # past the first window
                sizes.append(det.index_bytes())
                buckets.append(len(det._index.buckets))
    assert max(buckets) <= 7200 / 600 + 1
    assert max(sizes) < 1.3 * min(sizes)
    assert max(sizes) / det.window_posts() < 1024


def test_an_unknown_config_key_is_named():
    with pytest.raises(ConfigError, match="min_acounts"):
        CampaignDetector({"min_acounts": 3})


def test_minhash_signatures_are_the_universal_hashes_minimum():
    from khien.campaigns.minhash import EMPTY, MinHasher
    hasher = MinHasher(64, 14)
    rng = np.random.default_rng(1)
    sets = [rng.integers(0, 2**32, size=k, dtype=np.uint64).astype(np.uint32) for k in (0, 1, 5, 40, 5000, 3)]
    sigs = hasher.signatures(sets)
    prime = np.uint64((1 << 31) - 1)
    for shingles, row in zip(sets, sigs):
        expected = np.full(64, EMPTY) if shingles.size == 0 else \
            ((shingles.astype(np.uint64)[:, None] * hasher._a + hasher._b) % prime).min(axis=0)
        assert row.tolist() == expected.tolist()


def test_a_key_held_by_several_sealed_buckets_names_each_cluster():
    from khien.campaigns.index import BucketedIndex
    index = BucketedIndex(window_s=3 * 3600.0, bucket_s=3600.0)
    for hour, cid in ((0, 7), (1, 9)):
        index.advance(hour * 3600.0)
        index.current.add(np.array([5, 11], dtype=np.uint64), np.array([cid, cid + 100], dtype=np.int64))
    index.advance(2 * 3600.0)  # both sealed now
    rows, bands, cids = index.lookup_sealed(np.array([[11, 4], [3, 5]], dtype=np.uint64))
    assert sorted(zip(rows.tolist(), bands.tolist(), cids.tolist())) == [(0, 0, 107), (0, 0, 109), (1, 1, 7), (1, 1, 9)]
    index.advance(4 * 3600.0 + 1)  # hour 0 leaves the window
    rows, bands, cids = index.lookup_sealed(np.array([[11, 5]], dtype=np.uint64))
    assert sorted(cids.tolist()) == [9, 109]


def test_posts_of_one_batch_match_each_other_as_posts_of_separate_batches_do():
    r = random.Random(8)
    planted = campaign("c", "task_scam", r, T0 + 600, posts=30, span_s=1800)
    posts = sorted([p.post for p in planted] + background(r, 200, 3600), key=lambda p: p.ts)
    one, many = CampaignDetector(), CampaignDetector()
    together = one.observe(posts)
    apart = [m for p in posts for m in many.observe([p])]
    assert together == apart and [c.members for c in one.clusters()] == [c.members for c in many.clusters()]
