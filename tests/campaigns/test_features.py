"""What the detector reads from a post: shingles over the folded view with contacts masked."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from khien.campaigns.features import (_DIGITS, _LINKISH, _MAYBE_CONTACT, _TOKEN, _maybe_contact, entities, features,
                                      fold_phrases, masked_tokens, shingle_batch)
from khien.text.links import find_contacts, find_links
from khien.text.views import views

BASE = "Tuyển CTV làm việc online tại nhà, thu nhập 500k mỗi ngày, không cần vốn, liên hệ Zalo 0912345678"


@pytest.mark.parametrize("variant", [
    "tuyen ctv lam viec online tai nha, thu nhap 500k moi ngay, khong can von, lien he zalo 0912345678",  # no accents
    "Tuyển CTV làm việc online tại nhà, thu nhập 500k mỗi ngày, ko cần vốn, liên hệ Zalo 0912345678",  # teencode
    "Tuyển CTV l.à.m việc online tại nhà, thu nhập 500k mỗi ngày, không cần vốn, liên hệ Zalo 0912345678",  # spacing
    "Tuyển CTV làm việc оnline tại nhà, thu nhập 500k mỗi ngày, không cần vốn, liên hệ Zalo 0912345678",  # Cyrillic о
    "Tuyển CTV làm việc online tại nhà, thu nhập 900k mỗi ngày, không cần vốn, liên hệ Zalo 0912345999",  # digits
])
def test_disguises_give_the_same_shingles(variant):
    a, b = features(BASE), features(variant)
    assert set(a.shingles.tolist()) == set(b.shingles.tolist())


def test_a_different_sentence_shares_few_shingles():
    a = features(BASE)
    b = features("Hôm nay trời đẹp quá, cả nhà rủ nhau đi công viên Thống Nhất chơi đến tối mới về")
    common = np.intersect1d(a.shingles, b.shingles).size
    assert common == 0


def test_contacts_come_back_as_entities():
    f = features("Vào ngay https://bet88.vip/dk?ref=12 nhận 100k, hoặc chuyển khoản STK 0123456789 Vietcombank, "
                 "gọi 0912345678")
    assert "url:bet88.vip/dk" in f.entities  # the tracking query is not part of the link entity
    assert "phone:0912345678" in f.entities and "phone_block:0912345" in f.entities
    assert any(e.startswith("bank_account:") for e in f.entities)


def test_a_post_without_contacts_has_none():
    assert features("Trận này đá hay quá, chúc mừng cả đội").entities == ()


def test_exempt_phrases_are_removed_before_shingling():
    exempt = fold_phrases(("Chúc mừng năm mới", "an khang thịnh vượng"))
    f = features("Chúc mừng năm mới, chúc cả nhà an khang thịnh vượng", exempt=exempt)
    assert f.tokens == 3  # "chúc cả nhà"


# -- the batch hashing must give exactly what hashing each gram's text gives ------------------------

def _gram_crcs(tokens: list[str], n: int) -> list[int]:
    grams = tokens if len(tokens) < n else [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return [zlib.crc32(g.encode()) for g in grams]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_batch_gram_hashes_are_the_crc32_of_each_grams_text(n):
    texts = [BASE, "Mưa to quá, đường Nguyễn Trãi ngập hết rồi, mọi người về nhà cẩn thận", "Hay", "",
             "Chúc mừng năm mới", "Sân Mỹ Đình đông nghịt người " + "ờ" * 40 + " xem " + "a" * 70 + " bóng"]
    token_lists = [masked_tokens(views(t).folded.text) for t in texts] + [["đường", "x" * 65, "phố"], []]
    flat, counts = shingle_batch(token_lists, n)
    assert counts.tolist() == [len(_gram_crcs(t, n)) for t in token_lists]
    assert flat.tolist() == [h for t in token_lists for h in _gram_crcs(t, n)]


def test_the_ascii_token_path_reads_tokens_as_the_pattern_does():
    # "#" is a token of its own, "_" and punctuation separate, digits are masked first
    text = "tuyen_ctv##luong 500k/ngay!! lh: a.b@c.vn, www.x.com hoac zalo 0912.345.678 #hot"
    assert masked_tokens(text) == _TOKEN.findall(_DIGITS.sub(" # ", _LINKISH.sub(" #link ", text)))
    assert masked_tokens("thu nhap 500k moi ngay") == ["thu", "nhap", "#", "k", "moi", "ngay"]


@pytest.mark.parametrize("text", ["Hôm nay online xem phim", "liên hệ zl nhé", "nhắn tg cho mình", "a.b", "gọi 09",
                                  "mail a@b", "vào line ngay", "không có gì cả", "za lo", "te le gram"])
def test_the_contact_gate_answers_as_its_pattern(text):
    folded = views(text).folded.text
    assert _maybe_contact(folded) == (_MAYBE_CONTACT.search(folded) is not None)


def test_entities_from_the_engines_links_and_contacts_equal_the_searched_ones():
    text = "Vào ngay https://bet88.vip/dk?ref=12 nhận 100k, STK 0123456789 Vietcombank, gọi 0912345678, zalo @abc_1"
    v = views(text)
    assert entities(v, find_links(v.nfc), find_contacts(v.nfc, v.folded)) == entities(v)
    assert entities(v, [], []) == ()  # given lists are trusted: nothing searched again


def test_a_full_vocabulary_starts_again_without_changing_a_hash(monkeypatch):
    import khien.campaigns.features as f
    token_lists = [masked_tokens(views(t).folded.text) for t in (BASE, "Mưa to quá, đường Nguyễn Trãi ngập hết rồi")]
    expected = [h for t in token_lists for h in _gram_crcs(t, 2)]
    monkeypatch.setattr(f, "_VOCAB", {})
    for size in (8, 20):  # smaller than one text's tokens (hashed without it), then than the batch's
        monkeypatch.setattr(f, "_CRC", np.zeros(size, dtype=np.uint32))
        monkeypatch.setattr(f, "_SPACED", np.zeros(size, dtype=np.uint32))
        monkeypatch.setattr(f, "_SIZE", np.zeros(size, dtype=np.int64))
        f._VOCAB.clear()
        for _ in range(3):
            assert shingle_batch(token_lists, 2)[0].tolist() == expected
