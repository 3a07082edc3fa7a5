"""``khien config show``: every setting's resolved value, where it came from, secrets masked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ..settings import resolve, warn_typos_once
from .main import guarded
from .options import DbOption, PolicyOption

config_app = typer.Typer(help="Settings (KHIEN_* variables and flags).", no_args_is_help=True)


@config_app.command("show")
@guarded
def show(
    db: Optional[str] = DbOption,
    policy: Optional[Path] = PolicyOption,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
) -> None:
    """Print every setting: its value (passwords and tokens masked), source (default, env, flag) and variable.

    ``--db`` and ``--policy`` are taken as ``khien serve`` takes them, so this shows what it would use.
    """
    resolved = resolve(flags={"database_url": db, "policy": str(policy) if policy else None})
    rows = resolved.shown()
    if as_json:
        typer.echo(json.dumps({"settings": [r.to_dict() for r in rows], "warnings": list(resolved.warnings)},
                              ensure_ascii=False, indent=2))
        return
    header = ("setting", "value", "source", "variable")
    table = [header] + [(r.name, r.value, str(r.source), r.env) for r in rows]
    widths = [max(len(line[col]) for line in table) for col in range(3)]
    for name, value, source, env in table:
        typer.echo(f"{name:{widths[0]}}  {value:{widths[1]}}  {source:{widths[2]}}  {env}")
    warn_typos_once(resolved.warnings, lambda message: typer.echo(f"khien: warning: {message}", err=True))
