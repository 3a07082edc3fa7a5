"""``khien serve``, ``khien db upgrade``, ``khien keys create``, ``khien audit verify``.

Every command that touches the store takes ``--db URL`` (or ``KHIEN_DATABASE_URL``); the default
is ``sqlite:///khien.db`` in the working directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .main import EXIT_OK, EXIT_REJECTED, guarded
from .options import ROLE_HELP, DbOption, PolicyOption, database_url

db_app = typer.Typer(help="The service's database.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for the HTTP service.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
_url = database_url


@guarded
def serve(
    db: Optional[str] = DbOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", min=1, max=65535),
    policy: Optional[Path] = PolicyOption,
    worker: Optional[bool] = typer.Option(None, "--worker/--no-worker",
                                          help="Decide stored items in the background (default: $KHIEN_WORKER, else yes)."),
    access_log: bool = typer.Option(False, "--access-log", help="Log every request."),
) -> None:
    """Run the HTTP API (and its worker). Migrates the database to the current schema first."""
    import uvicorn

    from ..server import create_app
    from ..settings import Settings

    settings = Settings.from_env(database_url=db, policy=str(policy) if policy else None, worker=worker)
    application = create_app(settings)
    typer.echo(f"khien: serving on http://{host}:{port} (database {settings.database_url.split('@')[-1]}, "
               f"policy {application.state.engine.policy.version})", err=True)
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=access_log,
                timeout_graceful_shutdown=5)


@db_app.command("upgrade")
@guarded
def db_upgrade(db: Optional[str] = DbOption) -> None:
    """Apply the Alembic migrations (SQLite or PostgreSQL)."""
    from ..review.services import migrate as upgrade, open_store

    store = open_store(_url(db))
    revision = upgrade(store)
    typer.echo(f"database at revision {revision}")


@keys_app.command("create")
@guarded
def keys_create(
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    name: Optional[str] = typer.Option(None, "--name", help="Who holds it (a moderator's name identifies them)."),
    db: Optional[str] = DbOption,
) -> None:
    """Create an API key. The key is printed once, alone on the last line; only its hash is stored."""
    from ..access import create_key
    from ..review.services import open_store

    store = open_store(_url(db), upgrade=True)
    with store.write() as tx:
        made = create_key(tx, role=role, name=name, actor="cli")
    typer.echo(f"created key {made.id} for {made.name} (role {made.role}); it is shown once:", err=True)
    typer.echo(made.key)


@audit_app.command("verify")
@guarded
def audit_verify(db: Optional[str] = DbOption) -> None:
    """Check the audit hash chain; exit 1 naming the first bad event."""
    from ..audit import verify
    from ..review.services import open_store

    result = verify(open_store(_url(db)))
    if result.ok:
        typer.echo(f"audit chain OK: {result.events} events")
        raise typer.Exit(EXIT_OK)
    typer.echo(f"audit chain BROKEN at event {result.bad_seq}: {result.problem}")
    raise typer.Exit(EXIT_REJECTED)
