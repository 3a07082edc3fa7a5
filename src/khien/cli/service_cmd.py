"""``khien serve``, ``khien worker``, ``khien db upgrade``, ``khien keys create``, ``khien audit keygen|checkpoint|verify``.

Every command that touches the store takes ``--db URL`` (or ``KHIEN_DATABASE_URL``); the default
is ``sqlite:///khien.db`` in the working directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from .main import EXIT_OK, EXIT_REJECTED, fail, guarded
from .options import ROLE_HELP, DbOption, PolicyOption, database_url

db_app = typer.Typer(help="The service's database.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for the HTTP service.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
_url = database_url

if TYPE_CHECKING:
    from ..settings import Settings


@guarded
def serve(
    db: Optional[str] = DbOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", min=1, max=65535),
    policy: Optional[Path] = PolicyOption,
    worker: Optional[bool] = typer.Option(None, "--worker/--no-worker",
                                          help="Decide stored items in the background (default: $KHIEN_WORKER, else yes)."),
    access_log: bool = typer.Option(False, "--access-log", help="Log every request."),
    workers: int = typer.Option(1, "--workers", min=1,
                                help="Server processes (each builds the app from the settings; with "
                                     "PostgreSQL, pair several with --no-worker and separate `khien worker`s)."),
) -> None:
    """Run the HTTP API (and its worker). Migrates the database to the current schema first."""
    import uvicorn

    from ..server import create_app
    from ..settings import Settings

    settings = Settings.from_env(database_url=db, policy=str(policy) if policy else None, worker=worker)
    if workers > 1:
        _serve_processes(settings, host, port, workers, access_log)
        return
    application = create_app(settings)
    typer.echo(f"khien: serving on http://{host}:{port} (database {settings.database_url.split('@')[-1]}, "
               f"policy {application.state.engine.policy.version})", err=True)
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=access_log,
                timeout_graceful_shutdown=5)


def _serve_processes(settings: "Settings", host: str, port: int, workers: int, access_log: bool) -> None:
    """``serve --workers N``: uvicorn starts N processes, each calling ``create_app()``.

    A child process rebuilds its settings from the environment (``Settings.from_env``), so the
    flags given here are handed down as ``KHIEN_*`` variables. The database is migrated once, here,
    before the children start: N processes migrating at once would race on the schema.
    """
    import os

    import uvicorn

    from ..review.services import migrate, open_store

    if settings.migrate:
        store = open_store(settings.database_url)
        try:
            migrate(store)
        finally:
            store.dispose()
    os.environ["KHIEN_DATABASE_URL"] = settings.database_url
    if settings.policy:
        os.environ["KHIEN_POLICY"] = settings.policy
    os.environ["KHIEN_WORKER"] = "true" if settings.worker else "false"
    os.environ["KHIEN_MIGRATE"] = "false"
    typer.echo(f"khien: serving on http://{host}:{port} with {workers} processes (database "
               f"{settings.database_url.split('@')[-1]}, in-process workers {'on' if settings.worker else 'off'})",
               err=True)
    uvicorn.run("khien.server:create_app", factory=True, workers=workers, host=host, port=port,
                log_level="warning", access_log=access_log, timeout_graceful_shutdown=5)


@guarded
def worker(
    db: Optional[str] = DbOption,
    policy: Optional[Path] = PolicyOption,
    batch: Optional[int] = typer.Option(None, "--batch", min=1, help="Items per batch (default: $KHIEN_WORKER_BATCH, else 500)."),
    nice: int = typer.Option(10, "--nice", min=0, max=19,
                             help="Lower this process's CPU priority by N (os.nice) so the API on the same "
                                  "host answers first; 0 keeps it."),
) -> None:
    """Decide the items `POST /v1/items` stored, in this process, until SIGTERM or Ctrl-C.

    Several may run at once, on one host or many (PostgreSQL): each leases its batch, and a killed
    worker's items are taken by another after KHIEN_WORKER_LEASE_S. On SIGTERM/SIGINT the batch in
    hand is finished and the command exits 0. Migrates the database first (KHIEN_MIGRATE).
    The worker runs at a lower CPU priority (--nice, default 10): on a host shared with `khien serve`
    a backlog being decided does not slow the API's answers.
    """
    import os
    import signal
    import threading

    from ..engine import Engine
    from ..review.services import migrate, open_store
    from ..run.worker import Worker, run_until_stopped
    from ..settings import Settings

    settings = Settings.from_env(database_url=db, policy=str(policy) if policy else None, worker_batch=batch)
    if nice:
        os.nice(nice)  # the whole process, before the engine is built: every thread it starts inherits it
    store = open_store(settings.database_url)
    if settings.migrate:
        migrate(store)
    from ..detect.context import DetectorContext
    from ..review.claims_live import LiveClaims

    engine = Engine.from_policy(settings.policy, context=DetectorContext(
        claims=LiveClaims(store, dense=settings.claims_dense)))
    loop = Worker(store, engine, batch=settings.worker_batch, batch_bytes=settings.worker_batch_bytes,
                  idle_s=settings.worker_idle_s, lease_s=settings.worker_lease_s)
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        typer.echo(f"khien worker {loop.owner}: {signal.Signals(signum).name}, finishing the batch in hand",
                   err=True)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        run_until_stopped(loop, stop, lambda line: typer.echo(line, err=True))
    finally:
        store.dispose()


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


@audit_app.command("keygen")
@guarded
def audit_keygen(
    out: Path = typer.Option(..., "--out", help="Where to write the private key (created 0600; never overwritten)."),
) -> None:
    """Make an Ed25519 key for signing checkpoints. Keep it outside the database; the public key is printed."""
    from ..audit.signing import generate_key

    public = generate_key(out)
    typer.echo(f"wrote the private key to {out} (mode 600); publish the public key below, "
               "`khien audit verify --public-key` takes it:", err=True)
    typer.echo(public)


@audit_app.command("checkpoint")
@guarded
def audit_checkpoint(
    key: Optional[Path] = typer.Option(None, "--key", help="Private key file (default: $KHIEN_AUDIT_CHECKPOINT_KEY)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Append the signed checkpoint (a JSON line) to this file."),
    webhook: Optional[str] = typer.Option(None, "--webhook", help="POST the signed checkpoint (JSON) to this URL."),
    db: Optional[str] = DbOption,
) -> None:
    """Verify the chain and sign its head; keep the JSON line outside the database (printed, and --out/--webhook)."""
    from ..audit.checkpoint import ChainBroken, make, record_checkpoint
    from ..audit.checkpoint import append as append_line
    from ..audit.signing import load_private_key
    from ..review.services import open_store
    from ..settings import Settings

    key_path = Settings.from_env(audit_checkpoint_key=str(key) if key else None).audit_checkpoint_key
    if not key_path:
        fail("no signing key: give --key KEY or set KHIEN_AUDIT_CHECKPOINT_KEY (make one with `khien audit keygen`)")
    signing_key = load_private_key(Path(key_path))
    store = open_store(_url(db))
    try:
        made = make(store, signing_key)
    except ChainBroken as exc:
        typer.echo(str(exc))
        raise typer.Exit(EXIT_REJECTED)
    # Published before it is recorded: the report never names a checkpoint that nobody outside holds.
    if out is not None:
        append_line(out, made)
    if webhook is not None:
        _post_checkpoint(webhook, made.to_line())
    record_checkpoint(store, made)
    plural = "" if made.events == 1 else "s"
    typer.echo(f"checkpoint of event {made.seq} ({made.events} event{plural}) signed by {made.public_key}", err=True)
    typer.echo(made.to_line())


def _post_checkpoint(url: str, line: str) -> None:
    import httpx

    try:
        answer = httpx.post(url, content=line.encode("utf-8"), headers={"content-type": "application/json"},
                            timeout=10.0)
    except httpx.HTTPError as exc:
        fail(f"--webhook {url}: the checkpoint could not be delivered ({type(exc).__name__}); it was not recorded",
             EXIT_REJECTED)
    if not answer.is_success:
        fail(f"--webhook {url}: the receiver answered {answer.status_code}; the checkpoint was not recorded",
             EXIT_REJECTED)


@audit_app.command("verify")
@guarded
def audit_verify(
    db: Optional[str] = DbOption,
    checkpoint: Optional[Path] = typer.Option(None, "--checkpoint",
                                              help="Also hold the chain to every signed checkpoint in this file."),
    public_key: Optional[str] = typer.Option(None, "--public-key",
                                             help="The key the checkpoints must be signed with: 'ed25519:...' "
                                                  "or a file holding it."),
) -> None:
    """Check the audit hash chain (and signed checkpoints); exit 1 naming the first bad event."""
    from ..audit import verify
    from ..review.services import open_store

    if (checkpoint is None) != (public_key is None):
        fail("--checkpoint and --public-key go together: a checkpoint is only as good as the key that signed it")
    store = open_store(_url(db))
    if checkpoint is not None and public_key is not None:
        from ..audit.checkpoint import CheckpointError, read, verify_against
        from ..audit.signing import parse_public_key

        public = parse_public_key(public_key)
        try:
            checkpoints = read(checkpoint)
        except CheckpointError as exc:
            typer.echo(f"audit checkpoints UNREADABLE: {exc}")
            raise typer.Exit(EXIT_REJECTED)
        result = verify_against(store, checkpoints, public)
    else:
        result = verify(store)
    if result.ok:
        n = result.checkpoints
        held = f"; {n} signed checkpoint{'s hold' if n > 1 else ' holds'}" if n else ""
        typer.echo(f"audit chain OK: {result.events} events{held}")
        raise typer.Exit(EXIT_OK)
    typer.echo(f"audit chain BROKEN at event {result.bad_seq}: {result.problem}")
    raise typer.Exit(EXIT_REJECTED)
