"""`khien impersonation` and `khien registry check` on good and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

KHIEN = [sys.executable, "-m", "khien"]

REGISTRY = """entities:
  - id: vietcombank
    kind: bank
    names: ["Vietcombank", "Ngân hàng TMCP Ngoại thương Việt Nam", "VCB"]
    handles: ["vietcombank"]
    domains: ["vietcombank.com.vn"]
    avatars: ["vcb.png"]
  - id: momo
    kind: company
    names: ["MoMo", "Ví MoMo"]
    domains: ["momo.vn"]
"""


def run(args, cwd):
    return subprocess.run(KHIEN + args, capture_output=True, cwd=cwd, timeout=120)


def test_impersonation_flags_lookalikes_and_reports_bad_lines(images):
    (images / "protected.yaml").write_text(REGISTRY, encoding="utf-8")
    lines = [
        json.dumps({"id": "a1", "display_name": "Vietcombank CSKH", "handle": "vcb.hotro24h"}, ensure_ascii=False),
        json.dumps({"id": "a2", "display_name": "Vietcombank", "handle": "vietcombank", "verified": True}),
        json.dumps({"id": "a3", "display_name": "Trà sữa Momo", "handle": "trasuamomo"}, ensure_ascii=False),
        "this is not json",
        json.dumps({"url": "https://vietcombank.com.vn.secure-login.top/otp"}),
        json.dumps({"id": "a5", "display_name": "Ngân hàng số", "avatar": "stolen.jpg"}, ensure_ascii=False),
        json.dumps({"id": "a6", "display_name": "Vietcombank Hỗ Trợ", "avatar": "broken.png"}, ensure_ascii=False),
        json.dumps({"id": "a7", "display_name": ["not", "a", "string"]}),
    ]
    (images / "accounts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run(["impersonation", "--registry", "protected.yaml", "--accounts", "accounts.jsonl", "-o", "flagged.jsonl"],
              images)
    assert res.returncode == 1, res.stderr.decode()
    err = res.stderr.decode()
    assert "line 4: not a JSON object" in err
    assert "line 7: avatar image" in err and "checked without the avatar" in err
    assert "line 8: field 'account.display_name' must be a string" in err
    flagged = {d["id"]: d for d in map(json.loads, (images / "flagged.jsonl").read_text(encoding="utf-8").splitlines())}
    assert set(flagged) == {"a1", "https://vietcombank.com.vn.secure-login.top/otp", "a5", "a6"}
    a1 = flagged["a1"]
    assert a1["entity"] == "vietcombank" and a1["score"] >= 0.9
    assert {"field": "display_name", "value": "Vietcombank CSKH", "matched": "Vietcombank",
            "why": "name equals 'Vietcombank' after removing the affix 'CSKH' (support words)"} in a1["evidence"]
    assert flagged["a5"]["evidence"][0]["field"] == "avatar"


def test_include_verified(images):
    (images / "protected.yaml").write_text(REGISTRY, encoding="utf-8")
    (images / "accounts.jsonl").write_text(json.dumps({"id": "v", "display_name": "Vietcombank CSKH",
                                                       "verified": True}) + "\n")
    res = run(["impersonation", "-r", "protected.yaml", "-a", "accounts.jsonl", "-q"], images)
    assert res.returncode == 0 and res.stdout == b""
    res = run(["impersonation", "-r", "protected.yaml", "-a", "accounts.jsonl", "-q", "--include-verified"], images)
    assert res.returncode == 0 and json.loads(res.stdout)["id"] == "v"


def test_registry_check(images, tmp_path):
    (images / "protected.yaml").write_text(REGISTRY, encoding="utf-8")
    res = run(["registry", "check", "protected.yaml"], images)
    assert res.returncode == 0 and b"ok: 2 entities" in res.stdout
    dup = tmp_path / "dup.yaml"
    dup.write_text("entities:\n  - id: vcb\n    names: [Vietcombank]\n  - id: vcb\n    names: [VCB]\n")
    res = run(["registry", "check", str(dup)], tmp_path)
    assert res.returncode == 2
    assert b"duplicate id 'vcb'" in res.stderr and b"Traceback" not in res.stderr
    broken = images / "broken.yaml"
    broken.write_text(REGISTRY.replace("vcb.png", "broken.png"), encoding="utf-8")
    res = run(["registry", "check", "broken.yaml"], images)
    assert res.returncode == 2 and b"entity 'vietcombank'" in res.stderr and b"avatars" in res.stderr
    res = run(["impersonation", "-r", "broken.yaml", "-a", "x.jsonl"], images)
    assert res.returncode == 2


def test_missing_accounts_file_is_a_usage_error(images):
    (images / "protected.yaml").write_text(REGISTRY, encoding="utf-8")
    res = run(["impersonation", "-r", "protected.yaml", "-a", "nope.jsonl"], images)
    assert res.returncode == 2 and b"does not exist" in res.stderr
