"""Options shared by several commands and the engine they assemble."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import typer

from ..engine import Engine
from ..enums import Role, values
from ..settings import DEFAULT_DATABASE_URL, setting_value

ROLE_HELP = " | ".join(values(Role))  # choices derive from the enum, like the API schema's
PolicyOption = typer.Option(None, "--policy", "-p", help="Policy YAML (default: the packaged policy).")
ModelOption = typer.Option(None, "--model", "-m", help="A model directory trained with 'khien train'.")
RegistryOption = typer.Option(None, "--registry", help="Protected-entity registry YAML for impersonation.")
# The environment is read by khien.settings (not by Typer) so `khien config show` can say where a
# value came from and a bad value is reported the same way everywhere.
DbOption = typer.Option(None, "--db", help=f"Database URL (default: $KHIEN_DATABASE_URL, else {DEFAULT_DATABASE_URL}): "
                                           "sqlite:///PATH or postgresql+psycopg://user@host:port/db.")


def database_url(db: Optional[str]) -> str:
    """The ``--db`` flag if given, else ``KHIEN_DATABASE_URL``, else the default SQLite file."""
    return str(setting_value("database_url", db))


def build_engine(policy: Optional[Path], model: Optional[Path] = None, registry: Optional[Path] = None,
                 context: Any = None) -> Engine:
    """The engine of ``policy`` with the CLI's overrides; ``context``: a DetectorContext (fact-checks)."""
    overrides: dict[str, dict[str, Any]] = {}
    if model is not None:
        overrides["classifier.v1"] = {"model": str(model)}
    if registry is not None:
        overrides["impersonation.v1"] = {"registry": str(registry)}
    return Engine.from_policy(policy, overrides=overrides, context=context)


def list_out(found: Sequence[Any], *, as_json: bool, empty: str, line: Callable[[Any], str],
             header: str | None = None) -> None:
    """A listing command's output: one JSON object a line (``public()``) with ``--json``, else a
    tab-separated table (``header``, then ``line(entry)`` each); ``empty`` on stderr when none."""
    import orjson

    if as_json:
        for entry in found:
            typer.echo(orjson.dumps(entry.public()).decode())
        return
    if not found:
        typer.echo(empty, err=True)
        return
    if header:
        typer.echo(header)
    for entry in found:
        typer.echo(line(entry))
