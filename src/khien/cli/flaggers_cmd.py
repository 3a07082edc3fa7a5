"""``khien flaggers add|list|remove``: trusted flaggers (DSA Art. 22), for admins at the console.

The same service as ``/v1/flaggers`` (:mod:`khien.reports.flaggers`), so the audit log records
``flagger.added`` / ``flagger.removed`` with the actor ``cli``. Registered by the command table in
``cli/main.py``.
"""

from __future__ import annotations

from typing import Any, Optional

import typer

from .main import guarded
from .options import list_out

__all__ = ["flaggers_app"]

flaggers_app = typer.Typer(help="Trusted flaggers: organisations whose reports go first and are answered in time.",
                           no_args_is_help=True)

_DB = typer.Option(None, "--db", envvar="KHIEN_DATABASE_URL",
                   help="Database URL: sqlite:///khien.db (default) or postgresql+psycopg://user@host:port/db.")
CLI_ACTOR = "cli"


@flaggers_app.command("add")
@guarded
def flaggers_add(
    name: str = typer.Argument(..., help="The flagger's name, as reports name it (case and width do not matter)."),
    organisation: str = typer.Option(..., "--organisation", help="The organisation behind it."),
    respond_hours: int = typer.Option(24, "--respond-hours", min=1, max=24 * 90,
                                      help="Hours within which its reports are answered (the case's due time)."),
    contact: Optional[str] = typer.Option(None, "--contact", help="Who to contact there (e-mail, phone)."),
    db: Optional[str] = _DB,
) -> None:
    """Register a trusted flagger."""
    from ..reports import flaggers
    from ..review import Actor, open_store

    store = open_store(db, upgrade=True)
    with store.write() as tx:
        made = flaggers.add(tx, Actor(CLI_ACTOR, "admin"), name=name, organisation=organisation,
                            respond_hours=respond_hours, contact=contact)
    typer.echo(f"trusted flagger {made.flagger.name!r} ({made.flagger.organisation}) added; "
               f"its reports are due within {made.flagger.respond_hours} h")


@flaggers_app.command("list")
@guarded
def flaggers_list(
    removed: bool = typer.Option(False, "--removed", help="Include removed flaggers."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line instead of a table."),
    db: Optional[str] = _DB,
) -> None:
    """Trusted flaggers with their accuracy: upheld / answered reports."""
    from ..reports import flaggers
    from ..review import open_store

    store = open_store(db, upgrade=True)
    with store.read() as tx:
        found = flaggers.list_flaggers(tx, include_removed=removed)

    def line(view: Any) -> str:
        f, a = view.flagger, view.accuracy
        accuracy = f"{a.accuracy:.0%}" if a.accuracy is not None else "-"
        return (f"{f.name}\t{f.organisation}\t{f.respond_hours}\t{a.reports}\t{a.upheld}\t{a.rejected}\t"
                f"{accuracy}\t{f.removed_at or ''}")

    list_out(found, as_json=as_json, empty="no trusted flaggers", line=line,
             header="name\torganisation\trespond h\treports\tupheld\trejected\taccuracy\tremoved")


@flaggers_app.command("remove")
@guarded
def flaggers_remove(
    name: str = typer.Argument(..., help="The flagger's name."),
    db: Optional[str] = _DB,
) -> None:
    """Remove a trusted flagger (its past reports keep its name)."""
    from ..reports import flaggers
    from ..review import Actor, open_store

    store = open_store(db, upgrade=True)
    with store.write() as tx:
        gone = flaggers.remove(tx, Actor(CLI_ACTOR, "admin"), name)
    typer.echo(f"trusted flagger {gone.flagger.name!r} removed")
