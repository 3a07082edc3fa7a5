"""claims.v1 (issue 15): the detector's contract, and what the default policy does with its signals."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from khien.claims import FactCheck, Matcher, Publisher, Rating
from khien.claims.dense import available as dense_available
from khien.detect import registry
from khien.detect.base import Prepared
from khien.claims.stance import ClaimStance
from khien.claims.tiers import Tier
from khien.detect.claims import ClaimsDetector
from khien.detect.context import DetectorContext
from khien.engine import Engine
from khien.model import Item

REPO = Path(__file__).resolve().parents[2]

CHANH = FactCheck(id="fc-chanh", claim="Uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư giai đoạn cuối",
                  rating_text="Sai sự thật", rating=Rating.FALSE, publisher=Publisher("Kiểm Chứng"),
                  url="https://kiemchung.example.org/chanh-nong-ung-thu",
                  title="Nước chanh nóng không chữa được ung thư",
                  review_date="2024-03-02")
DAP = FactCheck(id="fc-dap", claim="Đập thủy điện Hòa Bình bị nứt và sắp vỡ, người dân hạ du phải sơ tán ngay",
                rating_text="Tin giả", rating=Rating.FALSE, publisher=Publisher("Tin Thật"),
                url="https://tinthat.example.org/dap-hoa-binh", title="Đập Hòa Bình không nứt",
                review_date="2024-09-10")
TRUE_ONE = FactCheck(id="fc-true", claim="Tiêm vắc xin sởi hai mũi giúp trẻ phòng bệnh sởi hiệu quả",
                     rating_text="Đúng", rating=Rating.TRUE, publisher=Publisher("Kiểm Chứng"),
                     url="https://kiemchung.example.org/vac-xin-soi")

SPREADS = ("Cả nhà ơi, uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư giai đoạn cuối, "
           "bác sĩ giấu không nói, chia sẻ ngay cho người thân")
DEBUNKS = "Tin giả nhé mọi người: uống nước chanh nóng mỗi sáng không chữa khỏi bệnh ung thư giai đoạn cuối đâu"
ASKS = "Uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư giai đoạn cuối, có thật không mọi người?"
CRITICISM = "Chính quyền thành phố xử lý vụ ngập lụt quá chậm, lãnh đạo phải chịu trách nhiệm trước người dân"


class TieredMatcher(Matcher):
    """The calibrated BM25 matcher with every candidate it keeps forced into one tier, for the
    policy tests. As with the real tiers, only a post that spreads the claim may be labelled."""

    def __init__(self, fact_checks, tier: str) -> None:
        base = Matcher.calibrated(fact_checks, dense=False)
        super().__init__(base.fact_checks, tiers=base.tiers)
        self.forced = Tier(tier)

    def match(self, text: str, k: int = 5, **kw):
        out = []
        for m in super().match(text, k, **kw):
            if m.tier is None or len(m.terms) < 6:  # weak candidates are no candidates at all
                continue
            tier = self.forced if m.stance is ClaimStance.SPREADS else Tier.SUGGEST
            out.append(replace(m, tier=tier))
        return out


def _signals(detector, text):
    return detector.detect_batch([Prepared(Item(id="p", text=text))])[0]


def test_registered_and_silent_without_fact_checks():
    assert "claims.v1" in registry.available()
    detector = registry.create("claims.v1", {})
    assert _signals(detector, SPREADS) == []


def test_signal_contract_with_a_matcher_in_the_context():
    detector = registry.create("claims.v1", {}, DetectorContext(claims=Matcher.calibrated([CHANH, DAP], dense=False)))
    found = _signals(detector, SPREADS)
    assert [s.facts["factcheck_id"] for s in found][-1] == "fc-chanh"  # best last
    s = found[-1]
    assert (s.detector, s.category) == ("claims.v1", "misinformation")
    assert 0.0 < s.score <= 1.0 and s.facts["stance"] == "spreads"
    assert s.facts["tier"] in ("label", "suggest")
    assert s.facts["rating"] == "Sai sự thật" and s.facts["rating_scale"] == "false"
    assert s.facts["publisher"] == "Kiểm Chứng" and s.facts["url"] == CHANH.url
    assert s.facts["title"] == CHANH.title and s.facts["review_date"] == "2024-03-02"
    assert s.facts["stance"] == "spreads"
    # evidence: the post's own words, as written
    assert any("chanh nóng" in e.text for e in s.evidence)
    assert all(SPREADS[e.start:e.end] == e.text for e in s.evidence)


def test_short_texts_are_only_suggested_and_true_claims_never_signalled():
    matcher = Matcher.calibrated([CHANH, TRUE_ONE], dense=False, max_label_age_days=10**6)  # the age rule off
    detector = ClaimsDetector({}, DetectorContext(claims=matcher))
    assert [s.facts["tier"] for s in _signals(detector, "nước chanh nóng chữa khỏi ung thư")] == ["suggest"]
    assert [s.facts["tier"] for s in _signals(detector, SPREADS)] == ["label"]  # 8 words and more
    found = _signals(detector, "Tiêm vắc xin sởi hai mũi giúp trẻ phòng bệnh sởi hiệu quả, các mẹ nhớ nhé")
    assert "fc-true" not in [s.facts["factcheck_id"] for s in found]


def test_no_diacritics_and_teencode_still_match():
    detector = ClaimsDetector({}, DetectorContext(claims=Matcher.calibrated([CHANH, DAP], dense=False)))
    found = _signals(detector, "nghe bao dap thuy dien hoa binh bi nut sap vo r, ng dan ha du so tan ngay di")
    assert found and found[-1].facts["factcheck_id"] == "fc-dap"


@pytest.mark.parametrize("text,stance", [(SPREADS, "spreads"), (DEBUNKS, "debunks"), (ASKS, "asks"),
                                         ("Dap thuy dien Hoa Binh bi nut sap vo that ko ae", "asks")])
def test_stance_of_each_match_is_in_its_facts(text, stance):
    detector = ClaimsDetector({}, DetectorContext(claims=Matcher.calibrated([CHANH, DAP], dense=False)))
    found = _signals(detector, text)
    assert found and found[-1].facts["stance"] == stance and f"stance_{stance}" in found[-1].tags


def test_a_long_post_passing_the_claim_on_is_labelled_despite_unrelated_questions():
    """Cues far from the claim (a greeting question, a negation about the writer's day) say nothing
    about it; the label tier still needs the post to spread the claim."""
    long_post = ("Chào cả nhà, dạo này mọi người khỏe không? Tuần trước mẹ mình không đi chợ được vì mưa to quá.\n"
                 "Hôm nay bà hàng xóm sang chơi kể là uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư giai "
                 "đoạn cuối, bác sĩ bệnh viện giấu không nói cho dân biết đâu.\n"
                 "Nhà mình bắt đầu uống từ sáng nay rồi. Chia sẻ cho người thân nhé!")
    detector = ClaimsDetector({}, DetectorContext(claims=Matcher.calibrated([CHANH, DAP], dense=False)))
    found = _signals(detector, long_post)
    assert found[-1].facts["factcheck_id"] == "fc-chanh" and found[-1].facts["stance"] == "spreads"
    # the same post with a verdict anywhere in it is a debunk, never labelled
    warned = long_post + "\nÀ mà mình vừa đọc lại, đây là tin giả, mọi người đừng làm theo."
    found = _signals(detector, warned)
    assert found[-1].facts["stance"] == "debunks" and found[-1].facts["tier"] == "suggest"


def test_config_is_checked():
    from khien.errors import DetectorError

    with pytest.raises(DetectorError, match="detectors.claims.v1"):
        registry.create("claims.v1", {"kk": 3})


@pytest.fixture(scope="module")
def label_engine():
    return Engine.from_policy(context=DetectorContext(claims=TieredMatcher([CHANH, DAP], "label")))


@pytest.fixture(scope="module")
def suggest_engine():
    return Engine.from_policy(context=DetectorContext(claims=TieredMatcher([CHANH, DAP], "suggest")))


def test_label_tier_labels_with_the_fact_check_in_the_statement(label_engine):
    d = label_engine.decide(Item(id="p1", text=SPREADS))
    assert d.action == "label" and "misinformation.debunked-claim" in d.rules
    for lang in ("vi", "en"):
        text = d.reasons[lang]
        assert CHANH.title in text and "Kiểm Chứng" in text and "Sai sự thật" in text and CHANH.url in text
    assert "Bài kiểm chứng" in d.reasons["vi"] and "Fact-check" in d.reasons["en"]
    # the decision JSON carries the matched fact-check
    out = d.to_dict()
    assert out["facts"]["factcheck_id"]["label"] == "fc-chanh"
    assert out["facts"]["url"]["label"] == CHANH.url
    # intent.v1's stance is still the decision's stance
    assert out["facts"]["stance"]["detector"] != "claims.v1"


def test_suggest_tier_goes_to_review(suggest_engine):
    d = suggest_engine.decide(Item(id="p1", text=SPREADS))
    assert d.action == "review" and d.rules == ("misinformation.possible",)
    assert CHANH.url not in d.reasons["vi"]  # an unconfirmed candidate is not shown to the user


@pytest.mark.parametrize("text", [DEBUNKS, ASKS])
def test_debunks_and_questions_stay_up(label_engine, text):
    d = label_engine.decide(Item(id="p", text=text))
    assert d.action == "allow"
    assert not any(r.startswith("misinformation") for r in d.rules)


def test_never_removed_on_a_match_alone(label_engine):
    d = label_engine.decide(Item(id="p", text=SPREADS + " " + SPREADS))
    assert d.action != "remove"


def test_criticism_of_officials_stays_up(label_engine):
    assert label_engine.decide(Item(id="p", text=CRITICISM)).action == "allow"


def test_scam_rules_still_apply_to_a_matched_post():
    vneid = FactCheck(id="fc-vneid", claim="Cập nhật VNeID để nhận tiền hỗ trợ 2 triệu đồng của Chính phủ",
                      rating_text="Lừa đảo", rating=Rating.FALSE, publisher=Publisher("Tin Thật"),
                      url="https://tinthat.example.org/vneid-ho-tro")
    engine = Engine.from_policy(context=DetectorContext(claims=TieredMatcher([vneid], "label")))
    text = ("Cập nhật VNeID để nhận tiền hỗ trợ 2 triệu đồng của Chính phủ, bấm vào link "
            "http://vneid-hotro.xyz nhập số CCCD và mã OTP để nhận ngay hôm nay")
    plain = Engine.from_policy().decide(Item(id="p", text=text))
    d = engine.decide(Item(id="p", text=text))
    assert plain.action == "remove"  # the scam rules remove it without fact-checks...
    assert d.action == "remove"  # ...and still do when it also matches a fact-check
    assert any(s.signal == "claims.v1" for s in d.signals)


def _scan_files(tmp_path, *texts):
    """A fact-check feed of CHANH and DAP (JSONL), a posts file of ``texts``, and ``khien scan`` over
    the posts with extra arguments, in a subprocess as a user runs it."""
    fcs = tmp_path / "fc.jsonl"
    fcs.write_text("\n".join(json.dumps(
        {"id": fc.id, "claim": fc.claim, "rating": fc.rating_text, "publisher": fc.publisher.name, "url": fc.url,
         "title": fc.title, "review_date": fc.review_date}, ensure_ascii=False) for fc in (CHANH, DAP)) + "\n",
        encoding="utf-8")
    posts = tmp_path / "posts.jsonl"
    posts.write_text("".join(json.dumps({"id": f"p{i}", "text": t}, ensure_ascii=False) + "\n"
                             for i, t in enumerate(texts, start=1)), encoding="utf-8")
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}

    def run(*extra):
        return subprocess.run([sys.executable, "-m", "khien", "scan", str(posts), "-q", "-w", "1", *extra],
                              capture_output=True, text=True, env=env, timeout=300)

    return fcs, run


def test_scan_with_claims_file(tmp_path):
    fcs, run = _scan_files(tmp_path, SPREADS, CRITICISM)
    with_claims = [json.loads(x) for x in run("--claims", str(fcs)).stdout.splitlines()]
    without = [json.loads(x) for x in run().stdout.splitlines()]
    assert with_claims[0]["facts"]["factcheck_id"]["label"] == "fc-chanh"
    assert with_claims[0]["action"] in ("label", "review")
    assert "factcheck_id" not in without[0].get("facts", {})
    assert with_claims[1]["action"] == without[1]["action"] == "allow"


@pytest.mark.skipif(not dense_available(), reason="the dense model is the claims extra")
def test_scan_keeps_the_claims_vectors_between_runs(tmp_path):
    fcs, scan = _scan_files(tmp_path, SPREADS)
    vectors = tmp_path / "vectors.npz"

    def run(*extra):
        return scan("--claims", str(fcs), *extra)

    first = run("--claims-vectors", str(vectors))
    with np.load(vectors) as z:
        assert len(z["keys"]) == 4  # two claims, each as written and accent-folded
        kept = dict(zip(z["keys"].tolist(), z["vectors"]))
    again = run("--claims-vectors", str(vectors))
    assert json.loads(first.stdout)["facts"]["factcheck_id"]["label"] == "fc-chanh"
    assert first.stdout == again.stdout
    with np.load(vectors) as z:
        assert dict(zip(z["keys"].tolist(), z["vectors"])).keys() == kept.keys()
    refused = scan("--claims-vectors", str(vectors))
    assert refused.returncode != 0 and "--claims-vectors goes with --claims" in refused.stderr
