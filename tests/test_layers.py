"""The layers of ARCHITECTURE.md section 7 hold: import-linter checks the contracts in `.importlinter`
(the core imports no service, store or framework; server and cli never import store; services never
import server or cli)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    res = subprocess.run([str(lint), "--config", str(REPO / ".importlinter"), "--no-cache"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert res.stdout.count("KEPT") == 3


def test_the_contracts_would_catch_a_store_import_from_the_server(tmp_path):
    """The check is not vacuous: a copy of the contract with one more forbidden edge that exists fails."""
    lint = Path(sys.executable).with_name("lint-imports")
    config = tmp_path / "contracts.ini"
    config.write_text("""[importlinter]
root_package = khien

[importlinter:contract:probe]
name = probe: review must not import store (it does, so this contract breaks)
type = forbidden
source_modules =
    khien.review
forbidden_modules =
    khien.store
""", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    res = subprocess.run([str(lint), "--config", str(config), "--no-cache"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode != 0 and "BROKEN" in res.stdout
