"""Block and allow lists in the formats real feeds publish, and what happens to the lines they cannot use."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import pytest
import yaml

from khien.detect.base import Prepared
from khien.detect.contacts import ContactsDetector
from khien.detect.domains import DomainList, load_domain_list
from khien.errors import InputError
from khien.model import Item

FEED = """\
# Danh sách thử nghiệm, tên miền do dự án tự đặt
lua-dao-thu.xyz
ngan-hang-gia.top/dang-nhap
https://Giao-Hang-Nhanh-VN.click/theo-doi?ma=VN123
http://vi-dien-tu-tang-qua.online
hxxps://nhan-qua-tet[.]shop/quay-so
0.0.0.0 cskh-vi-dien-tu.site
127.0.0.1 tra-thuong.vip tra-thuong-2.vip   # hai tên trên một dòng
*.quay-so-trung-thuong.fun
www.Sieu-Giam-Gia.store
quàtặngtết.vn
xn--uith-goa9yj2bv16m.com
203.0.113.77

đây không phải tên miền
10.20.0.0/16
localhost
"""


@pytest.fixture()
def feed(tmp_path):
    path = tmp_path / "danh-sach.txt"
    path.write_text(FEED, encoding="utf-8")
    return load_domain_list(path)


def test_every_published_format_loads_and_matches(feed):
    assert feed.match("lua-dao-thu.xyz") and feed.match("m.lua-dao-thu.xyz")
    assert feed.match("giao-hang-nhanh-vn.click", "/theo-doi?ma=VN123")
    assert feed.match("vi-dien-tu-tang-qua.online", "/bat-ky")
    assert feed.match("nhan-qua-tet.shop", "/quay-so/buoc-2")
    assert feed.match("cskh-vi-dien-tu.site") and feed.match("tra-thuong.vip") and feed.match("tra-thuong-2.vip")
    assert feed.match("sieu-giam-gia.store") and feed.match("www.sieu-giam-gia.store")
    assert feed.match("203.0.113.77") and not feed.match("203.0.113.78")
    assert not feed.match("vietcombank.com.vn")


def test_a_path_entry_matches_only_that_path_on_that_host(feed):
    assert feed.match("ngan-hang-gia.top", "/dang-nhap")
    assert feed.match("ngan-hang-gia.top", "/dang-nhap/otp?buoc=2")
    assert feed.match("ngan-hang-gia.top", "/Dang-Nhap")
    assert not feed.match("ngan-hang-gia.top", "/dang-nhap-2")
    assert not feed.match("ngan-hang-gia.top", "/tin-tuc")
    assert not feed.match("ngan-hang-gia.top")
    assert not feed.match("cdn.ngan-hang-gia.top", "/dang-nhap")
    # a query in the entry must be in the link
    assert feed.match("giao-hang-nhanh-vn.click", "/theo-doi?ma=VN123&lang=vi")
    assert not feed.match("giao-hang-nhanh-vn.click", "/theo-doi?ma=VN999")


def test_a_wildcard_matches_subdomains_only(feed):
    assert feed.match("nhan.quay-so-trung-thuong.fun")
    assert feed.match("a.b.quay-so-trung-thuong.fun")
    assert not feed.match("quay-so-trung-thuong.fun")


def test_idn_and_punycode_are_one_entry(feed):
    assert feed.match("quàtặngtết.vn") and feed.match("xn--qutngtt-9va6689dnca.vn")
    assert feed.match("www.xn--qutngtt-9va6689dnca.vn")
    assert feed.match("ưuđãithẻ.com") and feed.match("xn--uith-goa9yj2bv16m.com")
    assert feed.match("QUÀTẶNGTẾT.VN")


def test_unusable_lines_are_skipped_and_reported_with_line_numbers(feed):
    assert feed.skipped_count == 3
    assert [(s.line, s.text) for s in feed.skipped] == [
        (15, "đây không phải tên miền"), (16, "10.20.0.0/16"), (17, "localhost")]
    assert "IP range" in feed.skipped[1].reason and "single-label" in feed.skipped[2].reason
    message = feed.describe_skips()
    assert "skipped 3" in message and "line 17" in message and "danh-sach.txt" in message


def test_only_the_first_few_skips_are_kept_but_all_are_counted():
    lines = [f"rác số {i}" for i in range(40)] + ["lua-dao-thu.xyz"]
    d = DomainList(lines, "nhieu-rac")
    assert d.skipped_count == 40 and len(d.skipped) == 5 and d.match("lua-dao-thu.xyz")
    assert "and 35 more" in d.describe_skips()


def test_merged_lists_keep_their_entries_and_skips(feed):
    merged = load_domain_list("packaged:block_domains") | feed
    assert merged.match("vn-banking.xyz") and merged.match("ngan-hang-gia.top", "/dang-nhap")
    assert merged.skipped_count == 3


def test_the_packaged_lists_have_no_unusable_lines():
    for name in ("block_domains", "allow_domains"):
        assert load_domain_list(f"packaged:{name}").skipped_count == 0, name


def test_an_unreadable_list_is_still_an_error(tmp_path):
    with pytest.raises(InputError):
        load_domain_list(tmp_path / "khong-co.txt")


def flags_of(detector: ContactsDetector, text: str) -> list[list[str]]:
    out = []
    for s in detector.detect_one(Prepared(Item(id="t", text=text))):
        out.extend(link["flags"] for link in s.details.get("links", []))
    return out


def test_the_detector_flags_links_under_path_entries(tmp_path):
    path = tmp_path / "ds.txt"
    path.write_text(FEED, encoding="utf-8")
    detector = ContactsDetector(blocklist=[str(path)])
    assert detector.list_warnings and "skipped 3" in detector.list_warnings[0]
    hit = flags_of(detector, "Tài khoản của bạn bị khoá, đăng nhập https://ngan-hang-gia.top/dang-nhap?id=7 để mở lại")
    assert "blocklisted" in hit[0]
    miss = flags_of(detector, "Tin tức mới trên ngan-hang-gia.top/tin-tuc/bai-1 đây")
    assert "blocklisted" not in miss[0] and "cheap_tld" in miss[0]
    assert "blocklisted" in flags_of(detector, "Vào quàtặngtết.vn nhận lì xì")[0]


def _policy_with_list(tmp_path, list_path):
    doc = yaml.safe_load(resources.files("khien.data").joinpath("policy.yaml").read_text("utf-8"))
    doc["detectors"]["contacts.v1"] = {"blocklist": ["packaged:block_domains", str(list_path)]}
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return policy


def test_scan_warns_about_skipped_lines_instead_of_failing(tmp_path):
    feed = tmp_path / "danh-sach.txt"
    feed.write_text(FEED, encoding="utf-8")
    policy = _policy_with_list(tmp_path, feed)
    posts = tmp_path / "posts.jsonl"
    post = {"id": "p1", "text": "Nhận quà tết tại ngan-hang-gia.top/dang-nhap ngay hôm nay"}
    posts.write_text(json.dumps(post, ensure_ascii=False) + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "khien", "scan", str(posts), "-p", str(policy), "-q", "--workers", "1"]
    res = subprocess.run(cmd, capture_output=True, timeout=300)
    err = res.stderr.decode()
    assert res.returncode == 0, err
    assert err.count("warning:") == 1 and "skipped 3" in err and "line 16" in err and "10.20.0.0/16" in err
    assert "link:blocklisted" in res.stdout.decode()
