"""Vietnamese text views: each normalisation, and the way back to the original text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khien.text import fold_accents, views


def canon(text: str) -> str:
    return views(text).canonical.text


def test_decomposed_input_is_composed_and_offsets_point_at_whole_clusters():
    decomposed = unicodedata.normalize("NFD", "Lừa đảo")
    v = views(decomposed)
    assert v.nfc.text == "Lừa đảo"
    start = v.nfc.text.index("đảo")
    s, e = v.nfc.span(start, start + 3)
    assert unicodedata.normalize("NFC", decomposed[s:e]) == "đảo"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hoà bình", "hòa bình"),
        ("thuỷ sản", "thủy sản"),
        ("Uỷ ban", "ủy ban"),
        ("quý khách", "quý khách"),  # the u of "qu" is not a vowel: nothing moves
        ("hoàn tiền", "hoàn tiền"),  # closed syllable: nothing moves
    ],
)
def test_one_tone_mark_placement(raw, expected):
    assert canon(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("l.ừ.a đ.ả.o", "lừa đảo"),
        ("v.a.y tiền nhanh", "vay tiền nhanh"),
        ("T e c h c o m b a n k", "techcombank"),
        ("kh0ản vay", "khoản vay"),
        ("v!ệc nhẹ lương c@o", "việc nhẹ lương cao"),
        ("h0tr0 khách hàng", "hotro khách hàng"),
        ("ngonnnnn quá điiii", "ngon quá đi"),
    ],
)
def test_obfuscation_is_undone(raw, expected):
    assert canon(raw) == expected


def test_numbers_are_not_read_as_leetspeak():
    assert canon("lãi 30% mỗi ngày, nạp 500k, gọi 0912345678") == "lãi 30% mỗi ngày, nạp 500k, gọi 0912345678"


def test_lookalike_letters_fold_to_latin_but_vietnamese_letters_stay():
    cyrillic = "Vіеtсоmbаnk"  # і е с о а are Cyrillic
    assert canon(cyrillic) == "vietcombank"
    assert canon("Ｖｉｅｔｃｏｍｂａｎｋ") == "vietcombank"
    assert canon("Đăng ký ưu đãi") == "đăng ký ưu đãi"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ko có j đâu", "không có gì đâu"),
        ("gửi stk để ck nhé", "gửi số tài khoản để chuyển khoản nhé"),
        ("tuyển ctv, lh ngay", "tuyển cộng tác viên, liên hệ ngay"),
    ],
)
def test_teencode_is_expanded(raw, expected):
    assert canon(raw) == expected


def test_teencode_does_not_touch_amounts_urls_or_handles():
    text = "chỉ 50k, xem tại abc.vn/ko và @ko_support"
    assert "50k" in canon(text)
    assert "abc.vn/ko" in canon(text)
    assert "@ko_support" in canon(text)


def test_folded_view_drops_diacritics():
    assert views("Việc nhẹ lương cao, Đăng ký").folded.text == "viec nhe luong cao, dang ky"
    assert fold_accents("đảo ngược") == "dao nguoc"


def test_evidence_is_quoted_in_the_users_own_words():
    raw = "Tuyển gấp: V!ỆC NHẸ  lương c@o, l.ừ.a ai đâu"
    v = views(raw)
    i = v.canonical.text.index("việc nhẹ")
    s, e, quoted = v.canonical.quote(i, i + len("việc nhẹ"))
    assert quoted == "V!ỆC NHẸ"
    j = v.canonical.text.index("lừa")
    assert v.canonical.quote(j, j + 3)[2] == "l.ừ.a"


def test_zero_width_characters_are_removed_but_offsets_kept():
    raw = "vay\u200b tiền\u200b nhanh"
    v = views(raw)
    assert v.nfc.text == "vay tiền nhanh"
    i = v.nfc.text.index("nhanh")
    assert v.nfc.quote(i, i + 5)[2] == "nhanh"


any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
viet_like = st.text(alphabet="aăâeêioôơuưyđ àáảãạ.-_ 0134@!$ktvhcngAĐ\u0301\u0300\u200bі", max_size=60)


@settings(max_examples=400, deadline=None)
@given(st.one_of(any_text, viet_like))
def test_views_never_raise_and_canonical_is_idempotent(text):
    v = views(text)
    assert views(v.canonical.text).canonical.text == v.canonical.text
    assert fold_accents(v.folded.text) == v.folded.text
    assert v.folded.text == fold_accents(v.canonical.text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(any_text, viet_like), st.data())
def test_every_view_span_maps_inside_the_original(text, data):
    v = views(text)
    for view in (v.nfc, v.canonical, v.folded):
        n = len(view.text)
        if n == 0:
            continue
        a = data.draw(st.integers(0, n - 1))
        b = data.draw(st.integers(a + 1, n))
        s, e = view.span(a, b)
        assert 0 <= s <= e <= len(text)
        # spans grow with the view span: the way back is monotonic
        s2, e2 = view.span(a, n)
        assert s2 == s and e2 >= e
