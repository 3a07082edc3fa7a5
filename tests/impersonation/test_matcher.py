"""Realistic Vietnamese look-alikes must be flagged; people, small shops and real subsidiaries must not."""

import pytest

from khien.impersonation.matcher import FLAG_THRESHOLD


def best(matches):
    return matches[0] if matches else None


@pytest.mark.parametrize(
    "name, entity, why",
    [
        ("Vietcombank CSKH", "vietcombank", "after removing the affix 'CSKH'"),
        ("CSKH Vietcombank - Hỗ Trợ 24/7", "vietcombank", "after removing the affixes"),
        ("Ngân hàng Vietcombank - Chăm sóc khách hàng", "vietcombank", "'Chăm sóc khách hàng'"),
        ("Viеtcombank Hỗ Trợ", "vietcombank", "Cyrillic 'е' in a Latin name"),
        ("V1etc0mbank Official", "vietcombank", "'0' written for the letter 'o'"),
        ("Vietcombamk Hỗ trợ vay vốn", "vietcombank", "one edit from 'Vietcombank'"),
        ("Vietcornbank", "vietcombank", "'rn' or 'vv'"),
        ("Hỗ Trợ Vay Vốn Techcombank Hà Nội", "techcombank", "after removing the affixes"),
        ("MB Bank CSKH", "mb", "after removing the affix 'CSKH'"),
        ("MoMo Hoàn Tiền", "momo", "'Hoàn Tiền'"),
        ("Ví MoMo - Tổng đài hỗ trợ", "momo", "after removing"),
        ("Bộ Công An - Phòng chống lừa đảo", "bocongan", "'Phòng chống lừa đảo'"),
        ("Ngân hàng Đầu tư và Phát triển Việt Nam - Giải ngân", "bidv", "'Giải ngân'"),
        ("Sơn Tùng M-TP Official", "sontung", "'Official'"),
        ("ZaIoPay Khuyến Mãi", "zalopay", "capital 'I'"),
    ],
)
def test_lookalike_names_are_flagged_with_the_reason(matcher, name, entity, why):
    m = best(matcher.name(name))
    assert m is not None and m.entity == entity, (name, m)
    assert m.score >= FLAG_THRESHOLD, (name, m.score)
    assert any(why in r.why for r in m.evidence), [r.why for r in m.evidence]


@pytest.mark.parametrize(
    "name",
    [
        "Vũ Thị Zalo Hồng",  # a person whose name contains a brand
        "Trà sữa Momo",  # a small shop
        "Momo Bakery Quận 3",
        "Tiệm nail Zalo Beauty",
        "Đoàn Thanh Niên xã Tân Hòa",
        "Tuổi trẻ tài cao Quận 7",
        "Nguyễn Thị Mai Anh",
        "Kim Bảo Ngọc",  # compact form contains 'mb'
        "Hội những người yêu Vietcombank",
        "Nguyễn Thanh Tùng",  # a namesake of a protected person, without any claim
        "Phòng khám Đa khoa Agri",
        "Sửa xe máy Bảo Châu",
    ],
)
def test_people_shops_and_fan_groups_are_not_flagged(matcher, name):
    m = best(matcher.name(name))
    assert m is None or m.score < FLAG_THRESHOLD, (name, m)


def test_short_names_need_more_than_containment(matcher):
    plain = best(matcher.name("Momo"))
    with_affix = best(matcher.name("Momo CSKH"))
    among_words = best(matcher.name("Trà sữa Momo"))
    assert among_words is None
    assert plain.score < FLAG_THRESHOLD <= with_affix.score


def test_full_official_name_matches_its_short_form_entity(matcher):
    m = best(matcher.name("Ngân hàng Đầu tư và Phát triển Việt Nam"))
    assert m.entity == "bidv"
    m = best(matcher.name("NGAN HANG TMCP NGOAI THUONG VIET NAM"))
    assert m.entity == "vietcombank"


def test_a_real_subsidiary_name_is_attributed_to_the_subsidiary(matcher):
    m = best(matcher.name("Chứng khoán Vietcombank"))
    assert m.entity == "vcbs"


@pytest.mark.parametrize(
    "handle, entity",
    [
        ("vietcombank.cskh", "vietcombank"),
        ("hotro_vcb24h", "vietcombank"),
        ("vietcombankhotro", "vietcombank"),
        ("momo_official", "momo"),
        ("cskh.mbbank.2024", "mb"),
        ("@sontung.mtp.official", "sontung"),
    ],
)
def test_lookalike_handles(matcher, handle, entity):
    m = best(matcher.handle(handle))
    assert m is not None and m.entity == entity and m.score >= FLAG_THRESHOLD, (handle, m)


@pytest.mark.parametrize("handle", ["vietcombank", "@VietcomBank", "vcbs.official", "sontungmtp"])
def test_official_handles_are_never_flagged(matcher, handle):
    assert matcher.handle(handle) == []


@pytest.mark.parametrize("handle", ["trasuamomo", "lan.momo99", "kimbao.88", "zalo.nguyen.hong"])
def test_ordinary_handles_are_not_flagged(matcher, handle):
    m = best(matcher.handle(handle))
    assert m is None or m.score < FLAG_THRESHOLD, (handle, m)


