"""``khien items failed`` and ``khien items retry ID``: the items the worker quarantined.

The worker marks an item ``failed`` (with its error) when it cannot decide it; nothing retries it
on its own. These commands list them and send one back to the worker, writing ``item.retried`` to
the audit log as the API's ``POST /v1/items/{id}/retry`` does. Registered by
the command table in ``cli/main.py``.
"""

from __future__ import annotations

from typing import Any, Optional

import typer

from .main import guarded
from .options import list_out

__all__ = ["items_app"]

items_app = typer.Typer(help="Items the worker could not decide (quarantined) and their retry.",
                        no_args_is_help=True)

_DB = typer.Option(None, "--db", envvar="KHIEN_DATABASE_URL",
                   help="Database URL: sqlite:///khien.db (default) or postgresql+psycopg://user@host:port/db.")
CLI_ACTOR = "cli"


@items_app.command("failed")
@guarded
def items_failed(
    db: Optional[str] = _DB,
    limit: int = typer.Option(100, "--limit", min=1, max=10_000, help="List at most this many."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line instead of a table."),
) -> None:
    """List quarantined items, oldest first, with their error."""
    from ..review import intake, open_store

    store = open_store(db, upgrade=True)
    with store.read() as tx:
        found = intake.failed_items(tx, limit=limit)

    def line(entry: Any) -> str:
        s = entry.stored
        where = f"{s.platform}:" if s.platform else ""
        return f"{where}{s.item_id}\t{s.received_at}\tattempts {s.attempts}\t{s.error}"

    list_out(found, as_json=as_json, empty="no failed items", line=line)


@items_app.command("retry")
@guarded
def items_retry(
    item_id: str = typer.Argument(..., help="The item's id."),
    platform: Optional[str] = typer.Option(None, "--platform", help="The item's platform, if it has one."),
    db: Optional[str] = _DB,
) -> None:
    """Send a failed item back to the worker (failed → pending)."""
    from ..review import Actor, intake, open_store

    store = open_store(db, upgrade=True)
    with store.write() as tx:
        state = intake.retry(tx, Actor(CLI_ACTOR, "admin"), platform or "", item_id)
    typer.echo(f"item {item_id}{' on ' + platform if platform else ''} is {state.status.value} again; "
               "the worker will decide it")
