"""The command table of cli/main.py: every row is reachable, nothing registers itself, extras are named."""

from __future__ import annotations

import importlib

import pytest
import typer
from typer.testing import CliRunner

from khien.cli import main as cli

runner = CliRunner()


def _fresh(installed=lambda extra: True) -> tuple[typer.Typer, list[str]]:
    app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    return app, cli.register(app, installed=installed)


def test_every_row_of_the_table_answers_help():
    app, names = _fresh()
    expected = [row.name for row in cli.COMMANDS
                if not row.optional or importlib.util.find_spec(f"khien.cli.{row.target.split(':')[0]}")]
    assert names == expected
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage" in result.output


def test_the_khien_app_lists_exactly_the_table():
    cli._register()
    cli._register()  # idempotent
    listed = set(typer.main.get_command(cli.app).commands)  # type: ignore[attr-defined]
    _, expected = _fresh()
    assert listed == set(expected)
    assert {"scan", "explain", "policy", "config", "serve", "demo-setup", "users"} <= listed


def test_importing_a_command_module_registers_nothing():
    cli._register()
    before = (len(cli.app.registered_commands), len(cli.app.registered_groups))
    for module in {row.target.split(":")[0] for row in cli.COMMANDS if not row.optional}:
        importlib.reload(importlib.import_module(f"khien.cli.{module}"))
    assert (len(cli.app.registered_commands), len(cli.app.registered_groups)) == before


def test_a_missing_extra_is_named_with_the_pip_command():
    app, names = _fresh(installed=lambda extra: extra != "server")
    assert "serve" in names
    for args in (["serve", "--port", "8080"], ["serve", "--help"], ["db", "upgrade"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert "pip install 'khien[server]'" in result.output, args
    ok = runner.invoke(app, ["explain", "--help"])
    assert ok.exit_code == 0


def test_an_optional_row_is_skipped_while_its_module_is_absent():
    rows = (cli.Command("scan", "scan:scan"), cli.Command("chua-co", "khong_ton_tai_cmd:app", optional=True))
    app = typer.Typer()
    assert cli.register(app, rows) == ["scan"]
    with pytest.raises(ModuleNotFoundError):
        cli.register(typer.Typer(), (cli.Command("chua-co", "khong_ton_tai_cmd:app"),))


def test_a_missing_optional_dependency_at_run_time_names_its_extra():
    @cli.guarded
    def reads_parquet() -> None:
        raise ModuleNotFoundError("No module named 'pyarrow'", name="pyarrow")

    with pytest.raises(typer.Exit) as caught:
        reads_parquet()
    assert caught.value.exit_code == 2
