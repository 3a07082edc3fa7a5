"""Reading the words around a protected name: families, positions, people, spelling."""

from __future__ import annotations

import pytest

from khien.impersonation.context import glued_cleanly, is_distinctive, read_around
from khien.impersonation.keys import name_key
from khien.impersonation.people import is_full_name, name_role
from khien.impersonation.syllables import ordinary_syllable
from khien.impersonation.vocabulary import FAMILIES, vocabulary


def read(text: str, brand: str, *, distinctive: bool = True):
    nk = name_key(text)
    start = nk.compact.index(brand)
    return read_around(nk, start, start + len(brand), distinctive=distinctive)


@pytest.mark.parametrize(
    "text, brand, families",
    [
        ("Vietcombank Tuyển Dụng 2026", "vietcombank", ("recruitment", "number")),
        ("Tin nóng Tuổi Trẻ 24h", "tuoitre", ("news", "number")),
        ("Vé máy bay giá rẻ Vietjet", "vietjet", ("travel", "promotion")),
        ("Bộ Công an - Tiếp nhận tố giác", "bocongan", ("complaint",)),
        ("Vietcombank Chi nhánh Tân Bình", "vietcombank", ("place",)),  # a branch and the place it names
        ("tuyendung_mbbank", "mbbank", ("recruitment",)),  # a handle's words, written together
        ("VietcombankTuyenDung", "vietcombank", ("recruitment",)),  # camel case separates words
        ("vietcombanktuyendung", "vietcombank", ("recruitment",)),  # glued, onto a family word
        ("congan vneid", "vneid", ("authority",)),
        ("Shopee Rewards Onboarding", "shopee", ("service", "descriptive")),  # English by table and morphology
    ],
)
def test_family_words_and_numbers_dress_a_name(text, brand, families):
    reading = read(text, brand)
    assert reading.generic and reading.klass == "strong", reading
    assert reading.families == families


@pytest.mark.parametrize(
    "text, brand, blocker",
    [
        ("Bích Ngọc ACB Shop", "acb", "person"),  # two given names in a row
        ("Hương Vietcombank", "vietcombank", "person"),  # one given name alone beside the brand
        ("Chị Lan Techcombank", "techcombank", "person"),  # kinship term and a name
        ("Vietcombank Tín", "vietcombank", "person"),  # "Tín" is a name; "tin" (news) has no accent
        ("Hà Minh Công An", "haminh", "person"),  # the whole is a person's full name
        ("Trà sữa Momo", "momo", "business"),
        ("Momo Bakery Quận 3", "momo", "business"),
        ("Hội những người yêu Vietcombank", "vietcombank", "community"),
        ("Kinh nghiệm săn vé Vietjet", "vietjet", "community"),
        ("Trường THPT Thanh Niên", "thanhnien", "education"),
        ("Shopee Bella Store", "shopee", "name"),  # a coined word: another proper name
        ("momotaro", "momo", "name"),  # glued onto bare syllables: one other word
        ("lan momo", "momo", "person"),
    ],
)
def test_another_identity_is_not_an_affix(text, brand, blocker):
    reading = read(text, brand)
    assert not reading.generic and reading.blocker is not None and reading.blocker.family == blocker, reading


def test_community_topics_are_no_evidence_but_a_persons_service_words_are():
    assert read("Kinh nghiệm săn vé Vietjet", "vietjet").klass == "weak"
    assert read("Lan Anh Vay Vốn Vietcombank", "vietcombank").klass == "strong"


def test_an_everyday_name_needs_a_family_word_a_distinctive_one_does_not():
    assert not read("Tuổi trẻ tài cao", "tuoitre", distinctive=False).generic
    assert not read("Tuổi trẻ rực rỡ", "tuoitre", distinctive=False).generic
    assert read("Tuổi Trẻ Tin Nóng", "tuoitre", distinctive=False).generic
    assert read("Vietcombank Học Bổng", "vietcombank").generic  # words in no table, around a coined name
    # English words cannot run on into a Vietnamese everyday name as one phrase: they dress it
    assert read("Onboarding Trang Huy", "tranghuy", distinctive=False).generic
    assert read("goldentechonboarding", "goldentech").generic  # glued, but no accident


def test_accents_decide_when_the_user_wrote_them():
    # typed with diacritics, an unaccented word is what it says: "Gia" (a name), not "giá" (price)
    assert read("Tạ Gia Anh Duy", "anhduy", distinctive=False).blocker.family == "person"
    # typed without any, the folded form matches the family word
    assert read("tuyen dung MB Bank", "mbbank").families == ("recruitment",)
    assert name_role(vocabulary(), "tín", "tin") == "given" and name_role(vocabulary(), "tin", "tin", True) == ""


def test_full_names_without_diacritics_need_a_common_surname():
    voc = vocabulary()
    assert is_full_name(voc, ("phan", "anh", "minh", "minh"), ("phan", "anh", "minh", "minh"), False)
    assert not is_full_name(voc, ("tong", "dai", "nam", "nam"), ("tong", "dai", "nam", "nam"), False)


def test_a_short_name_glued_inside_a_word_is_rejected_cheaply():
    nk = name_key("quocbinh88")
    start = nk.compact.index("ocb")
    assert not glued_cleanly(nk, start, start + 3)
    nk = name_key("mbbankhotro")
    assert glued_cleanly(nk, 0, 6)


@pytest.mark.parametrize(
    "name, distinctive",
    [("Vietcombank", True), ("VTV", True), ("VTV24", True), ("MoMo", True), ("Tiki", True),
     ("Vietnam Airlines", True), ("Bộ Công an", True), ("Báo Tuổi Trẻ", True),
     ("Tuổi Trẻ", False), ("Điện lực", False), ("Dịch vụ công", False), ("Cốc Cốc", False)],
)
def test_distinctive_names(name, distinctive):
    assert is_distinctive(name) is distinctive
    assert not is_distinctive("cake", "domain") and is_distinctive("vietteltelecom", "domain")


def test_vietnamese_spelling_tells_words_from_foreign_shapes():
    assert all(ordinary_syllable(w) for w in ("kho", "khach", "ve", "hoc", "nghe", "ghe", "gia", "quan", "ki"))
    assert not any(ordinary_syllable(w) for w in ("ka", "ko", "ce", "ge", "nge", "gha", "qa", "taka"))


def test_the_vocabulary_is_families_not_phrases():
    voc = vocabulary()
    roles = {f.role for f in FAMILIES}
    assert roles == {"affix", "blocker", "connector"}
    assert len(voc.phrases) > 600 and len(FAMILIES) >= 20
    # every family word is written with its diacritics, lower case, and found by its folded form
    for family in FAMILIES:
        for word in family.words:
            assert word == word.lower().strip(), word
            assert voc.read(tuple(voc_fold(word)), tuple(word.replace("/", " ").split()), accented=True), word


def voc_fold(word: str) -> list[str]:
    from khien.impersonation.vocabulary import fold

    return ["".join(c for c in fold(w) if c.isalnum()) for w in word.replace("/", " ").split()]
