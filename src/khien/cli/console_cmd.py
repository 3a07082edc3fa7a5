"""``khien users create|list|disable|enable|reset`` and ``khien demo-setup``.

``users create`` asks for the password twice on a terminal; when stdin is piped it reads the
first line (and, if there is one, checks the second line matches). ``users reset NAME`` prints a
new random password once, or with ``--ask`` reads one like ``users create``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from .main import fail, guarded
from .options import ROLE_HELP, DbOption, database_url

users_app = typer.Typer(help="Accounts for the moderator console.", no_args_is_help=True)
_url = database_url


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
        fail("the two passwords differ; nothing was changed")
    return first


@users_app.command("create")
@guarded
def users_create(
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    name: str = typer.Option(..., "--name", help="The person's name: it appears on their decisions and in the audit log."),
    db: Optional[str] = DbOption,
) -> None:
    """Create a console account (the password is hashed with argon2id; it is never stored)."""
    from ..access import create_user
    from ..review.services import open_store

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
    from ..review.services import open_store

    store = open_store(_url(db), upgrade=True)
    with store.read() as tx:
        for u in list_users(tx):
            typer.echo(f"{u.id}\t{u.name}\t{u.role}\t{u.created_at}\t{'' if u.enabled else 'disabled'}")


def _admin_change(what: str, name: str, db: Optional[str]) -> None:
    from .. import access
    from ..review.services import open_store

    store = open_store(_url(db), upgrade=True)
    with store.write() as tx:
        user = (access.disable_user if what == "disable" else access.enable_user)(tx, name, actor="cli")
    typer.echo(f"console user {user.name} {'disabled; their sessions ended' if what == 'disable' else 'enabled'}")


@users_app.command("disable")
@guarded
def users_disable(name: str = typer.Argument(..., help="The account's name (case does not matter)."),
                  db: Optional[str] = DbOption) -> None:
    """Disable a console account: it cannot sign in, and its open sessions end at once."""
    _admin_change("disable", name, db)


@users_app.command("enable")
@guarded
def users_enable(name: str = typer.Argument(..., help="The account's name (case does not matter)."),
                 db: Optional[str] = DbOption) -> None:
    """Enable a disabled console account again (its password is unchanged)."""
    _admin_change("enable", name, db)


@users_app.command("reset")
@guarded
def users_reset(
    name: str = typer.Argument(..., help="The account's name (case does not matter)."),
    ask: bool = typer.Option(False, "--ask", help="Read the new password (as users create does) instead of "
                                                  "printing a random one."),
    db: Optional[str] = DbOption,
) -> None:
    """Give a console account a new password; its open sessions end. Prints a random one unless --ask."""
    from ..access import new_password, reset_password
    from ..review.services import open_store

    password = _read_password() if ask else new_password()
    store = open_store(_url(db), upgrade=True)
    with store.write() as tx:
        user = reset_password(tx, name, password, actor="cli")
    if ask:
        typer.echo(f"password of {user.name} reset; their sessions ended")
    else:
        typer.echo(f"password of {user.name} reset; their sessions ended. New password (shown once): {password}")


@guarded
def demo_setup(
    db: Optional[str] = DbOption,
    input: Path = typer.Option(Path("examples/posts.jsonl"), "--input", "-i", exists=True, dir_okay=False,
                               help="JSONL (or CSV) items to decide."),
    password: Optional[str] = typer.Option(None, "--password",
                                           help="The demo moderators' password (default: $KHIEN_DEMO_PASSWORD, "
                                                "else a new random one). Every run sets it again."),
    appeal: bool = typer.Option(True, "--appeal/--no-appeal", help="Also file one sample appeal from a user."),
) -> None:
    """Fill a database for a look at the console: decided examples, open cases, two demo moderators."""
    from ..demo import read_items, setup_demo
    from ..settings import setting_value

    url = database_url(db)
    items = read_items(input)
    done = setup_demo(url, items, password=setting_value("demo_password", password),
                      appeal=appeal)
    typer.echo(f"{done.stored} items stored ({done.duplicates} already there), {done.decided} decided; "
               f"{done.open_cases} open cases, {done.open_appeals} open appeals"
               f"{' (1 sample)' if done.appeal_filed else ''}.")
    if done.reports_filed:
        typer.echo(f"{done.reports_filed} sample user reports grouped into one report case; "
                   f"sample account case {done.account_case} opened by hand (console: Tài khoản / Accounts).")
    typer.echo(f"demo moderators: {', '.join(done.users)}   password: {done.password}")
    if done.password_reset:
        typer.echo(f"  (the password of {', '.join(done.password_reset)} was reset by this run; "
                   "an earlier one no longer works)")
    else:
        typer.echo("  (new accounts; every run of demo-setup sets this password again)")
    typer.echo("open the console with:")
    typer.echo(f"  {_khien_command()} serve --db {url}    # then open http://127.0.0.1:8080/")
