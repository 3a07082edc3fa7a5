"""A post's stance towards a claim is read where the post speaks of the claim (issue 15).

A long post that passes a hoax on is mostly about the writer's day: its other sentences hold
negations and questions that say nothing of the claim. Verdicts ("tin giả", "đừng chia sẻ") and
questions about truth ("thật hay giả?") count anywhere; questions to the audience and question
marks in the claim's own sentences (or closing a short next one); a negator only right before a
word of the claim that the claim does not negate itself."""

from __future__ import annotations

import numpy as np
import pytest

from khien.claims import FactCheck, Matcher, Publisher, Rating
from khien.claims.dense import DenseRetriever
from khien.claims.match import Query, candidate_stance
from khien.claims.stance import DEBUNK, VERDICT, ClaimStance, claim_window, sentences
from khien.claims.tiers import load_tiers
from khien.clock import FakeClock

NOW = 1795996800.0  # 2026-11-30T00:00:00Z
DAM = "Đập thủy điện Hòa Bình bị nứt và sắp vỡ, người dân hạ du phải sơ tán ngay"
VACCINE = "Vắc xin sởi gây tự kỷ ở trẻ nhỏ"
PHONE = "Bật chế độ máy bay khi sạc giúp pin không bị chai"
DAM_FC = FactCheck("dam", DAM, "Sai", Rating.FALSE, Publisher("Kiểm Chứng"), "https://kiemchung.example.org/dam",
                   review_date="2026-05-02")


def _stance(text: str, claim: str) -> ClaimStance:
    """As the matcher reads it: the window around the word pairs the post shares with the claim."""
    from khien.claims.bm25 import BM25Index

    query = Query.of(text)
    (hit,) = BM25Index([claim]).search(query.syllables, 1)
    return candidate_stance(text, query, claim, hit.terms)


STORY = ("Chào cả nhà, dạo này mọi người khỏe không? Tuần trước mẹ mình không đi chợ được vì mưa to quá. "
         "Sáng nay chú Ba ở Hòa Bình gọi về nói đập thủy điện Hòa Bình bị nứt và sắp vỡ, người dân hạ du phải "
         "sơ tán ngay. Nhà mình ở Hòa Bình mấy chục năm rồi, ai có xe tải cho thuê thì nhắn mình với, chở đồ "
         "không kịp mất. Chia sẻ cho bà con cùng biết nhé!")


def test_questions_and_negations_in_the_rest_of_a_long_post_say_nothing_of_the_claim():
    assert _stance(STORY, DAM) is ClaimStance.SPREADS


def test_a_verdict_or_a_question_about_truth_counts_anywhere_in_the_post():
    assert _stance(STORY + " À mà em vừa đọc báo, hóa ra là tin giả, mọi người đừng hoảng.", DAM) is ClaimStance.DEBUNKS
    assert _stance(STORY + " Mà tin này thật hay giả vậy mọi người, em lo quá.", DAM) is ClaimStance.ASKS
    assert VERDICT <= set(DEBUNK)


@pytest.mark.parametrize("post, expected", [
    # a question about truth in the sentence after the claim
    ("Đập thủy điện Hòa Bình bị nứt và sắp vỡ, người dân hạ du phải sơ tán ngay. Có thật không mọi người",
     ClaimStance.ASKS),
    # a question mark closing a short next sentence
    ("Đập thủy điện Hòa Bình bị nứt và sắp vỡ, người dân hạ du phải sơ tán ngay. Ai xác nhận giúp với?",
     ClaimStance.ASKS),
    # ... but a long next sentence with its own question is about something else
    ("Đập thủy điện Hòa Bình bị nứt và sắp vỡ, người dân hạ du phải sơ tán ngay. Nhà mình đang dọn đồ lên xe tải "
     "của chú Tư, mấy nhà hàng xóm có ai cần đi nhờ xe lên Hà Nội không?", ClaimStance.SPREADS),
    # the question in the claim's own sentence
    ("Có ai biết đập thủy điện Hòa Bình bị nứt và sắp vỡ, người dân hạ du phải sơ tán ngay không?", ClaimStance.ASKS),
])
def test_questions_are_read_near_the_claim(post, expected):
    assert _stance(post, DAM) is expected


def test_a_negator_counts_before_a_word_of_the_claim_the_claim_does_not_negate():
    assert _stance("Vắc xin sởi KHÔNG gây tự kỷ ở trẻ nhỏ, các mẹ yên tâm cho con tiêm", VACCINE) is ClaimStance.DEBUNKS
    assert _stance("Vắc xin sởi gây tự kỷ ở trẻ nhỏ đó, con nhà hàng xóm tiêm xong không nói được nữa, "
                   "các mẹ cân nhắc nhé", VACCINE) is ClaimStance.SPREADS
    # the claim's own "không" is no negation of it; the post's extra "không" before a claim word is
    assert _stance("Bật chế độ máy bay khi sạc giúp pin không bị chai đó mọi người, làm theo đi", PHONE) \
        is ClaimStance.SPREADS
    assert _stance("Bật chế độ máy bay khi sạc không giúp pin đỡ chai đâu mọi người", PHONE) is ClaimStance.DEBUNKS


def test_the_claims_sentences_are_where_most_shared_word_pairs_are():
    start, end = claim_window(STORY, [(STORY.index("đập thủy điện"), STORY.index("đập thủy điện") + 20),
                                      (STORY.index("hạ du"), STORY.index("hạ du") + 5),
                                      (STORY.index("sơ tán"), STORY.index("sơ tán") + 6),
                                      (STORY.rindex("Hòa Bình"), STORY.rindex("Hòa Bình") + 8)], after=0)
    assert STORY[start:end].strip().startswith("Sáng nay chú Ba") and "xe tải" not in STORY[start:end]
    text = "Một câu. Hai câu?\nBa câu"
    assert [text[a:b].strip() for a, b in sentences(text)] == ["Một câu.", "Hai câu?", "Ba câu"]


def test_the_dense_model_is_paid_only_when_bm25_is_neither_decisive_nor_too_weak():
    """A stand-in encoder counts the posts the model reads, and what it reads of them."""
    read: list[str] = []

    def encoder(texts):
        read.extend(texts)
        rng = np.random.default_rng(len(read))
        vectors = rng.standard_normal((len(texts), 16)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    fcs = [DAM_FC]
    dense = DenseRetriever(fcs, encoder)
    claims_read = len(read)
    matcher = Matcher(fcs, tiers=load_tiers(), dense=dense, clock=FakeClock(NOW))
    assert matcher.tiers.dense_gate > 0
    matcher.match("Hôm nay trời đẹp, cả nhà đi công viên rồi ăn phở bò ở đầu ngõ")  # nothing shared
    matcher.match("Mùa này đi Hòa Bình chơi đẹp lắm, có ai muốn đi cùng không")  # one place name: too weak
    matcher.match(DAM + ", chia sẻ cho bà con cùng biết nhé")  # BM25 alone is decisive
    assert len(read) == claims_read
    # between the gate and BM25's label threshold: the model decides
    vague = ("Tuần trước cả nhà mình đi chơi Mộc Châu về mệt lắm. Nghe nói thủy điện Hòa Bình bị nứt rồi, bà con "
             "hạ du để ý nhé mọi người. Nhà mình vẫn ổn.")
    (found,) = matcher.match(vague)
    assert found.mode == "fused" and len(read) == claims_read + 1
    # the model read the sentence about the claim, not the whole post
    assert read[-1].startswith("Nghe nói thủy điện Hòa Bình") and "Mộc Châu" not in read[-1]
