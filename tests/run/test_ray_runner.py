"""The Ray Data batch runner (``khien scan --engine ray``) on a real local Ray, started once.

Eight Parquet files of Vietnamese posts (tests/fixtures and examples/) are decided on Ray and the
same items by ``khien scan --engine local``; every output row must be the local decision, in order.
Then a crashed run (two outputs missing, one stale ``.partial`` left behind) is resumed: only the
missing files are decided. Ray starts once for the module. Skips only when the ``ray`` extra is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from khien.cli.main import _register, app
from khien.run.batchfiles import expand_inputs, output_path, partial_path

pytest.importorskip("ray", reason="the Ray runner needs the optional 'ray' extra: pip install 'khien[ray]'")
pytest.importorskip("ray.data", reason="the Ray runner needs the optional 'ray' extra: pip install 'khien[ray]'")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

REPO = Path(__file__).resolve().parents[2]
FILES = 8
BAD_FILE = 3  # holds the malformed rows
runner = CliRunner()
_register()


def _posts() -> list[dict]:
    posts = []
    for name in ("tests/fixtures/positives.jsonl", "tests/fixtures/hard_negatives.jsonl", "examples/posts.jsonl"):
        with open(REPO / name, encoding="utf-8") as fh:
            posts += [json.loads(line) for line in fh if line.strip()]
    return posts[:400]  # 50 a file: fixtures (extra columns) and examples (authors, reach)


@pytest.fixture(scope="module")
def ray_local():
    """One local Ray, with the loopback settings of docs/RECIPES (Ray), started once: only this module
    uses it, so it stops when the module ends and its ~1.3 GiB is free for the rest of the suite."""
    from khien.run.ray import RAY_ENV

    for key, value in RAY_ENV.items():
        os.environ.setdefault(key, value)
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    """Eight Parquet files under ``in/`` and the same items, file by file, as JSONL under ``jsonl/``."""
    root = tmp_path_factory.mktemp("raydata")
    posts = _posts()
    per = len(posts) // FILES
    for k in range(FILES):
        part = [dict(p) for p in posts[k * per:(k + 1) * per]]
        if k == BAD_FILE:
            part.insert(5, {"id": "thieu-noi-dung", "text": None})  # row 6: no text
            part.insert(20, {"id": None, "text": "Bài viết không có mã số"})  # row 21: no id
        (root / "jsonl").mkdir(exist_ok=True)
        with open(root / "jsonl" / f"part-{k}.jsonl", "w", encoding="utf-8") as fh:
            for p in part:
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
        (root / "in").mkdir(exist_ok=True)
        # pa.array infers the columns from every row (Table.from_pylist looks at the first row only)
        table = pa.Table.from_batches([pa.RecordBatch.from_struct_array(pa.array(part))])
        pq.write_table(table, root / "in" / f"part-{k}.parquet")
    return root / "in", root / "jsonl"


@pytest.fixture(scope="module")
def first_run(ray_local, inputs, tmp_path_factory):
    """``khien scan in/ --engine ray -o out/``, once for the session."""
    out = tmp_path_factory.mktemp("rayout") / "out"
    result = runner.invoke(app, ["scan", str(inputs[0]), "--engine", "ray", "-o", str(out), "--workers", "2"])
    return result, out


def _local_lines(path: Path, tmp: Path) -> list[str]:
    target = tmp / (path.stem + ".decisions.jsonl")
    result = runner.invoke(app, ["scan", str(path), "--engine", "local", "-o", str(target), "-q", "--workers", "1"])
    assert result.exit_code in (0, 1), result.output
    return target.read_text(encoding="utf-8").splitlines()


def _rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def test_output_equals_local_runner_row_for_row(first_run, inputs, tmp_path):
    result, out = first_run
    assert result.exit_code == 1, result.output  # the malformed rows
    assert sorted(p.name for p in out.iterdir()) == [f"part-{k}.parquet" for k in range(FILES)]
    total = 0
    for k in range(FILES):
        rows = _rows(out / f"part-{k}.parquet")
        local = _local_lines(inputs[1] / f"part-{k}.jsonl", tmp_path)
        for r, l in zip(rows, local):
            assert r["decision"] == l
        assert len(rows) == len(local)
        decisions = [json.loads(line) for line in local]
        assert [r["id"] for r in rows] == [d["id"] for d in decisions]
        assert [r["action"] for r in rows] == [d["action"] for d in decisions]
        assert [r["categories"] for r in rows] == [[c["name"] for c in d["categories"]] for d in decisions]
        total += len(rows)
    assert total == 400
    actions = {r["action"] for k in range(FILES) for r in _rows(out / f"part-{k}.parquet")}
    assert {"allow", "remove"} <= actions  # real posts: both harmless and harmful ones
    assert "[8/8 files]" in result.output and "files done" in result.output


def test_malformed_rows_are_reported_with_file_and_row(first_run, inputs):
    result, out = first_run
    bad = inputs[0] / f"part-{BAD_FILE}.parquet"
    assert f"{bad}: row 6: field 'text' is required" in result.output
    assert f"{bad}: row 21: field 'id' is required" in result.output
    rows = _rows(out / f"part-{BAD_FILE}.parquet")
    assert len(rows) == 50 and 6 not in [r["row"] for r in rows] and 21 not in [r["row"] for r in rows]
    assert [r["row"] for r in rows][:6] == [1, 2, 3, 4, 5, 7]  # row numbers are the input's


def test_rerun_after_a_crash_decides_only_the_missing_files(first_run, inputs, tmp_path):
    _, first = first_run
    out = tmp_path / "out"
    shutil.copytree(first, out)
    src = shutil.copytree(inputs[0], tmp_path / "in")
    (src / "part-9.parquet").write_bytes(b"PAR1 not really")  # cannot be read: reported, no output
    # the crash: part-2 never finished (its stale .partial is garbage), part-6 never started
    (out / "part-2.parquet").rename(partial_path(out / "part-2.parquet"))
    partial_path(out / "part-2.parquet").write_bytes(b"half a Parquet file")
    (out / "part-6.parquet").unlink()
    kept = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.suffix == ".parquet"}
    result = runner.invoke(app, ["scan", str(src), "--engine", "ray", "-o", str(out), "--workers", "2"])
    assert result.exit_code == 1, result.output  # part-9; the file with the bad rows was not decided again
    assert "skipped 6 of 9 input files" in result.output
    assert f"{src / 'part-9.parquet'}: not a readable Parquet file" in result.output
    assert "FAILED" in result.output and not (out / "part-9.parquet").exists()
    assert not partial_path(out / "part-9.parquet").exists()
    assert "row " not in result.output  # no row of the missing files was refused
    assert "part-2.parquet" in result.output and "part-6.parquet" in result.output
    assert "part-0.parquet ->" not in result.output
    for name, mtime in kept.items():
        assert (out / name).stat().st_mtime_ns == mtime  # untouched
    assert not partial_path(out / "part-2.parquet").exists()
    for name in ("part-2.parquet", "part-6.parquet"):
        assert _rows(out / name) == _rows(first / name)


def test_a_run_that_stops_keeps_no_partial_output(tmp_path):
    """The writer side alone: rows of a file in progress are never renamed into an output."""
    from khien.run.ray import RayScanSummary, _Files

    inputs = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    outs = output_path(inputs, tmp_path / "out")
    done = []
    sink = _Files(list(zip(inputs, outs)), RayScanSummary(), done.append, lambda *a: None)
    decision = json.dumps({"id": "x1", "action": "allow", "categories": []})

    def batch(file: int, rows: list[int]):
        n = len(rows)
        return pa.Table.from_pydict({
            "file": pa.array([file] * n, pa.int32()), "row": pa.array(rows, pa.int64()),
            "id": ["x1"] * n, "action": ["allow"] * n, "categories": [[]] * n,
            "decision": [decision] * n, "error": pa.array([None] * n, pa.string()),
        })

    sink.take(batch(0, [1, 2]))
    sink.take(batch(1, [1]))  # file 0 is complete once file 1 begins
    assert outs[0].exists() and [d.decided for d in done] == [2]
    assert partial_path(outs[1]).exists() and not outs[1].exists()
    sink.abandon()  # the run stopped (Ctrl-C, a lost cluster)
    assert not outs[1].exists() and not partial_path(outs[1]).exists()


def test_inputs_and_outputs(tmp_path):
    (tmp_path / "2025" / "01").mkdir(parents=True)
    for name in ("2025/01/a.parquet", "2025/b.jsonl", "2025/notes.txt"):
        (tmp_path / name).touch()
    found = expand_inputs(str(tmp_path))
    assert [p.name for p in found] == ["a.parquet", "b.jsonl"]
    assert expand_inputs(str(tmp_path / "**" / "*.parquet")) == [tmp_path / "2025/01/a.parquet"]
    outs = output_path(found, tmp_path / "out")
    assert outs == [tmp_path / "out/01/a.parquet", tmp_path / "out/b.parquet"]
    (tmp_path / "2025" / "01" / "b.parquet").touch()
    from khien.errors import InputError

    with pytest.raises(InputError, match="would both write"):
        output_path([tmp_path / "2025/b.jsonl", tmp_path / "2025/01/b.parquet", tmp_path / "2025/b.parquet"],
                    tmp_path / "out")


def test_without_the_extra_the_error_names_it(monkeypatch):
    import sys

    from khien.errors import KhienError
    from khien.run.ray import import_ray

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(KhienError, match=r"pip install 'khien\[ray\]'"):
        import_ray()
