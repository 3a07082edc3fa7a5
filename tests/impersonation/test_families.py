"""A protected name dressed in any service phrase is an impersonation; another identity is not.

The packaged registry against names, handles and domains written for these tests: a brand with
recruiting, news, ticket, complaint, support or other service words before or after it, joined
by spaces, hyphens, dots, underscores, camel case or nothing (positives), and people, shops,
fan and review pages, schools and official sites that merely contain a protected name (hard
negatives). A held-out set uses service words that are in none of the vocabulary tables, to
show that the families generalise beyond their lists.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from khien.impersonation.matcher import FLAG_THRESHOLD
from khien.impersonation.registry import load_registry
from khien.impersonation.vocabulary import fold, vocabulary


def _found(matcher, kind: str, value: str):
    return {"name": matcher.name, "handle": matcher.handle, "url": matcher.link}[kind](value)


def _flags(matcher, kind: str, value: str, entity: str | None = None) -> bool:
    found = _found(matcher, kind, value)
    return bool(found) and found[0].score >= FLAG_THRESHOLD and (entity is None or found[0].entity == entity)


POSITIVES = [
    # banks
    ("name", "Vietcombank Tuyển Dụng Nhân Viên 2026", "vietcombank"),
    ("name", "Techcombank - Tin Tức Lãi Suất", "techcombank"),
    ("name", "BIDV Tiếp Nhận Phản Ánh", "bidv"),
    ("name", "MB Bank Ưu Đãi Mở Thẻ", "mb"),
    ("name", "ACB Giải Quyết Khiếu Nại", "acb"),
    ("name", "VPBank Tuyển Cộng Tác Viên", "vpbank"),
    ("name", "TPBank Chăm Sóc Thẻ", "tpbank"),
    ("name", "Agribank Hoàn Tiền Tri Ân", "agribank"),
    ("name", "Sacombank Careers", "sacombank"),
    ("name", "VietinBank Customer Care Center", "vietinbank"),
    ("name", "Ngân hàng Á Châu - Tuyển dụng", "acb"),
    ("name", "TUYEN DUNG VIETCOMBANK", "vietcombank"),
    ("name", "Techcombank Rewards Program", "techcombank"),
    ("handle", "techcombank.tuyendung", "techcombank"),
    ("handle", "mbbank_hotrovay", "mb"),
    ("handle", "tuyen dung MB Bank", "mb"),
    # airlines
    ("name", "Vietnam Airlines Đặt Vé Giá Rẻ", "vietnamairlines"),
    ("name", "Vietjet Air Săn Vé 0 Đồng", "vietjet"),
    ("name", "Bamboo Airways Hoàn Vé Nhanh", "bamboo"),
    ("name", "Vé Máy Bay Vietnam Airlines Tết 2026", "vietnamairlines"),
    ("name", "Vietjet Flight Deals", "vietjet"),
    ("name", "Vietjet Refund Claims", "vietjet"),
    ("name", "Vietravel Airlines Booking Online", "vietravelairlines"),
    ("handle", "vietjetair.vegiare", "vietjet"),
    ("handle", "VietjetVeRe", "vietjet"),
    # newspapers and television
    ("name", "VTV24 Tin Nóng 24h", "vtv"),
    ("name", "VTV Tin Tức Mới Nhất", "vtv"),
    ("name", "Tuổi Trẻ Tin Nóng", "tuoitre"),
    ("name", "tin nong tuoi tre", "tuoitre"),
    ("name", "Báo Thanh Niên - Điểm Tin Sáng", "thanhnien"),
    ("name", "Dân Trí Tin Nhanh", "dantri"),
    ("name", "VnExpress Breaking News", "vnexpress"),
    ("name", "Tin nóng VnExpress 24h", "vnexpress"),
    ("name", "Zing News Giải Trí", "znews"),
    ("name", "VOV Thời Sự", "vov"),
    ("handle", "vtv24_tintuc", "vtv"),
    ("handle", "@VTV24TinNong", "vtv"),
    # e-commerce, wallets, couriers
    ("name", "Shopee Tuyển CTV Đóng Hàng", "shopee"),
    ("name", "Shopee Customer Support Team", "shopee"),
    ("name", "Tiếp Nhận Khiếu Nại Lazada", "lazada"),
    ("name", "Lazada Seller Center", "lazada"),
    ("name", "Tiki Hoàn Tiền Đơn Hàng", "tiki"),
    ("name", "Sendo Flash Sale", "sendo"),
    ("name", "MoMo Hoàn Tiền Tri Ân", "momo"),
    ("name", "Ví MoMo - Quà Tặng Sự Kiện", "momo"),
    ("name", "ZaloPay Tuyển Dụng", "zalopay"),
    ("name", "Giao Hàng Tiết Kiệm - Tra Cứu Đơn", "ghtk"),
    ("handle", "lazada.hoantien", "lazada"),
    # government
    ("name", "Bộ Công an - Tiếp nhận tố giác tội phạm", "bocongan"),
    ("name", "VNeID Hỗ Trợ Định Danh", "vneid"),
    ("name", "VNeID Cập Nhật Thông Tin", "vneid"),
    ("name", "Dịch vụ công - Hỗ trợ cập nhật hồ sơ", "dichvucong"),
    ("name", "Tổng cục Thuế - Hoàn Thuế Thu Nhập Cá Nhân", "thue"),
    ("name", "Bảo hiểm xã hội Việt Nam - Tra cứu trợ cấp", "bhxh"),
    ("name", "Cục Cảnh sát giao thông - Phạt nguội", "csgt"),
    ("name", "Tòa án nhân dân - Tiếp nhận đơn", "toaan"),
    ("handle", "bocongan.tocao", "bocongan"),
]

DOMAINS = [
    ("url", "vietcombank-tuyendung2026.com", "vietcombank"),
    ("url", "vietcombanktuyendung.com", "vietcombank"),
    ("url", "tuyendung-techcombank.net", "techcombank"),
    ("url", "mbbank-hoantien.online", "mb"),
    ("url", "acb-khieunai.com", "acb"),
    ("url", "agribank-giaingan.vn", "agribank"),
    ("url", "vietjet-vegiare.com", "vietjet"),
    ("url", "vietnamairlines-datve.net", "vietnamairlines"),
    ("url", "bambooairways-hoanve.com", "bamboo"),
    ("url", "vtv24-tinnong.net", "vtv"),
    ("url", "tintuc-vtv.com", "vtv"),
    ("url", "tuoitre-tinnhanh.com", "tuoitre"),
    ("url", "thanhnien-tinnong.net", "thanhnien"),
    ("url", "shopee-tuyenctv.com", "shopee"),
    ("url", "shopee-khieunai-hotro.com", "shopee"),
    ("url", "lazada-khieunai.vn", "lazada"),
    ("url", "tiki-hoantien.shop", "tiki"),
    ("url", "momo-quatang.com", "momo"),
    ("url", "zalopay-sukien.com", "zalopay"),
    ("url", "hotro-vnpay.net", "vnpay"),
    ("url", "bocongan-tocao.com", "bocongan"),
    ("url", "vneid-capnhat.com", "vneid"),
    ("url", "congan-vneid.online", "vneid"),
    ("url", "dichvucong-capnhathoso.com", "dichvucong"),
    ("url", "dichvucong-bocongan.online", "dichvucong-bocongan"),
    ("url", "baohiemxahoi-tracuu.com", "bhxh"),
    ("url", "csgt-phatnguoi.com", "csgt"),
    ("url", "evn-thanhtoan.com", "evn"),
    ("url", "ghn-tracuudon.com", "ghn"),
]

NEGATIVES = [
    # people, with or without a protected name in theirs
    ("name", "Nguyễn Thị Mai Anh"),
    ("name", "Lê Văn Tín"),
    ("name", "Nguyễn Tiến Dũng"),
    ("name", "Trần Công An"),
    ("name", "Hà Minh Công An"),
    ("name", "Phan Anh Minh Minh"),
    ("name", "Kim Bảo Ngọc"),
    ("name", "Vũ Thị Zalo Hồng"),
    ("name", "Hương Vietcombank"),
    ("name", "Chị Lan Techcombank"),
    ("name", "Anh Tuấn Vietjet"),
    ("name", "Bích Ngọc ACB Shop"),
    ("name", "Vũ VNPay"),  # one edit from "Ví VNPay", but in a word, not a misspelling
    # shops and small businesses
    ("name", "Tiệm bánh MoMo Quận 3"),
    ("name", "Momo Bakery"),
    ("name", "Phở Thanh Niên"),
    ("name", "Cà phê Tuổi Trẻ"),
    ("name", "Quán Nhậu VTV"),
    ("name", "Shop Mẹ Bỉm Shopee"),
    ("name", "Sendo Kids Store"),
    ("name", "Tài xế Grab Thủ Đức"),
    ("name", "Shipper Shopee Quận 7"),
    ("name", "Grab & Go Coffee"),
    ("name", "Cốc Cốc Cà Phê Sữa"),
    # communities, reviews and critics talking about a brand
    ("name", "Hội những người yêu Vietnam Airlines"),
    ("name", "Cộng đồng Shopee Việt Nam"),
    ("name", "Review Lazada Chuẩn"),
    ("name", "Kinh nghiệm săn vé Vietjet"),
    ("name", "Anti Vietcombank"),
    ("name", "Tẩy chay Shopee"),
    ("name", "Fan Club VTV"),
    ("name", "Tiki Taka FC"),
    ("name", "Hỏi đáp về Dịch vụ công"),
    ("name", "Góc chia sẻ về VNeID"),
    # everyday names among everyday words, and schools
    ("name", "Tuổi trẻ tài cao"),
    ("name", "Thanh niên tình nguyện xã Hòa Bình"),
    ("name", "Đoàn Thanh Niên xã Tân Hòa"),
    ("name", "Dân trí Việt Nam phát triển"),
    ("name", "Trường THPT Thanh Niên"),
    # handles
    ("handle", "lan.momo99"),
    ("handle", "kimbao.88"),
    ("handle", "trasuamomo"),
    ("handle", "tuoitre_taicao"),
    ("handle", "hoangzalo"),
    ("handle", "momotaro"),
    ("handle", "lananh.momo"),
    ("handle", "vuvnpay8"),
    # official sites and their subdomains, and unrelated ones
    ("url", "careers.vietcombank.com.vn"),
    ("url", "tuyendung.vietjetair.com"),
    ("url", "tinnong.vtv.vn"),
    ("url", "dichvucong.bocongan.gov.vn"),
    ("url", "https://shopee.vn/buyer/login"),
    ("url", "tuyendung.vn"),
    ("url", "vemaybaygiare.com"),
    ("url", "bidvmetlife.com.vn"),
    ("url", "momotaro.jp"),
    ("url", "tiki-taka.net"),
    ("url", "lananh-momo.com"),
    ("url", "quocbinh88.com"),
    ("url", "thanhnien-tinhnguyen.org"),
]


@pytest.mark.parametrize("kind, value, entity", POSITIVES + DOMAINS)
def test_a_protected_name_with_a_service_phrase_is_flagged(packaged, kind, value, entity):
    found = _found(packaged, kind, value)
    assert found and found[0].entity == entity and found[0].score >= FLAG_THRESHOLD, (value, found[:2])
    why = " ".join(r.why for r in found[0].evidence)
    assert re.search(r"after removing the affix|with the added words|official host", why), why


@pytest.mark.parametrize("kind, value", NEGATIVES)
def test_another_identity_containing_a_protected_name_is_not_flagged(packaged, kind, value):
    found = _found(packaged, kind, value)
    assert not found or found[0].score < FLAG_THRESHOLD, (value, found[:2])


def test_the_sets_are_large_and_precision_and_recall_hold(packaged):
    positives = POSITIVES + DOMAINS
    assert len(POSITIVES) >= 40 and len(DOMAINS) >= 20 and len(NEGATIVES) >= 40
    true_pos = sum(_flags(packaged, k, v, e) for k, v, e in positives)
    false_pos = sum(_flags(packaged, k, v) for k, v in NEGATIVES)
    assert true_pos / len(positives) >= 0.95
    assert true_pos / (true_pos + false_pos) >= 0.95


def test_the_reason_names_the_families(packaged):
    (m, *_) = packaged.name("Vietcombank Tuyển Dụng 2026")
    assert "after removing the affixes 'Tuyển Dụng', '2026' (recruitment, number words)" in m.evidence[0].why
    (m, *_) = packaged.name("Bích Ngọc ACB Shop") or [None]
    assert m is None or any("person's name" in r.why for r in m.evidence)
    (m, *_) = packaged.name("Hội những người yêu Vietnam Airlines")
    assert any("community" in r.why for r in m.evidence)


# -- held out: service words that no vocabulary table has ---------------------------------------

# (field, value, entity, the service words as a Vietnamese or English speaker would write them)
HELD_OUT = [
    ("name", "Vietcombank Học Bổng Du Học", "vietcombank", "học bổng du học"),
    ("name", "Techcombank Quỹ Hưu Trí", "techcombank", "quỹ hưu trí"),
    ("name", "MB Bank Đổi Ngoại Tệ", "mb", "đổi ngoại tệ"),
    ("name", "ACB Bốc Thăm Trúng Xe", "acb", "bốc thăm trúng xe"),
    ("name", "Sacombank Vàng Miếng", "sacombank", "vàng miếng"),
    ("name", "Agribank Ủng Hộ Lũ Lụt", "agribank", "ủng hộ lũ lụt"),
    ("name", "Vietnam Airlines Suất Ăn Chay", "vietnamairlines", "suất ăn chay"),
    ("name", "Vietjet Mở Bán Chặng Mới", "vietjet", "mở bán chặng mới"),
    ("name", "VnExpress Bình Luận Sâu", "vnexpress", "bình luận sâu"),
    ("name", "Zing News Chuyện Lạ", "znews", "chuyện lạ"),
    ("name", "VTV Phim Truyện Hay", "vtv", "phim truyện hay"),
    ("name", "Shopee Dọn Kho Cuối Mùa", "shopee", "dọn kho cuối mùa"),
    ("name", "Lazada Đền Ơn Khách Quen", "lazada", "đền ơn khách quen"),
    ("name", "Tiki Giao Trong Ngày", "tiki", "giao trong ngày"),
    ("name", "MoMo Lì Xì Đầu Năm", "momo", "lì xì đầu năm"),
    ("name", "ZaloPay Quét Mã Nhận Lộc", "zalopay", "quét mã nhận lộc"),
    ("name", "Bộ Công an - Truy Tìm Đối Tượng", "bocongan", "truy tìm đối tượng"),
    ("name", "VNeID Nâng Cấp Mức Hai", "vneid", "nâng cấp mức hai"),
    ("name", "Cục Cảnh sát giao thông - Trừ Điểm Bằng Lái", "csgt", "trừ điểm bằng lái"),
    ("name", "Tổng cục Thuế Miễn Giảm Lệ Phí", "thue", "miễn giảm lệ phí"),
    ("name", "Vietcombank Onboarding", "vietcombank", "onboarding"),
    ("name", "Techcombank Wealth Advisory", "techcombank", "wealth advisory"),  # known miss: see below
    ("name", "Lazada Fulfillment Operations", "lazada", "fulfillment operations"),
    ("name", "Vietjet Reservations", "vietjet", "reservations"),
    ("name", "Vietnam Airlines Cancellations", "vietnamairlines", "cancellations"),
    ("name", "MB Bank Settlements", "mb", "settlements"),
    ("name", "Agribank Remittance", "agribank", "remittance"),
    ("name", "VTV Streaming", "vtv", "streaming"),
    ("handle", "vietcombank.hocbong", "vietcombank", "học bổng"),
    ("handle", "shopee_donkho", "shopee", "dọn kho"),
    ("handle", "VietjetChangMoi", "vietjet", "chặng mới"),
    ("url", "vietcombank-hocbong.com", "vietcombank", "học bổng"),
    ("url", "shopee-donkho.net", "shopee", "dọn kho"),
    ("url", "vietjet-changmoi.com", "vietjet", "chặng mới"),
    ("url", "techcombank-huutri.online", "techcombank", "hưu trí"),
    ("url", "tiki-giaotrongngay.com", "tiki", "giao trong ngày"),
    ("url", "vnexpress-binhluan.net", "vnexpress", "bình luận"),
    ("url", "zalopay-lixi.com", "zalopay", "lì xì"),
    ("url", "agribank-ungholulut.vn", "agribank", "ủng hộ lũ lụt"),
    ("url", "bocongan-truytim.com", "bocongan", "truy tìm"),
]
# Everyday names among new everyday words stay unflagged: the families are needed for them.
HELD_OUT_NEGATIVES = [
    ("name", "Tuổi trẻ rực rỡ", "rực rỡ"),
    ("name", "Thanh niên khởi nghiệp", "khởi nghiệp"),
    ("name", "Dân trí nâng cao", "nâng cao"),
    ("name", "Điện lực gió Bạc Liêu", "gió"),
    ("name", "Cốc Cốc Rang Xay", "rang xay"),
    ("name", "Bách hóa xanh mát", "mát"),
    ("handle", "tuoitre.rucro", "rực rỡ"),
    ("url", "thanhnien-khoinghiep.org", "khởi nghiệp"),
]


def _in_vocabulary(words: str, *, folded_too: bool) -> list[str]:
    """Runs of ``words`` that some vocabulary table has, as written (and folded, for handles and
    domains, which are matched without diacritics)."""
    voc = vocabulary()
    written = unicodedata.normalize("NFC", words.lower()).split()
    hits = []
    for i in range(len(written)):
        for k in range(1, len(written) - i + 1):
            run = tuple(written[i:i + k])
            folded = tuple(fold(w) for w in run)
            entries = voc.phrases.get(folded, [])
            if any(e.written == run for e in entries) or (folded_too and (entries or voc.contains("".join(folded)))):
                hits.append(" ".join(run))
    return hits


def test_held_out_words_are_in_no_vocabulary_table():
    for kind, _, _, words in HELD_OUT:
        assert _in_vocabulary(words, folded_too=kind != "name") == [], words
    for kind, _, words in HELD_OUT_NEGATIVES:
        assert _in_vocabulary(words, folded_too=kind != "name") == [], words


def test_the_families_generalise_to_held_out_service_words(packaged):
    caught = [value for kind, value, entity, _ in HELD_OUT if _flags(packaged, kind, value, entity)]
    # One known miss: "Wealth Advisory" — an English word without a productive suffix ("wealth")
    # reads as another name; English is recognised by its table and morphology only.
    assert len(caught) / len(HELD_OUT) >= 0.95, sorted({v for _, v, _, _ in HELD_OUT} - set(caught))
    assert not any(_flags(packaged, kind, value) for kind, value, _ in HELD_OUT_NEGATIVES)


# -- official domains and accounts ----------------------------------------------------------------

def _official_hosts():
    registry = load_registry("packaged:default")
    for entity in registry.entities:
        for domain in entity.domains:
            for host in (domain, "www." + domain, "m." + domain, "tuyendung." + domain, "hotro-khachhang." + domain,
                         "cskh.tin-nong." + domain):
                yield entity.id, host


def test_no_official_domain_or_subdomain_of_the_registry_is_flagged(packaged):
    hosts = list(_official_hosts())
    assert len(hosts) > 6 * 90
    for entity, host in hosts:
        for url in (host, f"https://{host}/tuyen-dung?id=1", f"http://{host.upper()}/"):
            assert packaged.link(url) == [], (entity, url)
            assert packaged.account({"url": url}) is None, (entity, url)


def test_verified_and_official_accounts_are_never_matched(matcher):
    for name in ("Vietcombank Tuyển Dụng 2026", "Vietcombank Tin Nóng", "VCB - Tiếp nhận khiếu nại"):
        assert matcher.account({"display_name": name, "verified": True}) is None
        assert matcher.account({"display_name": name, "handle": "vietcombank"}) is None
        assert matcher.account({"display_name": name}) is not None
