"""``khien users create`` and ``khien demo-setup``: accounts for the console, and a demo to look at.

``users create`` asks for the password twice on a terminal; when stdin is piped it reads the
first line (and, if there is one, checks the second line matches).
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Optional

import typer

from .main import app, fail, guarded

users_app = typer.Typer(help="Accounts for the moderator console.", no_args_is_help=True)
app.add_typer(users_app, name="users")

DbOption = typer.Option(None, "--db", envvar="KHIEN_DATABASE_URL",
                        help="Database URL: sqlite:///khien.db (default) or postgresql+psycopg://user@host:port/db.")
DEMO_USERS = ("lan", "minh")


def _url(db: Optional[str]) -> str:
    from ..store import DEFAULT_URL

    return db or os.environ.get("KHIEN_DATABASE_URL") or DEFAULT_URL


def _khien_command() -> str:
    """``khien``, or the path this very program was run by when ``khien`` on PATH is not it (a venv)."""
    import shutil

    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0) == "khien" and shutil.which("khien") != os.path.abspath(argv0):
        rel = os.path.relpath(argv0)
        return rel if not rel.startswith("..") else os.path.abspath(argv0)
    return "khien"


def _read_password() -> str:
    if sys.stdin.isatty():
        first = typer.prompt("Password", hide_input=True)
        second = typer.prompt("Repeat the password", hide_input=True)
    else:
        lines = sys.stdin.read().splitlines()
        first = lines[0] if lines else ""
        second = lines[1] if len(lines) > 1 else first
    if first != second:
        fail("the two passwords differ; nothing was created")
    return first


@users_app.command("create")
@guarded
def users_create(
    role: str = typer.Option(..., "--role", help="moderator | admin | auditor | ingest"),
    name: str = typer.Option(..., "--name", help="The person's name: it appears on their decisions and in the audit log."),
    db: Optional[str] = DbOption,
) -> None:
    """Create a console account (the password is hashed with argon2id; it is never stored)."""
    from ..access import create_user
    from ..store import open_store

    password = _read_password()
    store = open_store(_url(db), upgrade=True)
    with store.write() as tx:
        made = create_user(tx, name=name, role=role, password=password)
    typer.echo(f"created console user {made.name} (role {made.role})")


@users_app.command("list")
@guarded
def users_list(db: Optional[str] = DbOption) -> None:
    """The console accounts (never their password hashes)."""
    from ..access import list_users
    from ..store import open_store

    store = open_store(_url(db), upgrade=True)
    with store.read() as tx:
        for u in list_users(tx):
            typer.echo(f"{u.id}\t{u.name}\t{u.role}\t{u.created_at}\t{'' if u.enabled else 'disabled'}")


@app.command("demo-setup")
@guarded
def demo_setup(
    db: Optional[str] = DbOption,
    input: Path = typer.Option(Path("examples/posts.jsonl"), "--input", "-i", exists=True, dir_okay=False,
                               help="JSONL items to decide."),
    password: Optional[str] = typer.Option(None, "--password", envvar="KHIEN_DEMO_PASSWORD",
                                           help="The demo moderators' password (default: a new random one)."),
    appeal: bool = typer.Option(True, "--appeal/--no-appeal", help="Also file one sample appeal from a user."),
) -> None:
    """Fill a database for a look at the console: decided examples, open cases, two demo moderators."""
    import orjson

    from ..engine import Engine
    from ..errors import KhienError
    from ..model import Item
    from ..review import appeals, intake, queries
    from ..review.actor import Actor
    from ..access import create_user, find_user, set_password
    from ..store import open_store

    url = _url(db)
    store = open_store(url, upgrade=True)
    engine = Engine.from_policy()
    items = []
    with open(input, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    items.append(Item.from_dict(orjson.loads(line)))
                except (orjson.JSONDecodeError, KhienError) as exc:
                    fail(f"{input}:{number}: {exc}")
    loader = Actor("demo-setup", "ingest")
    with store.write() as tx:
        stored = intake.ingest(tx, items, loader)
    decided = 0
    while True:
        n = intake.decide_pending(store, engine, limit=500)
        if not n:
            break
        decided += n
    password = password or secrets.token_urlsafe(9)
    with store.write() as tx:
        for name in DEMO_USERS:
            if find_user(tx, name) is None:
                create_user(tx, name=name, role="moderator", password=password, actor="demo-setup")
            else:
                set_password(tx, name, password, actor="demo-setup")
    filed = 0
    if appeal:
        with store.write() as tx:
            target = next((c for c in queries.queue(tx, action="remove", limit=1)), None)
            if target and not appeals.list_appeals(tx, state=None, limit=1):  # one sample appeal, filed once
                appeals.submit(tx, Actor("demo-user", "ingest"), item_id=target.item_id,
                               platform=target.platform or None,
                               statement="Tôi chỉ chia sẻ lại để cảnh báo mọi người, không phải quảng cáo. "
                                         "Xin xem xét lại quyết định gỡ bài.")
                filed = 1
    with store.read() as tx:
        counts = queries.counts(tx)
    typer.echo(f"{stored['accepted']} items stored ({stored['duplicates']} already there), {decided} decided; "
               f"{counts.cases} open cases, {counts.appeals} open appeals{' (1 sample)' if filed else ''}.")
    typer.echo(f"demo moderators: {', '.join(DEMO_USERS)}   password: {password}")
    typer.echo("open the console with:")
    typer.echo(f"  {_khien_command()} serve --db {url}    # then open http://127.0.0.1:8080/")
