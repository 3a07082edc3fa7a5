"""The impersonation detector inside the engine and ``khien scan``."""

from __future__ import annotations

import json

import pytest
import yaml

from khien.detect.base import Prepared
from khien.detect.impersonation import ImpersonationDetector
from khien.engine import Engine
from khien.errors import DetectorError
from khien.model import Item

RULES = [
    {"id": "impersonation.confident", "description": "An account or link that clearly imitates a protected entity.",
     "category": "impersonation", "action": "remove", "when": {"category": "impersonation", "min_score": 0.8}},
    {"id": "impersonation.suspected", "description": "A possible imitation of a protected entity; a moderator decides.",
     "category": "impersonation", "action": "review", "when": {"category": "impersonation", "min_score": 0.6}},
]


@pytest.fixture(scope="module")
def detector():
    return ImpersonationDetector()


def signals(detector, text, author=None):
    item = Item.from_dict({"id": "p", "text": text, **({"author": author} if author else {})})
    return detector.detect_batch([Prepared(item)])[0]


def test_link_evidence_points_into_the_original_text(detector):
    text = "Tài khoản của quý khách bị tạm khóa, xác thực tại hxxps://vietcombank-xacthuc[.]xyz/otp ngay"
    (sig,) = [s for s in signals(detector, text) if "entity_claim" not in s.tags]
    assert sig.category == "impersonation" and sig.detector == "impersonation.v1" and sig.score >= 0.9
    assert sig.details["entity"] == "vietcombank" and sig.details["matcher"] == "registry-match.v2"
    (ev,) = sig.evidence
    assert text[ev.start:ev.end] == ev.text and "vietcombank-xacthuc" in ev.text
    assert {"link", "cheap_tld"} <= sig.tags


def test_author_evidence_names_the_field(detector):
    (sig,) = signals(detector, "Chúc mừng quý khách nhận quà tri ân!",
                     {"display_name": "Vietcombank - Chăm sóc khách hàng", "handle": "vcb.cskh24h"})
    fields = {e.field for e in sig.evidence}
    assert fields == {"author.display_name", "author.handle"}
    assert "author" in sig.tags and sig.score >= 0.9
    assert any("Chăm sóc khách hàng" in why for why in sig.details["why"])


def test_verified_authors_official_links_and_plain_posts_give_nothing(detector):
    assert signals(detector, "Lịch nghỉ Tết", {"display_name": "Vietcombank", "verified": True}) == []
    official = signals(detector, "Xem tại https://vietcombank.com.vn/vi/khuyen-mai và https://vnexpress.net")
    # Naming a protected organisation is only a weak claim (for rules that combine it with scam cues).
    assert official and all(s.tags == frozenset({"entity_claim"}) and s.score < 0.6 for s in official)
    assert signals(detector, "Hôm nay trời đẹp quá, đi cà phê thôi") == []
    assert signals(detector, "Trà sữa giảm giá", {"display_name": "Trà sữa Momo", "handle": "trasuamomo"}) == []


def test_author_and_link_for_the_same_entity_corroborate(detector):
    only_link = max(s.score for s in signals(detector, "Vay nhanh tại vay-techcombank.com"))
    both = max(signals(detector, "Vay nhanh tại vay-techcombank.com", {"display_name": "Techcombank Hỗ Trợ Vay"}),
               key=lambda s: s.score)
    assert both.score > only_link
    assert {e.field for e in both.evidence} == {"text", "author.display_name"}


def test_bad_registry_config_is_a_detector_error(tmp_path):
    with pytest.raises(DetectorError, match="duplicate id"):
        path = tmp_path / "r.yaml"
        path.write_text("entities:\n  - id: a\n    names: [Abank]\n  - id: a\n    names: [Bbank]\n")
        ImpersonationDetector(registry=str(path))
    with pytest.raises(DetectorError, match="min_score"):
        ImpersonationDetector(min_score=3)


def policy_with_rules(tmp_path, registry="packaged:default"):
    from importlib import resources

    doc = yaml.safe_load(resources.files("khien.data").joinpath("policy.yaml").read_text(encoding="utf-8"))
    doc["detectors"]["impersonation.v1"] = {"registry": registry}
    ids = {r["id"] for r in RULES}
    doc["rules"] = [r for r in doc.get("rules") or [] if r["id"] not in ids] + RULES
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_engine_decides_on_impersonation(tmp_path):
    engine = Engine.from_policy(policy_with_rules(tmp_path))
    fake = Item.from_dict({"id": "1", "text": "Cập nhật thông tin tại agribank.com.vn.xac-minh.top",
                           "author": {"display_name": "Agribank CSKH"}})
    decision = engine.decide(fake)
    assert decision.action == "remove" and "impersonation.confident" in decision.rules
    assert decision.category("impersonation").score >= 0.9
    real = Item.from_dict({"id": "2", "text": "Agribank thông báo lịch nghỉ lễ: agribank.com.vn",
                           "author": {"display_name": "Agribank", "verified": True}})
    assert engine.decide(real).category("impersonation") is None


def test_khien_scan_reports_impersonating_links_and_authors(tmp_path):
    import subprocess
    import sys

    posts = [
        {"id": "x1", "text": "Nhận hoàn tiền tại https://vietcombannk.com.vn/hoan-tien",
         "author": {"display_name": "Lan Anh"}},
        {"id": "x2", "text": "Quý khách được nâng hạn mức thẻ", "author": {"display_name": "MB Bank Hỗ Trợ",
                                                                          "handle": "mbbank.hotro"}},
        {"id": "x3", "text": "Cà phê sáng nay ngon", "author": {"display_name": "Trà sữa Momo"}},
    ]
    src = tmp_path / "posts.jsonl"
    src.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in posts) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = subprocess.run([sys.executable, "-m", "khien", "scan", str(src), "-o", str(out), "-q", "--workers", "1",
                          "--policy", str(policy_with_rules(tmp_path))], capture_output=True, timeout=120)
    assert res.returncode == 0, res.stderr.decode()
    decisions = {d["id"]: d for d in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    cats = {k: {c["name"]: c for c in d["categories"]} for k, d in decisions.items()}
    assert "impersonation" in cats["x1"] and "impersonation" in cats["x2"]
    assert "impersonation" not in cats["x3"]
    link = cats["x1"]["impersonation"]["evidence"][0]
    assert posts[0]["text"][link["start"]:link["end"]] == link["text"]
    assert decisions["x2"]["action"] in ("review", "remove")
