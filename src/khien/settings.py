"""Every setting of Khiên, declared once: the CLI, the HTTP server and its worker read them here.

A setting is a field of :class:`Settings` with its type, default and help text; its environment
variable is ``KHIEN_`` + the field name in capitals (``worker_batch`` → ``KHIEN_WORKER_BATCH``).
Values are resolved in this order, the last one found winning: the default, the environment, a
command-line flag. :func:`resolve` returns the values with where each came from, for
``khien config show``.

Contracts:

- A bad value fails with a :class:`~khien.strict.ConfigError` naming the variable and what was
  expected (``KHIEN_WORKER_BATCH: expected an integer ≥ 1, found 'abc'``), never a raw ValueError.
- An empty variable counts as unset (``KHIEN_POLICY=`` means the packaged policy).
- An unknown ``KHIEN_*`` variable that looks like a misspelt setting (``KHIEN_DATABSE_URL``) gets a
  warning with the nearest valid name; it is never silently taken for the setting.
- Secrets (the password in a database URL, the demo password) are masked by :func:`shown_value`.

This module imports nothing above :mod:`khien.strict`, so every layer may read settings.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import os
import re
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from .strict import ConfigError, check_keys, nearest, parse

DEFAULT_CLAIM_TTL_S = 900.0  # the one default of a claim's length: review services and the console read it here

__all__ = [
    "Settings", "Setting", "Source", "Resolved", "ShownSetting", "SETTINGS", "OTHER_VARIABLES",
    "DEFAULT_DATABASE_URL", "resolve", "setting_value", "typo_warnings", "warn_typos_once", "shown_value",
    "mask_url",
]

ENV_PREFIX = "KHIEN_"
DEFAULT_DATABASE_URL = "sqlite:///khien.db"

# How a secret is shown: "url" hides the password inside a URL, "all" hides the whole value.
_SecretKind = typing.Literal["", "url", "all"]


def _setting(default: Any, help: str, *, secret: _SecretKind = "", minimum: float | None = None,
             used_by: str = "server") -> Any:
    return field(default=default, metadata={"help": help, "secret": secret, "minimum": minimum, "used_by": used_by})


@dataclass(frozen=True, slots=True)
class Settings:
    """The resolved settings. Build it with :meth:`from_env` (or directly, in tests)."""

    database_url: str = _setting(
        DEFAULT_DATABASE_URL,
        "Database URL: sqlite:///PATH (embedded) or postgresql+psycopg://user:password@host:port/db.",
        secret="url", used_by="cli, server, worker")
    policy: str | None = _setting(
        None, "Policy YAML the server decides with (unset: the packaged policy).")
    migrate: bool = _setting(True, "Bring the database schema to the current revision at start-up.")
    max_body_bytes: int = _setting(
        2 * 1024 * 1024, "Largest request body the API accepts, in bytes (larger: 413).", minimum=1)
    max_batch_items: int = _setting(
        1000, "Most items one POST /v1/items may carry.", minimum=1)
    max_batch_reports: int = _setting(
        1000, "Most reports one POST /v1/reports may carry (more: 422 naming the field 'reports').", minimum=1)
    reporter_limit_answered: int = _setting(
        5, "Answered reports a reporter needs before the rejection rate limit (DSA Art. 23) can apply.",
        minimum=1)
    reporter_limit_share: float = _setting(
        0.8, "Share of a reporter's answered reports that, once rejected, limits the reporter.", minimum=0)
    reporter_limit_hours: float = _setting(
        168.0, "Hours a reporter limited for repeated rejected reports must wait (their reports: 429).",
        minimum=0)
    report_contest_days: float = _setting(
        14.0, "Days a reporter has to contest a decision not to act on their report.", minimum=0)
    ring_rebuild_reports: int = _setting(
        200_000, "Most stored reports (of the last 14 days) replayed into the mass-report detector at start.",
        minimum=0)
    max_text_chars: int = _setting(
        100_000, "Longest item text, in characters, that the API and `khien scan` decide (longer: "
        "413 naming the field, or a line error).", minimum=1, used_by="cli, server")
    decide_threads: int = _setting(
        1, "Threads that run the engine for POST /v1/moderate (never the event loop); each takes what "
        "queued meanwhile, up to 8 items, into one engine call.", minimum=1)
    decide_queue: int = _setting(
        64, "Most POST /v1/moderate engine calls in flight (running and waiting); more: 503 with "
        "Retry-After.", minimum=1)
    decide_inline_chars: int = _setting(
        20_000, "Longest POST /v1/moderate text, in characters, decided in the server's threads; longer "
        "texts are decided in the engine child processes (decide_processes).", minimum=0)
    decide_processes: int = _setting(
        1, "Engine child processes per server process for long texts (0: threads only).", minimum=0)
    claims_dense: bool = _setting(
        True, "Match posts against fact-checks with the dense sentence-embedding model as well as BM25 "
        "(needs the `claims` extra; without it, or false: BM25 alone).", used_by="cli, server, worker")
    claim_ttl_s: float = _setting(
        DEFAULT_CLAIM_TTL_S, "Seconds a moderator's claim on a case lasts before others may take it.", minimum=1)
    worker: bool = _setting(True, "Decide stored items in the background (the server's worker).",
                            used_by="server, worker")
    worker_batch: int = _setting(500, "Items the worker decides per batch.", minimum=1, used_by="worker")
    worker_batch_bytes: int = _setting(
        8 * 1024 * 1024, "Most stored item JSON, in bytes, the worker reads into one batch (a batch "
        "always holds at least one item).", minimum=1, used_by="worker")
    worker_lease_s: float = _setting(
        300.0, "Seconds a worker holds the batch it claimed; a killed worker's items are decided by "
        "another after this (it must outlast deciding one batch).", minimum=1, used_by="worker")
    worker_idle_s: float = _setting(
        0.2, "Seconds the worker waits before looking again when nothing is pending.", minimum=0,
        used_by="worker")
    webhooks: bool = _setting(True, "Deliver webhook events in the background.")
    webhook_max_attempts: int = _setting(
        5, "Delivery attempts before a webhook event moves to the dead-letter table.", minimum=1)
    webhook_backoff_s: float = _setting(
        2.0, "Seconds before the first webhook retry; each later retry waits twice as long.", minimum=0)
    webhook_timeout_s: float = _setting(5.0, "Seconds a webhook receiver has to answer.", minimum=0.001)
    webhook_allow_hosts: str | None = _setting(
        None, "Comma-separated host names, IP addresses or CIDR networks webhooks may reach although they "
        "are internal (loopback, private, link-local...); unset: only public addresses.")
    key_cache_s: float = _setting(
        5.0, "Seconds a looked-up API key is trusted before it is read again (a revoked key stops "
        "working within this time).", minimum=0)
    demo_password: str | None = _setting(
        None, "Password of the demo moderators made by `khien demo-setup` (unset: a new random one).",
        secret="all", used_by="cli")
    audit_checkpoint_key: str | None = _setting(
        None, "Ed25519 private key file `khien audit checkpoint` signs with (made by `khien audit keygen`; "
        "keep it outside the database and its backups).", used_by="cli")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **flags: Any) -> "Settings":
        """Defaults, then ``KHIEN_*`` variables, then ``flags`` (a flag of ``None`` was not given).

        Raises :class:`ConfigError` for a bad value or an unknown flag name. Misspelt variables are
        logged once as warnings (logger ``khien.settings``).
        """
        resolved = resolve(environ, flags)
        warn_typos_once(resolved.warnings, logging.getLogger("khien.settings").warning)
        return resolved.settings


class Source(enum.StrEnum):
    """Where a resolved value came from."""

    DEFAULT = "default"
    ENV = "env"
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class Setting:
    """The declaration of one setting, read from the :class:`Settings` field."""

    name: str
    type: Any
    default: Any
    help: str
    secret: _SecretKind
    minimum: float | None
    used_by: str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def base_type(self) -> type:
        """``int`` for ``int``, ``str`` for ``str | None``."""
        args = [a for a in typing.get_args(self.type) if a is not type(None)]
        return args[0] if args else self.type

    @property
    def optional(self) -> bool:
        return type(None) in typing.get_args(self.type)


def _declarations() -> tuple[Setting, ...]:
    hints = typing.get_type_hints(Settings)
    return tuple(
        Setting(name=f.name, type=hints[f.name], default=f.default, help=f.metadata["help"],
                secret=f.metadata["secret"], minimum=f.metadata["minimum"], used_by=f.metadata["used_by"])
        for f in dataclasses.fields(Settings)
    )


SETTINGS: tuple[Setting, ...] = _declarations()
_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

# Variables that are not settings of the running program but are read by the build and the tests.
# They are listed so that the typo check knows them and the docs test finds them documented.
OTHER_VARIABLES: dict[str, str] = {
    "KHIEN_DATASETS": "Folder holding the public data sets `make model` and some tests read (default: "
                      "../shared/datasets next to the repository).",
    "KHIEN_TEST_POSTGRES_URL": "PostgreSQL server the postgres tests use (a fresh schema each test); "
                               "unset: those tests are skipped.",
    "KHIEN_TEST_PG_PORT": "Port of the throw-away PostgreSQL server `make test` starts (default 55432).",
    "KHIEN_BENCH_DATABASE_URL": "Database the API benchmark (bench/api.py) runs against.",
}

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _expected(setting: Setting, *, with_minimum: bool) -> str:
    base = setting.base_type
    what = {bool: "true or false", int: "an integer", float: "a number", str: "a text"}[base]
    if with_minimum and setting.minimum is not None and base in (int, float):
        minimum = int(setting.minimum) if float(setting.minimum).is_integer() else setting.minimum
        what += f" ≥ {minimum}"
    return what


def _bad(setting: Setting, where: str, found: str, *, below_minimum: bool = False) -> ConfigError:
    """``KHIEN_WORKER_BATCH: expected an integer, found 'abc'``, with the setting's help as the hint."""
    default = shown_value(setting, setting.default)
    return ConfigError(f"{where}: expected {_expected(setting, with_minimum=below_minimum)}, found {found}",
                       field=where, hint=f"(setting {setting.name}: {setting.help} Default: {default}.)")


