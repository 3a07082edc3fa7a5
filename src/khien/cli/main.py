"""The ``khien`` command. Commands are thin wrappers over the library, listed in :data:`COMMANDS`.

Exit codes: 0 success; 1 some input was rejected (each reported with its line number) or a check
failed; 2 usage, policy or configuration error.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence

import typer

from ..errors import KhienError

app = typer.Typer(
    name="khien",
    help="Khiên: trust-and-safety engine for Vietnamese-language platforms.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def fail(message: str, code: int = EXIT_USAGE) -> None:
    typer.echo(f"khien: error: {message}", err=True)
    raise typer.Exit(code)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn KhienError (and a missing optional dependency) into a one-line message and exit code 2."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KhienError as exc:
            fail(str(exc))
        except ModuleNotFoundError as exc:  # an optional dependency imported on first use
            extra = _extra_of(exc.name)
            if extra is None:
                raise
            fail(f"this needs the optional '{extra}' dependencies ({exc.name} is not installed): {install_hint(extra)}")
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0)

    return wrapper


@dataclass(frozen=True, slots=True)
class Command:
    """One row of the command table: ``khien NAME`` runs ``target`` of a module in ``khien.cli``."""

    name: str
    target: str  # "module:attribute": a function (one command) or a typer.Typer (a group of commands)
    extra: str | None = None  # the optional dependencies it needs: pip install 'khien[EXTRA]'
    optional: bool = False  # the module may be absent (work in progress elsewhere): then the row is skipped


# Every command of `khien`, in the order `khien --help` lists them. Modules never register
# themselves: importing one has no effect on the CLI, and this table is the only list.
COMMANDS: tuple[Command, ...] = (
    Command("scan", "scan:scan"),
    Command("explain", "explain:explain"),
    Command("campaigns", "campaigns_cmd:campaigns"),
    Command("policy", "policy_cmd:policy_app"),
    Command("train", "learn_cmd:train"),
    Command("eval", "learn_cmd:eval_"),
    Command("impersonation", "impersonation_cmd:impersonation"),
    Command("registry", "impersonation_cmd:registry_app"),
    Command("config", "config_cmd:config_app"),
    Command("serve", "service_cmd:serve", extra="server"),
    Command("worker", "service_cmd:worker", extra="server"),
    Command("db", "service_cmd:db_app", extra="server"),
    Command("keys", "service_cmd:keys_app", extra="server"),
    Command("audit", "service_cmd:audit_app", extra="server"),
    Command("users", "console_cmd:users_app", extra="server"),
    Command("demo-setup", "console_cmd:demo_setup", extra="server"),
    # `khien items failed` / `khien items retry` (quarantined items).
    Command("items", "items_cmd:items_app", extra="server"),
    # `khien flaggers add|list|remove` (trusted flaggers, issue 12).
    Command("flaggers", "flaggers_cmd:flaggers_app", extra="server"),
    # `khien stream --from kafka://... --to kafka://...` (issue 13).
    Command("stream", "stream_cmd:stream", extra="kafka"),
    Command("claims", "claims_cmd:claims_app", extra="server"),  # fact-checks (issue 15)
)

# The modules that stand for each optional extra of pyproject.toml: a command whose extra is not
# installed is replaced by one that says what to install, instead of an ImportError at run time.
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "server": ("fastapi", "uvicorn", "sqlalchemy", "alembic", "argon2", "jinja2", "cryptography"),
    "learn": ("pyarrow",),
    "impersonation": ("imagehash", "PIL"),
    "kafka": ("confluent_kafka",),
}


def extra_installed(extra: str) -> bool:
    return all(importlib.util.find_spec(module) is not None for module in EXTRA_MODULES[extra])


def install_hint(extra: str) -> str:
    return f"pip install 'khien[{extra}]'"


def _extra_of(module: str | None) -> str | None:
    top = (module or "").split(".")[0]
    return next((extra for extra, modules in EXTRA_MODULES.items() if top in modules), None)


def _needs_extra(name: str, extra: str) -> Callable[..., None]:
    def command(args: Optional[List[str]] = typer.Argument(None, hidden=True)) -> None:
        fail(f"'khien {name}' needs the optional '{extra}' dependencies, which are not installed: "
             f"{install_hint(extra)}")

    command.__doc__ = f"(not installed: {install_hint(extra)})"
    return command


def register(target: typer.Typer, commands: Sequence[Command] = COMMANDS,
             installed: Callable[[str], bool] = extra_installed) -> list[str]:
    """Add every row of ``commands`` to ``target``; returns the names added, in order."""
    added = []
    for row in commands:
        if row.extra and not installed(row.extra):
            target.command(row.name, add_help_option=False,
                           context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
                           )(_needs_extra(row.name, row.extra))
            added.append(row.name)
            continue
        module_name, _, attribute = row.target.partition(":")
        qualified = f"{__package__}.{module_name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as exc:
            if row.optional and exc.name == qualified:
                continue
            raise
        obj = getattr(module, attribute)
        if isinstance(obj, typer.Typer):
            target.add_typer(obj, name=row.name)
        else:
            target.command(row.name)(obj)
        added.append(row.name)
    return added


_registered = False


def _register() -> None:
    """Fill the ``khien`` app from :data:`COMMANDS` (once; later calls do nothing)."""
    global _registered
    if not _registered:
        register(app)
        _registered = True


def main() -> None:
    from ..settings import typo_warnings, warn_typos_once

    _register()
    warn_typos_once(typo_warnings(os.environ), lambda message: typer.echo(f"khien: warning: {message}", err=True))
    app()


if __name__ == "__main__":
    main()