@pytest.mark.parametrize(
    "url, entity, why",
    [
        ("https://vietcombannk.com.vn/login", "vietcombank",
         "domain 'vietcombannk.com.vn' is one edit from official 'vietcombank.com.vn'"),
        ("vietcombak.com", "vietcombank", "one edit from official"),
        ("http://vay-vietcombank.biz", "vietcombank", "with the added words 'vay'"),
        ("https://agribank.com.vn.login-verify.xyz/otp", "agribank",
         "official domain 'agribank.com.vn' used as a subdomain of 'login-verify.xyz'"),
        ("acb.vn-banking.xyz", "acb", "as a subdomain of the lure host 'vn-banking.xyz'"),
        ("d-ienmayxanh.com", "dienmayxanh", "hyphens inside the brand"),
        ("cskh-dienmayxanh.com", "dienmayxanh", "with the added words 'cskh'"),
        ("vietcombank.xyz", "vietcombank", "cheap TLD '.xyz'"),
        ("vietcombаnk.com", "vietcombank", "Cyrillic 'а'"),
        ("http://xn--vietcombnk-6qi.com", "vietcombank", "internationalised domain"),
        ("vietnamairslines.com", "vietnamairlines", "one edit from official 'vietnamairlines.com'"),
        ("vaytheoluong-techcombank360.online", "techcombank", "techcombank"),
        ("vneid-capnhat.xyz", "vneid", "cheap TLD"),
    ],
)
def test_lookalike_domains(matcher, url, entity, why):
    m = best(matcher.link(url))
    assert m is not None and m.entity == entity, (url, m)
    assert m.score >= FLAG_THRESHOLD
    assert any(why in r.why for r in m.evidence), [r.why for r in m.evidence]


@pytest.mark.parametrize(
    "url",
    [
        "https://vietcombank.com.vn/vi/personal",
        "portal.vietcombank.com.vn",
        "https://vcbs.com.vn",  # a real subsidiary: contains 'vcb' but is official
        "mbs.com.vn",
        "https://tuoitre.vn/vietcombank-tang-lai-suat.htm",  # brand only in the path
        "https://zalo.me/0912345678",
        "https://bidvmetlife.com.vn",  # brand inside a different word: not enough
        "https://momotaro.jp",
        "https://google.com",
    ],
)
def test_official_and_unrelated_domains_are_not_flagged(matcher, url):
    m = best(matcher.link(url))
    assert m is None or m.score < FLAG_THRESHOLD, (url, m)


def test_account_combines_fields_and_skips_verified_and_official(matcher):
    fake = {"id": "1", "display_name": "Vietcombank CSKH", "handle": "vcb.hotro24h", "url": "vietcombank-xacthuc.top"}
    m = matcher.account(fake)
    assert m.entity == "vietcombank" and m.score > 0.95
    assert {r.field for r in m.evidence} == {"display_name", "handle", "url"}
    assert matcher.account({**fake, "verified": True}) is None
    assert matcher.account({**fake, "verified": True}, include_verified=True) is not None
    assert matcher.account({"display_name": "Vietcombank", "handle": "vietcombank"}) is None
    assert matcher.account({"display_name": "Nguyễn Văn Hùng", "handle": "hung.nguyen"}) is None


def test_two_weak_fields_do_not_add_up_to_a_flag(matcher):
    m = matcher.account({"display_name": "Hội những người yêu Vietcombank", "handle": "hoiyeuvietcombank"})
    assert m is None or m.score < FLAG_THRESHOLD


def test_avatar_close_to_the_logo_is_evidence(images):
    from khien.impersonation.avatars import hash_image
    from khien.impersonation.matcher import Matcher
    from khien.impersonation.registry import load_registry

    path = images / "reg.yaml"
    path.write_text("entities:\n  - id: vcb\n    kind: bank\n    names: [Vietcombank]\n    avatars: [vcb.png]\n")
    matcher = Matcher(load_registry(path))
    m = matcher.account({"display_name": "Ngân hàng số 24h", "avatar": "stolen.jpg"},
                        avatar_hash=hash_image(images / "stolen.jpg"))
    assert m is not None and m.entity == "vcb" and "avatar is" in m.evidence[0].why
    assert matcher.account({"display_name": "Mèo", "avatar": "cat.png"}, avatar_hash=hash_image(images / "cat.png")) is None


def test_packaged_registry_catches_the_domain_md_patterns(packaged):
    for url in ("vietcombak.com", "vieetcombank.com", "vietconbank.com", "vietinbamk.com",
                "vay-vietcombank.biz", "vaynhanh-techcombank.com", "dang-ky-tin-dung-mbbank.com",
                "vietinbank-ipay.com", "acb.vn-banking.xyz", "vietcombank2022.com", "vietcombank.fund",
                "techcombank.site", "agribanks.space", "vay-vietcombank.com.vn", "d-ienmayxanh.com",
                "cskh-dienmayxanh.com", "bamboairways.com.vn", "thegioididong.online",
                "dhl-chuyenphatnhanhquocte.com.vn"):
        m = best(packaged.link(url))
        assert m is not None and m.score >= FLAG_THRESHOLD, (url, m)
    for url in ("vietcombank.com.vn", "shopee.vn", "vnexpress.net", "dichvucong.gov.vn", "thanhnien.vn"):
        assert packaged.link(url) == []
