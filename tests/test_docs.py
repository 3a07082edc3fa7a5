"""The docs name everything a user can configure or run: every setting and its variable, every
registered detector, every policy condition kind, every CLI command.

Assertions on detectors and condition kinds read ``docs/policy.md`` (kept by the policy/engine
work): a detector or condition added without its documentation fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def _docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))


def _table_row(text: str, first_cell: str) -> str | None:
    for line in text.splitlines():
        if line.startswith(f"| {first_cell} |"):
            return line
    return None


def test_every_setting_has_a_row_naming_its_variable_setting_and_default():
    from khien.settings import SETTINGS

    reference = (DOCS / "operations.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        row = _table_row(reference, f"`{s.env}`")
        assert row is not None, f"docs/operations.md has no row for {s.env}"
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == f"`{s.name}`", row
        if s.default is None:
            assert cells[3] == "unset", row
        else:
            shown = "true" if s.default is True else "false" if s.default is False else s.default
            default = cells[3].split()[0].strip("`")
            assert (float(default) == float(shown)) if isinstance(shown, (int, float)) else default == shown, row


def test_every_variable_of_the_build_and_tests_is_documented():
    from khien.settings import OTHER_VARIABLES

    reference = (DOCS / "operations.md").read_text(encoding="utf-8")
    for name in OTHER_VARIABLES:
        assert _table_row(reference, f"`{name}`"), f"docs/operations.md has no row for {name}"
    assert "KHIEN_TEST_PG_PORT" in reference


def test_every_khien_variable_the_code_reads_is_declared():
    from khien.settings import OTHER_VARIABLES, SETTINGS

    declared = {s.env for s in SETTINGS} | set(OTHER_VARIABLES)
    found: dict[str, str] = {}
    sources = [*(REPO / "src").rglob("*.py"), *(REPO / "scripts").glob("*"), *(REPO / "bench").glob("*.py"),
               REPO / "Makefile", REPO / "tests" / "conftest.py"]
    for path in sources:
        if path.is_file() and path.name != "settings.py":  # settings.py declares them (and shows a typo)
            for name in re.findall(r"\bKHIEN_[A-Z][A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")):
                found.setdefault(name, str(path.relative_to(REPO)))
    undeclared = {name: where for name, where in found.items() if name not in declared}
    assert not undeclared, f"declare these in khien.settings (SETTINGS or OTHER_VARIABLES): {undeclared}"


def test_every_registered_detector_is_documented():
    """Reads docs/policy.md (engine work): a new detector needs its row there."""
    from khien.detect.registry import available

    docs = _docs()
    missing = [name for name in available() if f"`{name}`" not in docs]
    assert not missing, f"detectors missing from docs/: {missing}"


def test_every_policy_condition_kind_is_documented():
    """Reads docs/policy.md (engine work): a new condition kind needs its row there."""
    from khien.policy.conditions import condition_names

    docs = _docs()
    missing = [kind for kind in condition_names() if not re.search(r"\{\s*" + re.escape(kind) + r"\s*:", docs)]
    assert not missing, f"policy condition kinds missing from docs/: {missing}"


def _leaf_commands() -> list[str]:
    from khien.cli.main import _register, app

    _register()

    def walk(command, path):
        children = getattr(command, "commands", None)
        if children is None:
            yield " ".join(path)
            return
        for name, child in children.items():
            yield from walk(child, [*path, name])

    return list(walk(typer.main.get_command(app), ["khien"]))


def test_every_cli_command_is_documented():
    commands = _leaf_commands()
    assert "khien config show" in commands and "khien scan" in commands
    docs = _docs()
    missing = [c for c in commands if not re.search(re.escape(c) + r"(?![\w-])", docs)]
    assert not missing, f"commands missing from docs/: {missing}"


@pytest.mark.parametrize("command", ["khien config show", "khien demo-setup", "khien users list"])
def test_the_command_reference_has_a_row_for(command):
    assert _table_row((DOCS / "operations.md").read_text(encoding="utf-8"), f"`{command}`")
