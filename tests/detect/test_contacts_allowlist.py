"""Official and allow-listed hosts are never scam cues in the contacts detector."""

from __future__ import annotations

import pytest

from khien.detect.base import Prepared
from khien.detect.contacts import ContactsDetector
from khien.detect.domains import load_domain_list
from khien.model import Item


@pytest.fixture(scope="module")
def detector():
    return ContactsDetector()


def link_flags(detector: ContactsDetector, text: str) -> dict[str, list[str]]:
    out = {}
    for s in detector.detect_one(Prepared(Item(id="t", text=text))):
        out.update({link["host"]: link["flags"] for link in s.details.get("links", [])})
    return out


def scam_tags(detector: ContactsDetector, text: str) -> set[str]:
    return {t for s in detector.detect_one(Prepared(Item(id="t", text=text))) if s.category == "scam" for t in s.tags}


OFFICIAL = [
    "khonggianmang.vn", "tinnhiemmang.vn", "momo.vn", "zalopay.vn", "vnpay.vn", "viettelmoney.vn", "shopeepay.vn",
    "vietcombank.com.vn", "techcombank.com", "hdbank.com.vn", "vib.com.vn", "lpbank.com.vn",
    "viettel.vn", "vinaphone.com.vn", "mobifone.vn", "vnpost.vn", "viettelpost.com.vn", "ghtk.vn", "ghn.vn",
    "jtexpress.vn", "dichvucong.gov.vn", "vneid.gov.vn", "csgt.vn", "chinhphu.vn",
]


@pytest.mark.parametrize("domain", OFFICIAL)
def test_the_packaged_allow_list_names_official_domains(domain):
    assert load_domain_list("packaged:allow_domains").match(domain) is not None


PROMOTIONS = [
    # genuine-style messages from the organisations themselves
    ("MoMo: Tặng bạn voucher 20.000đ khi thanh toán hoá đơn điện tháng này. Chi tiết tại https://momo.vn/uu-dai",
     "momo.vn"),
    ("ZaloPay: Nhập mã TET2025 giảm 30K khi nạp tiền điện thoại, thể lệ xem tại zalopay.vn/khuyen-mai",
     "zalopay.vn"),
    ("Cảnh báo: hãy tra cứu trang web đáng ngờ tại canhbao.khonggianmang.vn trước khi chuyển tiền",
     "canhbao.khonggianmang.vn"),
    ("Viettel Money hoàn 10% khi thanh toán học phí, chi tiết: viettelmoney.vn/hoc-phi", "viettelmoney.vn"),
    ("GHTK: đơn hàng S123 của bạn đang giao, theo dõi tại https://i.ghtk.vn/S123", "i.ghtk.vn"),
    ("Làm thủ tục cấp đổi căn cước trực tuyến tại dichvucong.bocongan.gov.vn nhé",
     "dichvucong.bocongan.gov.vn"),
]


@pytest.mark.parametrize("text,host", PROMOTIONS)
def test_links_to_official_hosts_and_their_subdomains_carry_no_cue(detector, text, host):
    assert link_flags(detector, text)[host] == ["allowlisted"]
    assert not scam_tags(detector, text) & {"cheap_tld", "shortener", "free_host", "idn", "blocklisted"}


def test_an_operator_allow_list_silences_tld_and_shortener_cues(tmp_path):
    allow = tmp_path / "allow.txt"
    allow.write_text("# cửa hàng của chính nền tảng\ncuahang-chinhhang.shop\nrutgon-noibo.ly\n", encoding="utf-8")
    d = ContactsDetector(allowlist=["packaged:allow_domains", str(allow)])
    text = "Săn sale tại khuyenmai.cuahang-chinhhang.shop hoặc link rút gọn rutgon-noibo.ly/abc nhé"
    assert set(map(tuple, link_flags(d, text).values())) == {("allowlisted",)}
    assert not scam_tags(d, text)
    # without it, the same text carries the cheap-TLD cue
    assert "cheap_tld" in scam_tags(ContactsDetector(), text)


def test_a_block_list_page_under_an_allow_listed_host_is_still_blocked(tmp_path):
    block = tmp_path / "block.txt"
    block.write_text("sites.google.com/view/nhan-qua-tri-an\nmomo.vn\n", encoding="utf-8")
    d = ContactsDetector(blocklist=[str(block)])
    text = "Nhận quà tri ân tại https://sites.google.com/view/nhan-qua-tri-an/form nhanh kẻo hết"
    flags = link_flags(d, text)
    assert flags["sites.google.com"] == ["allowlisted", "blocklisted"]
    # other pages of the same host, and an allow-listed host listed whole, stay allowed
    other_page = link_flags(d, "Tài liệu ôn thi ở https://sites.google.com/view/on-thi-lop-12")
    assert other_page["sites.google.com"] == ["allowlisted"]
    assert link_flags(d, "Thanh toán qua momo.vn nhé")["momo.vn"] == ["allowlisted"]
