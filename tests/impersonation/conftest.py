from __future__ import annotations

from pathlib import Path

import pytest

from khien.impersonation.matcher import Matcher
from khien.impersonation.registry import entities_from, load_registry

# A registry like one a platform would write: banks and their real subsidiaries, an e-wallet
# with a short name, a newspaper with an everyday name, a person, a public service.
ENTITIES = [
    {"id": "vietcombank", "kind": "bank", "names": ["Vietcombank", "Ngân hàng TMCP Ngoại thương Việt Nam", "VCB"],
     "handles": ["vietcombank"], "domains": ["vietcombank.com.vn"]},
    {"id": "vcbs", "kind": "company", "parent": "vietcombank",
     "names": ["VCBS", "Chứng khoán Vietcombank"], "handles": ["vcbs.official"], "domains": ["vcbs.com.vn"]},
    {"id": "bidv", "kind": "bank",
     "names": ["BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam", "Ngân hàng Đầu tư và Phát triển Việt Nam"],
     "domains": ["bidv.com.vn"]},
    {"id": "agribank", "kind": "bank", "names": ["Agribank"], "domains": ["agribank.com.vn"]},
    {"id": "acb", "kind": "bank", "names": ["ACB", "Ngân hàng TMCP Á Châu"], "domains": ["acb.com.vn"]},
    {"id": "mb", "kind": "bank", "names": ["MB", "MB Bank", "MBBank"], "domains": ["mbbank.com.vn"]},
    {"id": "mbs", "kind": "company", "parent": "mb", "names": ["MBS", "Chứng khoán MB"], "domains": ["mbs.com.vn"]},
    {"id": "techcombank", "kind": "bank", "names": ["Techcombank"], "domains": ["techcombank.com"]},
    {"id": "momo", "kind": "company", "names": ["MoMo", "Ví MoMo"], "domains": ["momo.vn"]},
    {"id": "zalo", "kind": "company", "names": ["Zalo"], "domains": ["zalo.me"]},
    {"id": "zalopay", "kind": "company", "names": ["ZaloPay"], "domains": ["zalopay.vn"]},
    {"id": "tuoitre", "kind": "media", "names": ["Tuổi Trẻ", "Báo Tuổi Trẻ"], "domains": ["tuoitre.vn"]},
    {"id": "dienmayxanh", "kind": "company", "names": ["Điện Máy Xanh"], "domains": ["dienmayxanh.com"]},
    {"id": "vietnamairlines", "kind": "company", "names": ["Vietnam Airlines"], "domains": ["vietnamairlines.com"]},
    {"id": "bocongan", "kind": "government", "names": ["Bộ Công an"], "domains": ["bocongan.gov.vn"]},
    {"id": "vneid", "kind": "government", "names": ["VNeID"], "domains": ["vneid.gov.vn"]},
    {"id": "sontung", "kind": "person", "names": ["Sơn Tùng M-TP", "Nguyễn Thanh Tùng"], "handles": ["sontungmtp"]},
]


@pytest.fixture(scope="session")
def registry():
    return entities_from(ENTITIES)


@pytest.fixture(scope="session")
def matcher(registry):
    return Matcher(registry)


@pytest.fixture(scope="session")
def packaged():
    return Matcher(load_registry("packaged:default"))


@pytest.fixture()
def images(tmp_path: Path) -> Path:
    from PIL import Image, ImageDraw

    logo = Image.new("RGB", (128, 128), "white")
    draw = ImageDraw.Draw(logo)
    draw.rectangle([10, 10, 118, 60], fill=(0, 120, 60))
    draw.ellipse([30, 70, 100, 120], fill=(200, 30, 30))
    logo.save(tmp_path / "vcb.png")
    logo.resize((90, 90)).save(tmp_path / "stolen.jpg", quality=60)
    other = Image.new("RGB", (128, 128), "white")
    ImageDraw.Draw(other).polygon([(0, 128), (64, 0), (128, 128)], fill=(20, 20, 200))
    other.save(tmp_path / "cat.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    return tmp_path
