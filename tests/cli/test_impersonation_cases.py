"""``khien impersonation --db --platform``: flagged accounts become account cases, once each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import khien
from khien.audit import iter_events
from khien.cli import main as cli
from khien.errors import NotFoundError
from khien.policy import load_policy
from khien.review import accounts, open_store

runner = CliRunner()
app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
cli.register(app, [row for row in cli.COMMANDS if row.name in ("impersonation", "registry")])
REGISTRY = Path(khien.__file__).parent / "data" / "registry.yaml"  # the packaged registry
ACCOUNTS = [
    {"id": "fb-1001", "display_name": "Vietcombank CSKH", "handle": "vcb.hotro24h", "followers": 1200},
    {"id": "fb-1002", "display_name": "Tiệm bánh mì Cô Ba Quận 3", "handle": "banhmicoba.q3", "followers": 85},
    {"id": "fb-1003", "display_name": "Vietcombank", "handle": "vietcombank", "verified": True,
     "followers": 2_500_000},
]


def _run(tmp_path: Path, *extra: str, env: dict[str, str] | None = None):
    accounts_file = tmp_path / "accounts.jsonl"
    accounts_file.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ACCOUNTS) + "\n", encoding="utf-8")
    return runner.invoke(app, ["impersonation", "-r", str(REGISTRY), "-a", str(accounts_file), *extra], env=env)


def test_flagged_accounts_become_account_cases_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    first = _run(tmp_path, "--db", url, "--platform", "facebook")
    assert first.exit_code == 0, first.output
    assert [json.loads(line)["id"] for line in first.stdout.splitlines()] == ["fb-1001"]  # still printed
    assert "1 account cases opened on 'facebook', 0 accounts already had" in first.stderr

    store = open_store(url)
    opened = [e for e in iter_events(store) if e.type == "account.case_opened"]
    assert len(opened) == 1
    event = opened[0].event
    assert opened[0].actor == "cli" and event.account == "fb-1001" and event.platform == "facebook"
    assert event.entity == "vietcombank" and event.category == "impersonation"
    assert event.origin == "account:impersonation"
    assert any("'Vietcombank CSKH'" in line and "CSKH" in line.split(":", 1)[1] for line in event.evidence)

    again = _run(tmp_path, "--db", url, "--platform", "facebook")
    assert again.exit_code == 0, again.output
    assert "0 account cases opened on 'facebook', 1 accounts already had" in again.stderr
    assert len([e for e in iter_events(store) if e.type == "account.case_opened"]) == 1

    policy = load_policy()
    with store.read() as tx:
        view = accounts.get_account(tx, policy, "facebook", "fb-1001")
        case = view.open_cases[0]
        assert len(view.open_cases) == 1 and case.category == "impersonation"
        assert case.origin.startswith("account:impersonation:finding")
        assert view.account.followers == 1200 and view.account.name == "Vietcombank CSKH"
        for other in ("fb-1002", "fb-1003"):  # the shop and the real page get no account record at all
            with pytest.raises(NotFoundError):
                accounts.get_account(tx, policy, "facebook", other)


def test_without_db_nothing_is_written_and_flags_go_together(tmp_path):
    # the database variable alone does not turn the command into one that writes
    plain = _run(tmp_path, env={"KHIEN_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}"})
    assert plain.exit_code == 0 and "account cases" not in plain.stderr
    assert not (tmp_path / "k.db").exists()
    half = _run(tmp_path, "--db", f"sqlite:///{tmp_path / 'k.db'}")
    assert half.exit_code == 2 and "--db and --platform go together" in half.output
    assert not (tmp_path / "k.db").exists()
