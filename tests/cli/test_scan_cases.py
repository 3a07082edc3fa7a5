"""``khien scan --db``: an author a scan finds imitating a protected entity gets one account case,
through worker processes too, and the decisions written stay byte for byte those of a plain scan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from khien.audit import iter_events
from khien.cli import main as cli
from khien.errors import NotFoundError
from khien.policy import load_policy
from khien.review import accounts, open_store

runner = CliRunner()
app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
cli.register(app, [row for row in cli.COMMANDS if row.name in ("scan", "explain")])  # a group, as khien is

# Vietcombank is in the packaged registry; "CSKH" (customer care) and "hotro24h" are the usual disguise.
IMPOSTOR = {"id": "fb-9001", "display_name": "Vietcombank CSKH", "handle": "vcb.hotro24h", "followers": 1200}
POSTS = [
    {"id": "p1", "platform": "facebook", "author": IMPOSTOR,
     "text": "Thông báo: tài khoản của quý khách sẽ bị tạm khóa trong 24h, vui lòng nhắn tin để được hỗ trợ xác thực."},
    {"id": "p2", "platform": "facebook",
     "author": {"id": "fb-9002", "display_name": "Tiệm bánh mì Cô Ba Quận 3", "handle": "banhmicoba.q3",
                "followers": 85},
     "text": "Bánh mì pate nóng giòn mới ra lò, ghé tiệm Cô Ba Quận 3 nha cả nhà!"},
    {"id": "p3", "text": "Cuối tuần này cả nhà mình đi Đà Lạt chơi nhé"},
    # the same impostor again, in a later batch: still one case, and not counted as "already had one"
    {"id": "p4", "platform": "facebook", "author": IMPOSTOR,
     "text": "Quý khách cần hỗ trợ mở khóa tài khoản ngân hàng, inbox ngay cho bên mình nhé."},
]
# an impostor whose record names no platform: a case only with --platform
NO_PLATFORM = {"id": "z1", "author": {"id": "zl-77", "display_name": "Shopee Tuyển Dụng 2026",
                                     "handle": "tuyendung_shopee"},
               "text": "Tuyển nhân viên đóng gói tại nhà, thu nhập 500k/ngày, inbox ngay."}


def _file(tmp_path: Path, posts: list[dict]) -> Path:
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts), encoding="utf-8")
    return path


def _scan(src: Path, *extra: str):
    result = runner.invoke(app, ["scan", str(src), "--batch-size", "2", *extra])
    assert result.exit_code == 0, result.output
    return result


def _opened(url: str) -> list:
    return [e for e in iter_events(open_store(url)) if e.type == "account.case_opened"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_impostor_author_gets_one_account_case_and_the_decisions_are_unchanged(tmp_path, workers):
    src = _file(tmp_path, POSTS)
    plain = _scan(src, "-q", "--workers", workers)
    decided = {d["id"]: d for d in map(json.loads, plain.stdout_bytes.splitlines())}
    # the fixture is what it claims: the engine flags the impostor, and only them
    assert [c["name"] for c in decided["p1"]["categories"]].count("impersonation") == 1
    assert all(c["name"] != "impersonation" for i in ("p2", "p3") for c in decided[i]["categories"])

    url = f"sqlite:///{tmp_path / 'k.db'}"
    first = _scan(src, "--workers", workers, "--db", url)
    assert first.stdout_bytes == plain.stdout_bytes  # same decisions, byte for byte
    assert "1 account cases opened, 0 accounts already had" in first.stderr
    opened = _opened(url)
    assert len(opened) == 1
    event = opened[0].event
    assert opened[0].actor == "cli" and event.platform == "facebook" and event.account == "fb-9001"
    assert event.entity == "vietcombank" and event.category == "impersonation"
    assert event.origin == "account:impersonation"
    assert "author.display_name 'Vietcombank CSKH' (item 'p1')" in event.evidence
    assert any("CSKH" in line and "Vietcombank" in line and "affix" in line for line in event.evidence)

    policy = load_policy()
    store = open_store(url)
    with store.read() as tx:
        view = accounts.get_account(tx, policy, "facebook", "fb-9001")
        assert [c.category for c in view.open_cases] == ["impersonation"]
        assert view.account.followers == 1200 and view.account.name == "Vietcombank CSKH"
        with pytest.raises(NotFoundError):  # the shop gets no account record at all
            accounts.get_account(tx, policy, "facebook", "fb-9002")

    again = _scan(src, "--workers", workers, "--db", url)
    assert again.stdout_bytes == plain.stdout_bytes
    assert "0 account cases opened, 1 accounts already had" in again.stderr
    assert len(_opened(url)) == 1


def test_platform_names_the_items_that_name_none_and_without_either_the_finding_is_skipped(tmp_path):
    src = _file(tmp_path, [NO_PLATFORM, POSTS[2]])
    url = f"sqlite:///{tmp_path / 'k.db'}"
    skipped = _scan(src, "-w", "1", "--db", url)
    assert "0 account cases opened, 0 accounts already had an open impersonation case, 1 impersonation " \
           "findings skipped" in skipped.stderr
    assert _opened(url) == []

    named = _scan(src, "-w", "1", "--db", url, "--platform", "zalo")
    assert "1 account cases opened" in named.stderr and "0 impersonation findings skipped" in named.stderr
    [event] = [e.event for e in _opened(url)]
    assert (event.platform, event.account, event.entity) == ("zalo", "zl-77", "shopee")


def test_platform_needs_db(tmp_path):
    result = runner.invoke(app, ["scan", str(_file(tmp_path, POSTS)), "--platform", "facebook"])
    assert result.exit_code == 2 and "--platform goes with --db" in result.output


def test_a_plain_scan_loads_no_database_code(tmp_path):
    src = _file(tmp_path, POSTS)
    probe = ("import runpy, sys\n"
             f"sys.argv = ['khien', 'scan', {str(src)!r}, '-q', '-w', '1', '-o', {str(tmp_path / 'out.jsonl')!r}]\n"
             "try:\n    runpy.run_module('khien', run_name='__main__')\n"
             "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
             "print(sorted(m for m in ('sqlalchemy', 'khien.store', 'khien.review') if m in sys.modules))\n")
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=300)
    assert res.returncode == 0, res.stderr.decode()
    assert res.stdout.decode().strip() == "[]"
