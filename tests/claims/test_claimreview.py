"""ClaimReview JSON-LD, JSONL and CSV import; errors naming the record and the field; round-trip."""

import orjson
import pytest

from khien.claims import Rating, Topic, normalise_rating, parse_document, to_jsonld
from khien.claims.claimreview import parse_csv, parse_jsonl, parse_jsonld
from khien.claims.records import RATING_WORDS, rating_key
from khien.errors import InputError


def test_a_graph_of_reviews_reads_every_field(fixtures):
    parsed = parse_document("factchecks.jsonld", (fixtures / "factchecks.jsonld").read_bytes())
    assert parsed.errors == ()
    by_id = {fc.id: fc for fc in parsed.fact_checks}
    assert set(by_id) == {"vn-chanh-ung-thu", "vn-thuy-dien-vo", "vn-cccd-ho-tro"}
    lemon = by_id["vn-chanh-ung-thu"]
    assert lemon.claim == "Uống nước chanh nóng mỗi sáng chữa khỏi ung thư"
    assert (lemon.rating_text, lemon.rating) == ("Sai sự thật", Rating.FALSE)
    assert (lemon.rating_value, lemon.best_rating, lemon.worst_rating) == (1.0, 5.0, 1.0)
    assert lemon.publisher.name == "Kiểm Chứng Mẫu" and lemon.publisher.url == "https://kiemchung.example.vn"
    assert lemon.claimant == "Trang Sức Khỏe Vàng" and lemon.claim_date == "2026-02-20"
    assert lemon.appearances == ("https://mangxahoi.example.vn/p/123",)
    assert lemon.topic is Topic.HEALTH and lemon.language == "vi" and lemon.title.startswith("Nước chanh")
    assert by_id["vn-cccd-ho-tro"].rating is Rating.FALSE and by_id["vn-cccd-ho-tro"].topic is Topic.FRAUD


def test_one_claim_with_two_reviews_gives_two_fact_checks(fixtures):
    parsed = parse_document("x.jsonld", (fixtures / "one_claim_two_reviews.jsonld").read_bytes())
    assert parsed.errors == ()
    vi, en = parsed.fact_checks
    assert vi.claim == en.claim == "Ăn lá đu đủ non chữa khỏi sốt xuất huyết trong ba ngày"
    assert vi.claim_date == en.claim_date == "2026-07-01"
    assert (vi.rating, en.rating) == (Rating.MOSTLY_FALSE, Rating.MOSTLY_FALSE)
    assert (vi.publisher.name, en.publisher.name) == ("Kiểm Chứng Mẫu", "Example Fact Check")
    assert en.language == "en" and vi.id != en.id


def test_missing_optional_fields_take_their_defaults():
    doc = {"@type": "ClaimReview", "url": "https://kiemchung.example.vn/a", "claimReviewed": "Tin đồn mất điện toàn quốc",
           "author": "Kiểm Chứng Mẫu", "reviewRating": {"alternateName": "Chưa xác minh"}}
    parsed = parse_jsonld(orjson.dumps(doc))
    assert parsed.errors == ()
    (fc,) = parsed.fact_checks
    assert fc.publisher.name == "Kiểm Chứng Mẫu" and fc.publisher.url is None
    assert (fc.title, fc.review_date, fc.claimant, fc.claim_date, fc.appearances) == (None, None, None, None, ())
    assert fc.language == "vi" and fc.topic is Topic.OTHER and fc.rating is Rating.UNRATED
    assert fc.id.startswith("fc-") and len(fc.id) == 19


def test_bad_records_are_named_and_the_others_imported():
    good = {"@type": "ClaimReview", "url": "https://kiemchung.example.vn/ok", "claimReviewed": "Ăn tỏi sống phòng được cúm",
            "author": {"name": "Kiểm Chứng Mẫu"}, "reviewRating": {"alternateName": "Sai"}}
    no_rating = {**good, "url": "https://kiemchung.example.vn/2", "reviewRating": {"ratingValue": 1}}
    bad_url = {**good, "url": "kiemchung.example.vn/3"}
    no_claim = {k: v for k, v in good.items() if k != "claimReviewed"}
    bad_topic = {**good, "url": "https://kiemchung.example.vn/5", "khien:topic": "politics"}
    bad_value = {**good, "url": "https://kiemchung.example.vn/6", "reviewRating": {"alternateName": "Sai", "ratingValue": "một"}}
    parsed = parse_jsonld(orjson.dumps([good, no_rating, bad_url, no_claim, bad_topic, bad_value]))
    assert [fc.url for fc in parsed.fact_checks] == ["https://kiemchung.example.vn/ok"]
    messages = [str(e) for e in parsed.errors]
    assert messages[0] == "record 2: reviewRating.alternateName: missing"
    assert messages[1].startswith("record 3: url: expected an http(s) URL")
    assert messages[2] == "record 4: claimReviewed: missing"
    assert messages[3].startswith("record 5: khien:topic: unknown topic 'politics'")
    assert messages[4].startswith("record 6: reviewRating.ratingValue: expected a number")


