"""`khien config show`: resolved values, their sources, masked secrets, JSON, and bad values."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from khien.cli.main import _register, app

runner = CliRunner()
_register()

SECRET_URL = "postgresql+psycopg://khien:mật-khẩu-bí-mật@db.example:5432/khien"


def _rows(output: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split() for line in output.splitlines()[1:] if line.strip()}


def test_show_prints_every_setting_with_its_source(monkeypatch):
    monkeypatch.setenv("KHIEN_DATABASE_URL", SECRET_URL)
    monkeypatch.setenv("KHIEN_WORKER_BATCH", "64")
    monkeypatch.setenv("KHIEN_DEMO_PASSWORD", "demo-pass-123")
    result = runner.invoke(app, ["config", "show", "--policy", "chinh-sach.yaml"])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert rows["database_url"] == ["database_url", "postgresql+psycopg://khien:***@db.example:5432/khien", "env",
                                    "KHIEN_DATABASE_URL"]
    assert rows["worker_batch"][1:3] == ["64", "env"]
    assert rows["policy"][1:3] == ["chinh-sach.yaml", "flag"]
    assert rows["claim_ttl_s"][1:3] == ["900.0", "default"]
    assert rows["demo_password"][1] == "***"
    assert "mật-khẩu-bí-mật" not in result.output and "demo-pass-123" not in result.output


def test_show_json_is_one_object_and_the_db_flag_wins(monkeypatch):
    monkeypatch.setenv("KHIEN_DATABASE_URL", SECRET_URL)
    result = runner.invoke(app, ["config", "show", "--json", "--db", "sqlite:///out/khien.db"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    by_name = {s["name"]: s for s in body["settings"]}
    assert by_name["database_url"] | {"help": ""} == {"name": "database_url", "env": "KHIEN_DATABASE_URL",
                                                       "value": "sqlite:///out/khien.db", "source": "flag", "help": ""}
    assert by_name["webhooks"]["value"] == "true" and by_name["webhooks"]["source"] == "default"
    assert all(s["help"] for s in body["settings"])


def test_show_warns_about_a_misspelt_variable(monkeypatch):
    monkeypatch.setenv("KHIEN_WEBHOOK_TIMEOUT", "3")
    result = runner.invoke(app, ["config", "show", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["warnings"] == [
        "KHIEN_WEBHOOK_TIMEOUT is not a Khiên setting and is ignored; did you mean KHIEN_WEBHOOK_TIMEOUT_S?"]


def test_a_bad_value_exits_2_naming_the_variable(monkeypatch):
    monkeypatch.setenv("KHIEN_WORKER_BATCH", "abc")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 2
    assert "khien: error: KHIEN_WORKER_BATCH: expected an integer, found 'abc'" in result.output
    assert "Traceback" not in result.output
