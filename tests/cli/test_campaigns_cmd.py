"""`khien campaigns`: clusters out, line errors with their numbers, the others still used."""

from __future__ import annotations

import json
import subprocess
import sys

KHIEN = [sys.executable, "-m", "khien"]
TEXT = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, làm tại nhà, ib Zalo 09123450{:02d} nhé"
VARIANTS = [
    TEXT,
    "tuyen ctv viec nhe luong cao, hoa hong 15%, lam tai nha, ib zalo 09123450{:02d} nhe",
    "Tuyển CTV việc nhẹ lương cao 🔥 hoa hồng 15%, làm tại nhà, ib Zalo 09123450{:02d} nhé",
    "Tuyển  C T V việc nhẹ lương cao, hoa hồng 15%, làm tại nhà, ib Zalo 09123450{:02d} nhé",
    "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, làm tại nhà, ib Zalo 09123450{:02d} nha",
    "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, lm tại nhà, ib Zalo 09123450{:02d} nhé ✅",
]


def run(args):
    return subprocess.run(KHIEN + args, capture_output=True, timeout=120)


def lines() -> list[dict]:
    out = [{"id": f"p{i}", "text": t.format(i), "created_at": f"2026-01-01T08:0{i}:00Z", "author": {"id": f"acct{i}"}}
           for i, t in enumerate(VARIANTS)]
    out.append({"id": "q1", "text": "Hôm nay trời đẹp quá, cả nhà rủ nhau đi công viên Thống Nhất chơi",
                "created_at": "2026-01-01T08:30:00Z", "author": {"id": "other"}})
    return out


def test_a_campaign_is_written_with_its_members(tmp_path):
    src = tmp_path / "posts.jsonl"
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in reversed(lines())) + "\n", encoding="utf-8")
    out = tmp_path / "clusters.jsonl"
    res = run(["campaigns", str(src), "-o", str(out), "--window", "2h"])
    assert res.returncode == 0, res.stderr.decode()
    [cluster] = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert cluster["campaign"] is True and sorted(cluster["members"]) == [f"p{i}" for i in range(6)]
    assert "burst" in cluster["signals"] and cluster["accounts"] == 6
    assert cluster["first_seen"] == "2026-01-01T08:00:00.000Z"  # read out of order, ordered by time
    assert "1 campaigns" in res.stderr.decode()


def test_min_accounts_above_the_ring_finds_nothing(tmp_path):
    src = tmp_path / "posts.jsonl"
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines()) + "\n", encoding="utf-8")
    res = run(["campaigns", str(src), "--min-accounts", "7"])
    assert res.returncode == 0 and res.stdout == b""


def test_bad_lines_are_reported_by_number_and_the_rest_is_used(tmp_path):
    rows = [json.dumps(x, ensure_ascii=False) for x in lines()]
    rows.insert(1, json.dumps({"id": "x1", "text": "không có thời gian", "author": {"id": "a"}}, ensure_ascii=False))
    rows.insert(3, json.dumps({"id": "x2", "text": "không có tác giả", "created_at": "2026-01-01T08:00:00Z"},
                              ensure_ascii=False))
    rows.insert(5, json.dumps({"id": "x3", "text": "sai trường", "created_at": "2026-01-01T08:00:00Z",
                               "author": {"id": "b", "folowers": 3}}, ensure_ascii=False))
    rows.insert(7, "{not json")
    rows.insert(8, json.dumps({"id": "x4", "text": "giờ sai", "created_at": "hôm qua", "author": {"id": "c"}},
                              ensure_ascii=False))
    src = tmp_path / "posts.jsonl"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = run(["campaigns", str(src)])
    err = res.stderr.decode()
    assert res.returncode == 1, err
    assert "line 2: field 'created_at' is required" in err
    assert "line 4: field 'author.id' is required" in err
    assert "line 6: unknown field 'author.folowers'" in err
    assert "line 8: not valid JSON" in err
    assert "line 9: a time is not ISO-8601" in err
    assert json.loads(res.stdout.decode().splitlines()[0])["size"] == 6


def test_a_bad_window_is_a_usage_error():
    res = run(["campaigns", "-", "--window", "ba ngày"])
    assert res.returncode == 2 and "duration" in res.stderr.decode()


def test_db_records_the_campaign_and_opens_one_case_once(tmp_path):
    src = tmp_path / "posts.jsonl"
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines()) + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'khien.db'}"
    for expected in ("1 new campaign cases", "0 new campaign cases"):  # the second run changes nothing
        res = run(["campaigns", str(src), "-o", str(tmp_path / "c.jsonl"), "--window", "2h", "--db", url,
                   "--platform", "forum"])
        assert res.returncode == 0, res.stderr.decode()
        assert expected in res.stderr.decode()
    from khien.review import campaigns, open_store

    store = open_store(url)
    with store.read() as tx:
        [cluster] = [json.loads(x) for x in (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()]
        view = campaigns.get_campaign(tx, "forum", cluster["key"])
    store.dispose()
    assert sorted(m.item_id for m in view.members) == [f"p{i}" for i in range(6)]
    assert view.case is not None and view.case.state == "open" and view.case.subject_kind == "campaign"