def test_the_publisher_option_fills_records_without_an_author():
    doc = {"@type": "ClaimReview", "url": "https://kiemchung.example.vn/a", "claimReviewed": "Uống nước muối chữa covid",
           "reviewRating": {"alternateName": "Sai"}}
    assert [str(e) for e in parse_jsonld(orjson.dumps(doc)).errors] == ["record 1: author.name: missing"]
    (fc,) = parse_jsonld(orjson.dumps(doc), publisher="Báo Mẫu").fact_checks
    assert fc.publisher.name == "Báo Mẫu"


def test_a_document_that_is_not_json_is_an_input_error():
    with pytest.raises(InputError, match="not JSON"):
        parse_jsonld(b'{"@type": "ClaimReview", ')


def test_a_wrong_type_is_refused():
    parsed = parse_jsonld(orjson.dumps({"@type": "NewsArticle", "url": "https://a.example/x"}))
    assert str(parsed.errors[0]).startswith("record 1: @type: expected ClaimReview")


def test_round_trip_keeps_every_field(fixtures):
    originals = []
    for name in ("factchecks.jsonld", "one_claim_two_reviews.jsonld", "factchecks.csv", "factchecks.jsonl"):
        parsed = parse_document(name, (fixtures / name).read_bytes())
        assert parsed.errors == ()
        originals += parsed.fact_checks
    again = parse_jsonld(to_jsonld(originals))
    assert again.errors == ()
    assert list(again.fact_checks) == originals


def test_csv_and_jsonl_read_the_same_fields(fixtures):
    csv_parsed = parse_csv((fixtures / "factchecks.csv").read_bytes())
    assert csv_parsed.errors == ()
    gold, photo = csv_parsed.fact_checks
    assert gold.id == "csv-vang-mieng" and gold.topic is Topic.FINANCE and gold.claimant == "Nhóm đầu tư ABC"
    assert gold.appearances == ("https://mangxahoi.example.vn/p/9", "https://mangxahoi.example.vn/p/10")
    assert photo.rating is Rating.FALSE and photo.topic is Topic.FABRICATED_MEDIA and photo.claimant is None
    jl = parse_jsonl((fixtures / "factchecks.jsonl").read_bytes())
    assert jl.errors == ()
    assert [fc.topic for fc in jl.fact_checks] == [Topic.TECHNOLOGY, Topic.OTHER]
    assert jl.fact_checks[0].appearances == ("https://mangxahoi.example.vn/p/77",)


def test_csv_errors_name_the_record_and_an_unknown_column_stops_the_file():
    data = "claim,rating,publisher,url\nĐiện thoại nổ vì sạc qua đêm,,Kiểm Chứng Mẫu,https://k.example.vn/1\n"
    assert [str(e) for e in parse_csv(data).errors] == ["record 1: rating: missing"]
    with pytest.raises(InputError, match="'ratng' is unknown"):
        parse_csv("claim,ratng\nx,y\n")


@pytest.mark.parametrize("label, rating", [
    ("Sai", Rating.FALSE), ("SAI SỰ THẬT!", Rating.FALSE), ("Tin giả", Rating.FALSE), ("Gây hiểu nhầm", Rating.MOSTLY_FALSE),
    ("Đúng", Rating.TRUE), ("Đúng một phần", Rating.MIXED), ("False", Rating.FALSE), ("Misleading", Rating.MOSTLY_FALSE),
    ("Half True", Rating.MIXED), ("Mostly true", Rating.MOSTLY_TRUE), ("Chưa xác minh", Rating.UNRATED),
])
def test_rating_labels_map_to_the_scale(label, rating):
    assert normalise_rating(label) is rating


def test_an_unknown_label_uses_the_numeric_rating_or_stays_unrated():
    assert normalise_rating("Rất đáng ngờ") is Rating.UNRATED
    assert normalise_rating("Rất đáng ngờ", 1, 5, 1) is Rating.FALSE
    assert normalise_rating(None, 5, 5, 1) is Rating.TRUE
    assert normalise_rating(None, 3, 5, 1) is Rating.MIXED
    assert normalise_rating(None, 9, 5, 1) is Rating.UNRATED  # outside the scale: no guess


def test_every_rating_word_is_written_in_its_folded_form():
    assert all(rating_key(word) == word for word in RATING_WORDS)


def test_the_claim_text_may_come_from_item_reviewed():
    doc = {"@type": "ClaimReview", "url": "https://kiemchung.example.vn/a", "author": {"name": "Kiểm Chứng Mẫu"},
           "reviewRating": {"alternateName": "Sai"},
           "itemReviewed": {"@type": "Claim", "text": "Bộ Y tế khuyên ngâm chân nước muối để phòng sởi"}}
    (fc,) = parse_jsonld(orjson.dumps(doc)).fact_checks
    assert fc.claim == "Bộ Y tế khuyên ngâm chân nước muối để phòng sởi"
