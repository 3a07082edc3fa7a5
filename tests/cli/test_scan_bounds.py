"""`khien scan` under the text limit: an over-long line is a line error, the others are decided,
and a huge single line is skipped without being read into memory (issue 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from khien.run.sources import LineTooLong, line_bound, read_records

KHIEN = [sys.executable, "-m", "khien"]
SCAM = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15% mỗi đơn, nạp tiền để rút, ib Zalo 0912 345 678"
FINE = "Hôm nay trời đẹp, cả nhà đi công viên chơi"


def _line(item_id: str, text: str) -> bytes:
    return json.dumps({"id": item_id, "text": text}, ensure_ascii=False).encode() + b"\n"


def test_a_text_over_the_limit_is_a_line_error_and_the_other_lines_are_decided(tmp_path):
    src = tmp_path / "posts.jsonl"
    src.write_bytes(_line("a1", SCAM) + _line("a2", FINE * 10) + _line("a3", FINE))
    res = subprocess.run(KHIEN + ["scan", str(src), "-q", "-w", "1", "--max-text-chars", "200"],
                         capture_output=True, timeout=300)
    assert res.returncode == 1  # like any rejected line
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == ["a1", "a3"]
    errors = res.stderr.decode()
    assert "line 2:" in errors and "'text'" in errors and "200" in errors


def test_the_limit_comes_from_the_setting(tmp_path):
    src = tmp_path / "posts.jsonl"
    src.write_bytes(_line("a1", FINE * 10) + _line("a2", FINE))
    res = subprocess.run(KHIEN + ["scan", str(src), "-q", "-w", "1"], capture_output=True, timeout=300,
                         env={**os.environ, "KHIEN_MAX_TEXT_CHARS": "100"})
    assert res.returncode == 1 and b"line 1:" in res.stderr
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == ["a2"]


def test_reading_bounds_a_line_and_keeps_counting(tmp_path):
    bound = line_bound(100)
    src = tmp_path / "posts.jsonl"
    huge = b'{"id": "x", "text": "' + "lừa đảo ".encode() * (bound // 4) + b'"}\n'
    src.write_bytes(_line("a1", SCAM) + huge + b"\n" + _line("a4", FINE))
    records = list(read_records(str(src), "jsonl", max_line_bytes=bound))
    assert [n for n, _ in records] == [1, 2, 4]  # the blank line 3 is skipped as before
    assert isinstance(records[1][1], LineTooLong) and records[1][1].field == "text"
    assert f"{len(huge):,} bytes" in records[1][1].message
    assert json.loads(records[2][1])["id"] == "a4"


def test_a_huge_single_line_is_skipped_without_reading_it_into_memory(tmp_path):
    """64 MB in one line with a small text limit: the peak memory of the scan stays far below
    the line's size (the same scan of a small file is the baseline)."""
    small = tmp_path / "small.jsonl"
    small.write_bytes(_line("a1", SCAM) + _line("a2", FINE))
    big = tmp_path / "big.jsonl"
    with big.open("wb") as f:
        f.write(_line("a1", SCAM))
        f.write(b'{"id": "x", "text": "')
        chunk = ("lừa đảo chuyển khoản " * 4096).encode()
        for _ in range((64 << 20) // len(chunk)):
            f.write(chunk)
        f.write(b'"}\n')
        f.write(_line("a2", FINE))

    def peak_kb(path) -> tuple[int, subprocess.CompletedProcess]:
        probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True); "
                 "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) + '\\n'); "
                 "sys.stderr.buffer.write(r.stdout + b'\\0' + r.stderr); sys.exit(r.returncode)")
        res = subprocess.run([sys.executable, "-c", probe, *KHIEN, "scan", str(path), "-q", "-w", "1",
                              "--max-text-chars", "1000"], capture_output=True, timeout=300)
        return int(res.stdout), res

    base, _ = peak_kb(small)
    peak, res = peak_kb(big)
    out, _, err = res.stderr.partition(b"\0")
    assert res.returncode == 1
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["a1", "a2"]
    assert b"line 2:" in err
    assert peak - base < 24 * 1024, f"peak memory grew by {(peak - base) // 1024} MB for a 64 MB line"


def _csv(rows: list[tuple[str, str]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "text"])
    writer.writerows(rows)
    return out.getvalue().encode()


def test_a_csv_line_over_the_bound_is_a_line_error_and_the_rows_after_it_are_read(tmp_path):
    bound = line_bound(100)
    src = tmp_path / "posts.csv"
    huge = "lừa đảo chuyển khoản " * (bound // 10)
    src.write_bytes(_csv([("a1", SCAM), ("x", huge), ("a3", FINE)]))
    records = list(read_records(str(src), "csv", max_line_bytes=bound))
    assert [n for n, _ in records] == [2, 3, 4]  # line 1 is the header
    assert isinstance(records[1][1], LineTooLong) and "characters" in records[1][1].message
    assert records[0][1]["id"] == "a1" and records[2][1] == {"id": "a3", "text": FINE}


def test_a_quoted_csv_text_spanning_lines_is_bounded_too(tmp_path):
    """A quoted cell whose text runs over several lines, one of them over the bound: the row is
    dropped with the over-long line's error; a multi-line text within the bound is read whole."""
    bound = line_bound(100)
    src = tmp_path / "posts.csv"
    within = "Cảnh báo lừa đảo:\nđừng chuyển khoản cho người lạ\nhãy gọi 113"
    spanning = "Dòng đầu\n" + "việc nhẹ lương cao " * (bound // 10) + "\nDòng cuối"
    src.write_bytes(_csv([("a1", within), ("x", spanning), ("a3", FINE)]))
    records = list(read_records(str(src), "csv", max_line_bytes=bound))
    assert records[0][1] == {"id": "a1", "text": within}
    errors = [(n, p) for n, p in records if isinstance(p, LineTooLong)]
    assert [n for n, _ in errors] == [6]  # header 1, a1 on 2–4, the long line of x is line 6
    assert records[-1][1] == {"id": "a3", "text": FINE}
    assert not any(isinstance(p, dict) and p.get("id") == "x" for _, p in records)


def test_a_huge_csv_line_is_skipped_without_reading_it_into_memory(tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.write(_csv([("a1", SCAM)]))
        f.write(b'x,"')
        chunk = ("lừa đảo chuyển khoản " * 4096).encode()
        for _ in range((64 << 20) // len(chunk)):
            f.write(chunk)
        f.write(b'"\n' + _csv([("a2", FINE)]).split(b"\n", 1)[1])
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True); "
             "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) + '\\n'); "
             "sys.stderr.buffer.write(r.stdout + b'\\0' + r.stderr); sys.exit(r.returncode)")

    def peak_kb(path):
        res = subprocess.run([sys.executable, "-c", probe, *KHIEN, "scan", str(path), "-q", "-w", "1",
                              "--max-text-chars", "1000"], capture_output=True, timeout=300)
        return int(res.stdout), res

    small = tmp_path / "small.csv"
    small.write_bytes(_csv([("a1", SCAM), ("a2", FINE)]))
    base, _ = peak_kb(small)
    peak, res = peak_kb(big)
    out, _, err = res.stderr.partition(b"\0")
    assert res.returncode == 1
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["a1", "a2"]
    assert b"line 3:" in err
    assert peak - base < 24 * 1024, f"peak memory grew by {(peak - base) // 1024} MB for a 64 MB CSV line"
