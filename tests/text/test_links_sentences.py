"""Link finding when a full stop lost its space: no invented domains, real links intact."""

from __future__ import annotations

import pytest

from khien.detect.base import Prepared
from khien.detect.contacts import ContactsDetector
from khien.model import Item
from khien.text.links import find_links
from khien.text.views import views


def links(text: str) -> list[tuple[str, str]]:
    return [(link.text, link.domain.host) for link in find_links(views(text).nfc)]


@pytest.fixture(scope="module")
def contacts():
    return ContactsDetector()


def contact_tags(detector: ContactsDetector, text: str) -> set[str]:
    return {t for s in detector.detect_one(Prepared(Item(id="t", text=text))) for t in s.tags}


RUN_TOGETHER = [
    "Mình đi làm rồi.Online lúc 8h nhé, có gì nhắn sau",
    "Hết hàng rồi.Shop nghỉ tết đến mùng 6 mới mở lại",
    "Đợi mình xong việc.Click vào đây mà xem ảnh cưới của tụi mình",
    "Nhà mình ở cuối hẻm, cạnh quán phở đây.Top 1 bún bò khu này luôn",
    "Đã gửi.Live lúc 9h tối nay nha cả nhà",
    "Về quê.Store đóng cửa từ 25 tháng chạp",
    "Xong.Click tiếp vào mục tiếp theo là được",
    "Thôi ngủ đây.online sau nhé",  # no capital either: one accented syllable is never a domain name
    "Mai mình inbox.Shop vẫn bán bình thường",
]


@pytest.mark.parametrize("text", RUN_TOGETHER)
def test_a_missing_space_after_a_full_stop_is_not_a_link(text, contacts):
    assert links(text) == []
    assert "cheap_tld" not in contact_tags(contacts, text)


REAL_LINKS = [
    ("Tài khoản bị khoá, xác minh ngay tại vcb-xacthuc.online", "vcb-xacthuc.online"),
    ("Mở http://abc.Online/x để nhận quà", "abc.online"),
    ("Ghé www.Shop.vn xem hàng mới", "shop.vn"),
    ("Giao dịch chỉ trên Vietcombank.com.vn", "vietcombank.com.vn"),
    ("Tránh xa abc[.]top nha mọi người", "abc.top"),
    ("Link lừa: hxxps://x.y.click/a đừng bấm", "x.y.click"),
    ("Trình duyệt cốccốc.vn là trang giả", "cốccốc.vn"),
    ("Vào nhanh mo-khoa-tk.Online để mở khoá", "mo-khoa-tk.online"),  # a made-up name stays a link
    ("Trang chính thức VIETCOMBANK.COM.VN", "vietcombank.com.vn"),
    ("Đặt vé trên Vietnamairlines.Com.Vn nhé", "vietnamairlines.com.vn"),
]


@pytest.mark.parametrize("text,host", REAL_LINKS)
def test_real_links_are_still_found(text, host):
    assert host in [h for _, h in links(text)]


def test_a_cheap_tld_link_still_raises_its_cue(contacts):
    assert "cheap_tld" in contact_tags(contacts, "Nhận thưởng tại vcb-xacthuc.online trước 12h")
    assert "cheap_tld" in contact_tags(contacts, "Bấm hxxps://x.y.click/a để nhận quà")


def test_a_link_ends_before_the_next_sentence_that_lost_its_space():
    assert links("Ưu đãi tại momo.vn.Chúc bạn một ngày vui") == [("momo.vn", "momo.vn")]
    assert links("Đăng nhập vcb-xacthuc.online.Nhanh tay kẻo khoá") == [
        ("vcb-xacthuc.online", "vcb-xacthuc.online")]
    # ".click" is a TLD, but only the last label is capitalised: the link is the host before it
    assert links("Truy cập nhan-qua.xyz.Click ngay") == [("nhan-qua.xyz", "nhan-qua.xyz")]
    assert links("Voucher 50k tại momo.vn/uu-dai.Chi tiết xem app") == [("momo.vn/uu-dai", "momo.vn")]


def test_file_extensions_after_a_path_are_kept():
    assert links("Tải về vneid-moi.xyz/cai-dat.Apk để cập nhật") == [
        ("vneid-moi.xyz/cai-dat.Apk", "vneid-moi.xyz")]
    assert links("Xem hướng dẫn https://tin-tuc.vn/bai-viet.html nhé")[0][0] == "https://tin-tuc.vn/bai-viet.html"


def test_link_path_is_what_follows_the_host():
    found = find_links(views("Mở https://Giao-Hang.top:8443/theo-doi?ma=VN123 và www.Shop.vn").nfc)
    assert [link.path for link in found] == ["/theo-doi?ma=VN123", ""]
