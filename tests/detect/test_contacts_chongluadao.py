"""The public ChongLuaDao feed loads as published and its hosts are flagged in scanned posts.

The feed is read from outside the repository (never copied in); the tests are skipped without it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml

from khien.detect.domains import load_domain_list
from khien.text.links import find_links
from khien.text.views import views

FEED = Path("/work/shared/datasets/chongluadao-blocklist/urls.txt")

pytestmark = pytest.mark.skipif(not FEED.is_file(), reason=f"{FEED} is not available")


@pytest.fixture(scope="module")
def feed():
    return load_domain_list(FEED)


def _lines() -> list[str]:
    return [line.strip() for line in FEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_whole_feed_loads_with_at_most_a_handful_of_skips(feed):
    lines = _lines()
    assert feed.skipped_count <= 5, feed.describe_skips()
    skipped = {s.line for s in feed.skipped}
    assert len(feed) > len(lines) // 3  # "www." duplicates collapse; everything else is an entry
    # every line that was not skipped is matched by a link to what it names
    unmatched = []
    for lineno, line in enumerate(FEED.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or lineno in skipped:
            continue
        host, slash, path = line.strip().partition("/")
        if feed.match(host.split(":")[0], slash + path) is None:
            unmatched.append((lineno, line))
    assert not unmatched, unmatched[:5]


def _eligible_hosts(feed) -> list[str]:
    """Bare ASCII hosts of the feed that are not allow-listed and read as one whole link in a post."""
    allow = load_domain_list("packaged:allow_domains")
    hosts = []
    for line in _lines():
        if "/" in line or ":" in line or not line.isascii() or line.startswith("www.") or allow.match(line):
            continue
        found = find_links(views(f"Vào {line} để nhận quà").nfc)
        if len(found) == 1 and found[0].domain.host == line.lower():
            hosts.append(line)
    return hosts


def test_a_scanned_post_linking_to_a_feed_host_is_flagged_blocklisted(feed, tmp_path):
    hosts = _eligible_hosts(feed)
    assert len(hosts) > 1000
    picked = [hosts[0], hosts[len(hosts) // 2], hosts[-1]]
    doc = yaml.safe_load(resources.files("khien.data").joinpath("policy.yaml").read_text("utf-8"))
    doc["detectors"]["contacts.v1"] = {"blocklist": ["packaged:block_domains", str(FEED)]}
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    posts = tmp_path / "posts.jsonl"
    with posts.open("w", encoding="utf-8") as f:
        for i, host in enumerate(picked):
            text = f"Chúc mừng bạn trúng thưởng xe máy, bấm vào {host} điền thông tin để nhận quà trong hôm nay"
            f.write(json.dumps({"id": f"p{i}", "text": text}, ensure_ascii=False) + "\n")
        clean = {"id": "sach", "text": "Cuối tuần cả nhà đi Đà Lạt, xem thời tiết ở vnexpress.net trước nhé"}
        f.write(json.dumps(clean, ensure_ascii=False) + "\n")
    cmd = [sys.executable, "-m", "khien", "scan", str(posts), "-p", str(policy), "-q", "--workers", "1"]
    res = subprocess.run(cmd, capture_output=True, timeout=300)
    assert res.returncode == 0, res.stderr.decode()
    decisions = {d["id"]: d for d in map(json.loads, res.stdout.decode().splitlines())}
    for i, host in enumerate(picked):
        scam = next((c for c in decisions[f"p{i}"]["categories"] if c["name"] == "scam"), None)
        assert scam is not None, (host, decisions[f"p{i}"])
        labels = [e.get("label", "") for e in scam["evidence"] if e["text"] == host]
        assert any("blocklisted" in label for label in labels), (host, scam["evidence"])
    clean_labels = [e.get("label", "") for c in decisions["sach"]["categories"] for e in c["evidence"]]
    assert not any("blocklisted" in label for label in clean_labels)