def _from_text(setting: Setting, raw: str) -> Any:
    """The typed value of the environment variable ``raw``, or a ConfigError naming the variable."""
    base, text = setting.base_type, raw.strip()
    try:
        if base is bool:
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValueError(text)
        if base is int:
            value: Any = int(text)
        elif base is float:
            value = float(text)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError(text)
        else:
            return raw
    except ValueError:
        raise _bad(setting, setting.env, repr(raw)) from None
    if setting.minimum is not None and value < setting.minimum:
        raise _bad(setting, setting.env, repr(raw), below_minimum=True)
    return value


def _check_flag(setting: Setting, value: Any) -> None:
    if setting.minimum is not None and isinstance(value, (int, float)) and value < setting.minimum:
        raise _bad(setting, setting.name, repr(value), below_minimum=True)


@dataclass(frozen=True, slots=True)
class ShownSetting:
    """One row of ``khien config show``: the value as printed (secrets masked) and its source."""

    name: str
    env: str
    value: str
    source: Source
    help: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "env": self.env, "value": self.value, "source": str(self.source),
                "help": self.help}


@dataclass(frozen=True, slots=True)
class Resolved:
    """Resolved settings, where each value came from, and warnings about misspelt variables."""

    settings: Settings
    sources: Mapping[str, Source]
    warnings: tuple[str, ...]

    def shown(self) -> list[ShownSetting]:
        return [ShownSetting(s.name, s.env, shown_value(s, getattr(self.settings, s.name)), self.sources[s.name],
                             s.help) for s in SETTINGS]


