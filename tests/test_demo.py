"""khien.demo: the demo database as a library function (what `make demo` runs), on a temporary SQLite."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("sqlalchemy")

from khien.clock import FakeClock  # noqa: E402
from khien.demo import DEMO_USERS, read_items, setup_demo  # noqa: E402
from khien.errors import InputError  # noqa: E402

POSTS = [
    {"id": "d1", "platform": "forum", "reach": {"views": 1200},
     "author": {"id": "u-ctv-88", "display_name": "Tuyển Dụng Online 24h", "followers": 5400},
     "text": "Tuyển CTV việc nhẹ lương cao, hoa hồng 15% mỗi đơn, nạp tiền để rút, ib Zalo 0912 345 678"},
    {"id": "d2", "platform": "forum", "text": "Hôm nay trời đẹp, cả nhà đi công viên chơi"},
    {"id": "d3", "platform": "forum",
     "text": "Cảnh báo: có kẻ giả danh ngân hàng nhắn tin đòi mã OTP, mọi người đừng đưa cho ai nhé"},
]


def _jsonl(tmp_path, rows, name="posts.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_read_items_uses_the_runner_readers_for_jsonl_and_csv(tmp_path):
    items = read_items(_jsonl(tmp_path, POSTS))
    assert [i.id for i in items] == ["d1", "d2", "d3"]
    assert items[0].reach["views"] == 1200
    csv = tmp_path / "posts.csv"
    csv.write_text("id,text,reach.views\nc1,Nhận quà tri ân khách hàng tại link lạ,30\n", encoding="utf-8")
    [row] = read_items(csv)
    assert (row.id, row.reach["views"]) == ("c1", 30)


def test_read_items_names_the_file_and_line_of_a_bad_line(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_text(json.dumps(POSTS[0], ensure_ascii=False) + "\n{không phải json\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"{path}:2: not valid JSON"):
        read_items(path)
    missing = tmp_path / "posts-missing-text.jsonl"
    missing.write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=rf"{missing}:1: .*text"):
        read_items(missing)


def test_setup_demo_fills_a_database_and_resets_the_password_on_a_second_run(tmp_path):
    from khien.access import authenticate
    from khien.store import open_store

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    items = read_items(_jsonl(tmp_path, POSTS))
    first = setup_demo(url, items, password="mật-khẩu-demo-1", clock=FakeClock())
    assert (first.stored, first.duplicates, first.decided) == (3, 0, 3)
    assert first.open_cases >= 1 and first.appeal_filed and first.open_appeals == 1
    assert first.users == DEMO_USERS and first.password_reset == ()
    assert first.reports_filed == 3 and first.account_case is not None  # a report case and an account case
    store = open_store(url)
    assert all(authenticate(store, name, "mật-khẩu-demo-1") for name in DEMO_USERS)

    again = setup_demo(store, items, password=None, clock=FakeClock())
    assert (again.stored, again.duplicates, again.decided) == (0, 3, 0)
    assert not again.appeal_filed and again.open_appeals == 1  # the sample appeal is filed once
    assert (again.reports_filed, again.account_case) == (0, None)  # and so are the sample reports
    assert again.password_reset == DEMO_USERS and len(again.password) >= 12
    assert authenticate(store, "lan", "mật-khẩu-demo-1") is None
    assert authenticate(store, "minh", again.password) is not None


def test_demo_setup_command_is_a_thin_wrapper_that_says_the_password_was_reset(tmp_path):
    from typer.testing import CliRunner

    from khien.cli.main import _register, app

    _register()
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    posts = _jsonl(tmp_path, POSTS)
    args = ["demo-setup", "--db", url, "--input", str(posts), "--password", "mật-khẩu-1"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "3 items stored (0 already there), 3 decided" in first.output
    assert "new accounts; every run of demo-setup sets this password again" in first.output
    second = CliRunner().invoke(app, args)
    assert "the password of lan, minh was reset by this run" in second.output
    bad = _jsonl(tmp_path, [{"id": "x"}], name="bad.jsonl")
    failed = CliRunner().invoke(app, ["demo-setup", "--db", url, "--input", str(bad)])
    assert failed.exit_code == 2 and f"{bad}:1:" in failed.output
