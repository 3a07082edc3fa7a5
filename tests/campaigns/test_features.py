"""What the detector reads from a post: shingles over the folded view with contacts masked."""

from __future__ import annotations

import numpy as np
import pytest

from khien.campaigns.features import features, fold_phrases

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
