"""``khien train`` and ``khien eval`` end to end, and their errors (exit code 2, one line, no traceback)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from khien.cli.main import _register, app

from .conftest import write_csv

_register()
runner = CliRunner()


def test_train_then_eval_then_scan(tmp_path, small_csv):
    out = tmp_path / "models" / "mine"
    result = runner.invoke(app, ["train", str(small_csv), "--text-column", "free_text", "--label-column", "label_id",
                                 "--dev", str(small_csv), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (out / "model.json").exists() and (out / "arrays.npz").exists()
    result = runner.invoke(app, ["eval", str(out), str(small_csv), "--text-column", "free_text", "--label-column", "label_id"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["macro_f1"] > 0.9 and report["accuracy"] > 0.9
    assert report["model"]["name"] == "mine" and len(report["model"]["data_sha256"]) == 64
    assert set(report["per_class"]) == {"clean", "hate", "offensive"}
    assert report["items_per_second"] > 0 and len(report["confusion_matrix"]["rows_true_columns_predicted"]) == 3


def test_eval_of_the_default_model_with_named_labels(tmp_path):
    data = write_csv(tmp_path / "t.csv", [("Đồ óc chó, câm mồm", 1), ("Cảm ơn bạn nhiều nhé", 0)], header=("text", "y"))
    result = runner.invoke(app, ["eval", "default", str(data), "--label-column", "y", "--label-name", "0=clean",
                                 "--label-name", "1=offensive"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accuracy"] == 1.0


def test_bad_inputs_exit_2_with_a_message(tmp_path, small_csv):
    out = str(tmp_path / "m")
    result = runner.invoke(app, ["train", str(small_csv), "-o", out])
    assert result.exit_code == 2 and "no column 'text'" in result.output and "Traceback" not in result.output
    one = write_csv(tmp_path / "one.csv", [("xin chào", "clean"), ("chào bạn", "clean")], header=("text", "label"))
    result = runner.invoke(app, ["train", str(one), "-o", out, "--quiet"])
    assert result.exit_code == 2 and "single class" in result.output
    (tmp_path / "bad.jsonl").write_bytes(b'{"text": "\xff", "label": 1}\n')
    result = runner.invoke(app, ["train", str(tmp_path / "bad.jsonl"), "-o", out])
    assert result.exit_code == 2 and "not UTF-8" in result.output
    result = runner.invoke(app, ["eval", str(tmp_path / "nomodel"), str(small_csv)])
    assert result.exit_code == 2 and "does not exist" in result.output
