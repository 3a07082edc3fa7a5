"""The ``khien`` command. Commands are thin wrappers over the library.

Exit codes: 0 success; 1 some input was rejected (each reported with its line number) or a check
failed; 2 usage, policy or configuration error.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

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
    """Turn KhienError into a one-line message and exit code 2, never a traceback."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KhienError as exc:
            fail(str(exc))
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0)

    return wrapper


def _register() -> None:
    from . import explain, policy_cmd, scan  # noqa: F401  (modules add their commands)

    for module in ("learn_cmd", "impersonation_cmd", "service_cmd", "console_cmd"):
        try:
            __import__(f"{__package__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"{__package__}.{module}"):
                continue
            raise


def main() -> None:
    _register()
    app()


if __name__ == "__main__":
    main()
