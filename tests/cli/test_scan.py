"""`khien scan`, `khien explain`, `khien policy check` on good and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

KHIEN = [sys.executable, "-m", "khien"]


def run(args, stdin: bytes | None = None, cwd: Path | None = None):
    return subprocess.run(KHIEN + args, input=stdin, capture_output=True, cwd=cwd, timeout=120)


POSTS = [
    {"id": "a1", "text": "Tuyển CTV việc nhẹ lương cao, hoa hồng 15% mỗi đơn, nạp tiền để rút, ib Zalo 0912 345 678"},
    {"id": "a2", "text": "Hôm nay trời đẹp, cả nhà đi công viên chơi"},
    {"id": "a3", "text": "Trận này hay vl, đỉnh thật sự"},
]


def test_scan_jsonl_writes_one_decision_per_line_in_order(tmp_path):
    src = tmp_path / "posts.jsonl"
    src.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in POSTS) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = run(["scan", str(src), "-o", str(out)])
    assert res.returncode == 0, res.stderr.decode()
    decisions = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["id"] for d in decisions] == ["a1", "a2", "a3"]
    scam = decisions[0]
    assert scam["action"] == "remove"
    cat = next(c for c in scam["categories"] if c["name"] == "scam")
    ev = cat["evidence"][0]
    assert POSTS[0]["text"][ev["start"]:ev["end"]] == ev["text"]
    assert ev["detector"].startswith("lexicon.scam.v")
    assert scam["rules"] and len(scam["policy"]) == 16 and scam["automated"] is True
    assert "Nội dung đã bị gỡ bỏ" in scam["reasons"]["vi"] and "appeal" in scam["reasons"]["en"]
    assert decisions[1]["action"] == "allow" and decisions[1]["categories"] == []
    assert decisions[2]["action"] == "allow"
    assert [c["name"] for c in decisions[2]["categories"]] == ["profanity"]
    summary = res.stderr.decode()
    assert "items decided" in summary and "action: remove" in summary


def test_bad_lines_are_reported_with_line_numbers_and_the_rest_decided(tmp_path):
    lines = [
        json.dumps(POSTS[0], ensure_ascii=False),
        "{not json",
        json.dumps({"id": "no-text"}),
        "",
        json.dumps(POSTS[1], ensure_ascii=False),
        json.dumps({"id": "x", "text": 42}),
    ]
    src = tmp_path / "posts.jsonl"
    src.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "bad-utf8", "text": "\xff\xfe"}\n')
    res = run(["scan", str(src), "-o", str(tmp_path / "out.jsonl"), "--workers", "2", "--batch-size", "2"])
    assert res.returncode == 1
    err = res.stderr.decode()
    assert "line 2: not valid JSON" in err
    assert "line 3: field 'text' is required" in err
    assert "line 6: field 'text'" in err
    assert "line 7:" in err and "UTF-8" in err
    ids = [json.loads(l)["id"] for l in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert ids == ["a1", "a2"]


def test_csv_input_and_stdout(tmp_path):
    src = tmp_path / "posts.csv"
    src.write_text(
        "id,text,author.display_name,reach.views\n"
        "c1,\"Chúc mừng bạn đã trúng thưởng iPhone 15, vui lòng chuyển phí vận chuyển 300k vào stk 0123456789\",Quà Tri Ân,100\n"
        "c2,Cuối tuần này mình đi Đà Lạt nhé,,\n",
        encoding="utf-8",
    )
    res = run(["scan", str(src), "-q"])
    assert res.returncode == 0, res.stderr.decode()
    decisions = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert [d["id"] for d in decisions] == ["c1", "c2"]
    assert decisions[0]["action"] == "remove"
    assert decisions[1]["action"] == "allow"


def test_stdin_to_stdout():
    data = ("\n".join(json.dumps(p, ensure_ascii=False) for p in POSTS) + "\n").encode()
    res = run(["scan", "-", "-q"], stdin=data)
    assert res.returncode == 0
    assert len(res.stdout.decode().splitlines()) == 3


def test_usage_and_policy_errors_exit_2(tmp_path):
    res = run(["scan", str(tmp_path / "missing.jsonl")])
    assert res.returncode == 2 and "does not exist" in res.stderr.decode()
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy: {name: x}\nappeal: {vi: a, en: b}\ncategories: {}\nrules: [{id: r}]\n", encoding="utf-8")
    res = run(["scan", "-", "-p", str(bad)], stdin=b"")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr.decode()
    res = run(["policy", "check", str(bad)])
    assert res.returncode == 2 and "description" in res.stderr.decode()


def test_policy_check_lists_categories_and_rules():
    res = run(["policy", "check"])
    assert res.returncode == 0, res.stderr.decode()
    out = res.stdout.decode()
    assert "scam.lure-with-hook" in out and "impersonation" in out and "policy is valid" in out


def test_explain_shows_views_signals_and_reasons():
    res = run(["explain", "--json", "Tài khoản của quý khách bị tạm khóa, xác thực tại hxxps://vcb-digibank[.]top ngay"])
    assert res.returncode == 0, res.stderr.decode()
    data = json.loads(res.stdout)
    assert "canonical" in data["views"]
    assert data["decision"]["action"] == "remove"
    links = [s for s in data["signals"] if s["detector"] == "contacts.v1"]
    assert links and "blocklisted" in links[0]["tags"]
    assert data["decision"]["dsa"]["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