def resolve(environ: Mapping[str, str] | None = None, flags: Mapping[str, Any] | None = None) -> Resolved:
    """Resolve every setting: default, then ``environ`` (default ``os.environ``), then ``flags``.

    ``flags`` maps setting names to values given on the command line; ``None`` means not given.
    """
    environ = os.environ if environ is None else environ
    given = {k: v for k, v in (flags or {}).items() if v is not None}
    check_keys(given, _BY_NAME, "flag", ConfigError)
    values: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if setting.name in given:
            _check_flag(setting, given[setting.name])
            values[setting.name] = given[setting.name]
            sources[setting.name] = Source.FLAG
        elif raw:
            values[setting.name] = _from_text(setting, raw)
            sources[setting.name] = Source.ENV
        else:
            sources[setting.name] = Source.DEFAULT
    # strict.parse checks the flags' types (the environment's are typed above) against the fields.
    return Resolved(parse(Settings, values, "flag", error=ConfigError), sources, typo_warnings(environ))


def setting_value(name: str, flag: Any = None, environ: Mapping[str, str] | None = None) -> Any:
    """One setting alone: ``flag`` if given, else its variable, else its default.

    Commands that need one setting (the database URL) use this, so a bad value of another setting
    does not stop them.
    """
    if name not in _BY_NAME:
        check_keys({name: None}, _BY_NAME, "", ConfigError)
    setting = _BY_NAME[name]
    if flag is not None:
        _check_flag(setting, flag)
        return flag
    raw = (os.environ if environ is None else environ).get(setting.env)
    return _from_text(setting, raw) if raw else setting.default


def typo_warnings(environ: Mapping[str, str]) -> tuple[str, ...]:
    """A warning for each unknown ``KHIEN_*`` variable whose name is close to a setting's."""
    known = {s.env for s in SETTINGS} | set(OTHER_VARIABLES)
    names = {v.removeprefix(ENV_PREFIX).lower(): v for v in known}
    found = []
    for key in sorted(environ):
        if not key.startswith(ENV_PREFIX) or key in known:
            continue
        guess = nearest(key.removeprefix(ENV_PREFIX).lower(), names)
        if guess:
            found.append(f"{key} is not a Khiên setting and is ignored; did you mean {names[guess]}?")
    return tuple(found)


_warned: set[str] = set()


def warn_typos_once(warnings: Iterable[str], emit: Callable[[str], Any]) -> None:
    """Emit each warning once per process (the CLI and the server it starts both check)."""
    for message in warnings:
        if message not in _warned:
            _warned.add(message)
            emit(message)


_URL_PASSWORD = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/:@]*):(?P<password>[^@]*)@")
_QUERY_PASSWORD = re.compile(r"(?P<key>[?&](?:password|passwd|pwd|token|secret)=)[^&]*", re.IGNORECASE)


def mask_url(url: str) -> str:
    """``postgresql://khien:s3cret@db/khien`` → ``postgresql://khien:***@db/khien`` (also ``?password=``)."""
    masked = _URL_PASSWORD.sub(lambda m: f"{m['head']}:***@" if m["password"] else m[0], url)
    return _QUERY_PASSWORD.sub(lambda m: f"{m['key']}***", masked)


def shown_value(setting: Setting, value: Any) -> str:
    """The value as ``khien config show`` prints it: secrets masked, unset as ``(unset)``."""
    if value is None:
        return "(unset)"
    if setting.secret == "all":
        return "***"
    if setting.secret == "url":
        return mask_url(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
