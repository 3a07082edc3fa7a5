"""Reading labelled data: formats, label kinds, and clear errors for bad input."""

from __future__ import annotations

import json

import pytest

from khien.errors import InputError
from khien.learn.data import parse_label_names, read_dataset

from .conftest import write_csv


def test_reads_csv_with_named_columns(small_csv):
    data = read_dataset(small_csv, text_column="free_text", label_column="label_id")
    assert len(data) == 40
    assert data.texts[0] == "Cảm ơn shop, giao hàng nhanh lắm"
    assert data.classes == ("clean", "hate", "offensive")


def test_integer_labels_keep_numeric_order_and_can_be_named(tmp_path):
    path = write_csv(tmp_path / "d.csv", [("một", 10), ("hai", 2), ("ba", "2.0"), ("bốn", 1)])
    data = read_dataset(path, text_column="free_text", label_column="label_id")
    assert data.labels == ("10", "2", "2", "1")
    assert data.classes == ("1", "2", "10")
    named = read_dataset(path, text_column="free_text", label_column="label_id", label_names={"2": "hate"})
    assert named.labels[1] == "hate"


def test_reads_jsonl_with_integer_labels_and_spans(tmp_path):
    path = tmp_path / "d.jsonl"
    lines = [{"t": "đồ ngu", "y": 1, "s": [3, 4, 5]}, {"t": "xin chào", "y": 0, "s": []}, {"t": "mày ngu", "y": 1, "s": [[4, 7]]}]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    data = read_dataset(path, text_column="t", label_column="y", spans_column="s")
    assert data.labels == ("1", "0", "1")
    assert data.spans == (((3, 6),), (), ((4, 7),))
    assert data.texts[0][3:6] == "ngu"


def test_reads_parquet(tmp_path, rows):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"free_text": [r[0] for r in rows], "label_id": [r[1] for r in rows]}), path)
    data = read_dataset(path, text_column="free_text", label_column="label_id")
    assert len(data) == len(rows) and data.labels[-1] == "hate"


def test_unknown_column_lists_the_columns(small_csv):
    with pytest.raises(InputError) as err:
        read_dataset(small_csv, text_column="text", label_column="label_id")
    assert "'text'" in str(err.value) and "free_text, label_id" in str(err.value)


def test_empty_file(tmp_path):
    (tmp_path / "e.csv").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_dataset(tmp_path / "e.csv")
    (tmp_path / "h.csv").write_text("text,label\n", encoding="utf-8")
    with pytest.raises(InputError, match="no rows"):
        read_dataset(tmp_path / "h.csv")


def test_non_utf8_file(tmp_path):
    (tmp_path / "w.csv").write_bytes("text,label\nđồ ngu,1\n".encode("cp1258", errors="replace") + b"\xff\xfe,1\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_dataset(tmp_path / "w.csv")


@pytest.mark.parametrize("missing", ["", "NaN", "nan", "null"])
def test_missing_label_names_the_line(tmp_path, missing):
    path = write_csv(tmp_path / "n.csv", [("xin chào", "0"), ("đồ ngu", missing)], header=("text", "label"))
    with pytest.raises(InputError) as err:
        read_dataset(path)
    assert "line 3" in str(err.value) and "no label" in str(err.value)


def test_nan_label_in_jsonl(tmp_path):
    path = tmp_path / "n.jsonl"
    path.write_text('{"text": "xin chào", "label": 0}\n{"text": "đồ ngu", "label": NaN}\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2.*no label"):
        read_dataset(path)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_dataset(tmp_path / "nope.csv")
    (tmp_path / "d.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="format"):
        read_dataset(tmp_path / "d.txt")


def test_label_names_syntax():
    assert parse_label_names(["0=clean", "2 = hate"]) == {"0": "clean", "2": "hate"}
    with pytest.raises(InputError):
        parse_label_names(["clean"])
