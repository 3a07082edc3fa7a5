"""``khien flaggers add|list|remove``: the admin CLI over the trusted-flagger service."""

import orjson
from typer.testing import CliRunner

from khien.cli.flaggers_cmd import flaggers_app

runner = CliRunner()


def test_flaggers_are_added_listed_with_accuracy_and_removed(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    added = runner.invoke(flaggers_app, ["add", "Chống Lừa Đảo", "--organisation", "Dự án Chống Lừa Đảo",
                                         "--respond-hours", "24", "--contact", "lienhe@chongluadao.vn", "--db", url])
    assert added.exit_code == 0, added.output
    twice = runner.invoke(flaggers_app, ["add", "chống lừa đảo", "--organisation", "Khác", "--db", url])
    assert twice.exit_code == 2 and "exists" in twice.output
    listed = runner.invoke(flaggers_app, ["list", "--json", "--db", url])
    row = orjson.loads(listed.output.strip())
    assert row["name"] == "Chống Lừa Đảo" and row["respond_hours"] == 24 and row["accuracy"] is None
    table = runner.invoke(flaggers_app, ["list", "--db", url])
    assert "accuracy" in table.output and "Dự án Chống Lừa Đảo" in table.output
    assert runner.invoke(flaggers_app, ["remove", "CHỐNG LỪA ĐẢO", "--db", url]).exit_code == 0
    assert runner.invoke(flaggers_app, ["remove", "Chống Lừa Đảo", "--db", url]).exit_code == 2
    assert runner.invoke(flaggers_app, ["list", "--json", "--db", url]).output.strip() == ""
    assert "Chống Lừa Đảo" in runner.invoke(flaggers_app, ["list", "--removed", "--json", "--db", url]).output
