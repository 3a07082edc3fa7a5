"""BM25 over folded syllables: a claim is found with its diacritics removed, in teencode, inside a
longer post; unrelated posts find nothing; the highlight spans quote the post's own words."""

import pytest

from khien.claims import FactCheck, Matcher, Publisher, Rating, Ranked, rrf
from khien.claims.bm25 import BM25Index, terms, tokens

CLAIMS = {
    "lemon": "Uống nước chanh nóng mỗi sáng chữa khỏi ung thư",
    "dam": "Đập thủy điện sắp vỡ, người dân vùng hạ du phải sơ tán ngay trong đêm",
    "cccd": "Muốn nhận tiền hỗ trợ của nhà nước phải cập nhật CCCD qua đường link được gửi",
    "garlic": "Ăn tỏi sống mỗi ngày chữa khỏi bệnh tiểu đường",
    "gold": "Giá vàng miếng sẽ giảm một nửa vào tuần sau",
    "flood": "Ảnh lũ ngập nóc nhà ở Huế là ảnh thật chụp hôm qua",
}


@pytest.fixture(scope="module")
def matcher():
    fcs = [FactCheck(key, text, "Sai", Rating.FALSE, Publisher("Kiểm Chứng Mẫu"), f"https://k.example.vn/{key}")
           for key, text in CLAIMS.items()]
    return Matcher(fcs)


@pytest.mark.parametrize("post, expected", [
    ("Uống nước chanh nóng chữa khỏi ung thư, ai cũng nên biết", "lemon"),
    ("uong nuoc chanh nong moi sang chua khoi ung thu", "lemon"),  # no diacritics
    ("ae ơi uống nc chanh nóng chữa khỏi ung thư đó, ko tin thì thôi", "lemon"),  # teencode: nc, ko
    ("KHẨN CẤP!!! đập thuỷ điện sắp vỡ, bà con sơ tán ngay", "dam"),  # old tone placement: thuỷ
    ("dap thuy dien sap vo roi so tan gap", "dam"),
    ("Thông báo: để nhận tiền hỗ trợ, cập nhật cccd qua link này nhé", "cccd"),
    ("nhan tien ho tro phai cap nhat CCCD qua duong link", "cccd"),
    ("Hôm nay đi chợ thấy giá rau tăng. Nghe nói giá vàng miếng tuần sau giảm một nửa, thật không?", "gold"),
])
def test_the_claim_is_the_first_match(matcher, post, expected):
    found = matcher.match(post, 3)
    assert found and found[0].fact_check.id == expected


def test_a_post_sharing_no_word_finds_nothing(matcher):
    assert matcher.match("Mèo con dễ thương ghê", 5) == []


def test_scores_are_the_same_with_and_without_diacritics(matcher):
    accented = matcher.match("Đập thủy điện sắp vỡ", 1)[0]
    plain = matcher.match("Dap thuy dien sap vo", 1)[0]
    assert accented.fact_check.id == plain.fact_check.id == "dam"
    assert accented.score == pytest.approx(plain.score)


def test_bigrams_rank_the_phrase_above_scattered_syllables(matcher):
    # "chữa khỏi" is in both health claims; "ung thư" as a pair only in the lemon one.
    found = matcher.match("chữa khỏi ung thư", 2)
    assert found[0].fact_check.id == "lemon"
    assert "ung_thu" in found[0].terms and "chua_khoi" in found[0].terms


def test_spans_quote_the_matched_words_of_the_original_post(matcher):
    post = "ae ơi uống nc chanh nóng chữa khỏi ung thư đó"
    (top,) = matcher.match(post, 1)
    assert [post[s:e] for s, e in top.spans] == ["uống nc chanh nóng chữa khỏi ung thư"]
    assert top.scores.keys() == {"bm25"}


def test_terms_are_unigrams_then_bigrams():
    assert terms(["ung", "thu"]) == ["ung", "thu", "ung_thu"]
    assert [t.text for t in tokens("Lừa ĐẢO qua link")] == ["lua", "dao", "qua", "link"]


def test_idf_prefers_the_rare_word():
    index = BM25Index(["giá vàng tăng", "giá xăng tăng", "giá điện tăng", "giá vàng giảm"])
    hits = index.search(["gia", "vang"], 4)
    assert {h.doc for h in hits[:2]} == {0, 3}
    assert hits[0].score > hits[2].score > 0


def test_an_empty_index_and_an_empty_query_find_nothing():
    assert BM25Index([]).search(["gia"], 3) == []
    assert BM25Index(["giá vàng"]).search([], 3) == []


def test_rrf_fuses_ranks_not_scores():
    a = [Ranked(1, 90.0), Ranked(2, 80.0), Ranked(3, 1.0)]
    b = [Ranked(3, 0.9), Ranked(1, 0.8)]
    fused = rrf([a, b], k=60)
    assert [doc for doc, _ in fused] == [1, 3, 2]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


def test_a_second_retriever_is_fused(matcher):
    class Fixed:
        name = "dense"

        def search(self, query, k):
            return [Ranked(0, 0.99), Ranked(3, 0.5)]  # lemon, then garlic

    both = Matcher(matcher.fact_checks, [matcher.retrievers[0], Fixed()])
    found = both.match("uống nước chanh nóng chữa khỏi ung thư", 3)
    assert found[0].fact_check.id == "lemon" and set(found[0].scores) == {"bm25", "dense"}
    assert found[0].score == pytest.approx(2 / 61)
    garlic = next(m for m in found if m.fact_check.id == "garlic")
    assert set(garlic.scores) == {"bm25", "dense"}
