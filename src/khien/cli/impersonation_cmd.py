"""``khien impersonation`` and ``khien registry check``: find the look-alikes of protected entities."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import IO, Iterator, Optional

import orjson
import typer

from ..errors import InputError, KhienError
from ..impersonation.avatars import account_avatar_hash
from ..impersonation.matcher import FLAG_THRESHOLD, Match, Matcher
from ..impersonation.registry import load_registry
from ..model import Account
from .main import EXIT_OK, EXIT_REJECTED, fail, guarded

registry_app = typer.Typer(help="Protected-entity registries.", no_args_is_help=True)
CLI_ACTOR = "cli"


def _lines(source: str) -> Iterator[tuple[int, bytes]]:
    if source == "-":
        stream: IO[bytes] = sys.stdin.buffer
        yield from enumerate(stream, start=1)
        return
    path = Path(source)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        fail(f"accounts file {path} does not exist")
    except OSError as exc:
        fail(f"cannot read accounts file {path}: {exc}")
    with handle:
        yield from enumerate(handle, start=1)


def _decode(raw: bytes) -> tuple[str, Account]:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not a JSON object: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"an account must be a JSON object, found {type(data).__name__}")
    account = Account.from_dict(data, prefix="account")
    ident = account.id or account.url
    if not ident:
        raise InputError("an account needs an 'id' (or at least a 'url' to check)", field="id")
    if not (account.display_name or account.handle or account.url or account.avatar):
        raise InputError("an account needs at least one of display_name, handle, url, avatar", field="display_name")
    return ident, account


@guarded
def impersonation(
    registry: Path = typer.Option(..., "--registry", "-r", help="Protected-entity registry (YAML)."),
    accounts: str = typer.Option(..., "--accounts", "-a", help="Accounts, one JSON object a line; '-' reads stdin."),
    output: str = typer.Option("-", "--output", "-o", help="Flagged accounts (JSONL); '-' is standard output."),
    threshold: float = typer.Option(FLAG_THRESHOLD, "--threshold", min=0.0, max=1.0,
                                    help="Flag accounts scoring at least this."),
    include_verified: bool = typer.Option(False, "--include-verified",
                                          help="Also check accounts the platform has verified."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary."),
    # no envvar on purpose: without --db the command only reads and prints, as it always did
    db: Optional[str] = typer.Option(None, "--db", help="Also open an account case for each flagged account in this "
                                     "database (sqlite:///PATH or postgresql+psycopg://...); needs --platform."),
    platform: Optional[str] = typer.Option(None, "--platform", help="The platform the accounts are on (with --db)."),
    policy: Optional[Path] = typer.Option(None, "--policy", "-p", help="Policy YAML the cases are prioritised by, "
                                          "as the worker's are (with --db; default: the packaged policy)."),
) -> None:
    """Flag the accounts and links that imitate a protected entity, with the evidence.

    Each output line is {"id", "entity", "score", "evidence": [{"field", "value", "matched", "why"}]}.
    Bad lines are reported on stderr with their line number; the others are still checked
    (exit code 1). Avatar paths are read relative to the accounts file.

    With --db and --platform, each flagged account that has an id also gets an account case (origin
    account:impersonation) on that platform, with the entity and the evidence in its audit event; an
    account whose impersonation case is still open gets no second one. Links (lines without an id)
    are only printed.
    """
    if (db is None) != (platform is None):
        fail("--db and --platform go together: name the database and the platform the accounts are on")
    if platform is not None and not platform.strip():
        fail("--platform must name the platform the accounts are on")
    matcher = Matcher(load_registry(registry))
    base = Path(accounts).parent if accounts != "-" else Path.cwd()
    out = sys.stdout.buffer if output == "-" else open(output, "wb")
    counts: Counter = Counter()
    flagged: list[tuple[Account, Match]] = []  # accounts with an id, for the cases (few: only the flagged)
    problems = 0
    started = time.perf_counter()
    try:
        for lineno, raw in _lines(accounts):
            if not raw.strip():
                continue
            counts["read"] += 1
            try:
                ident, account = _decode(raw)
            except KhienError as exc:
                problems += 1
                counts["rejected"] += 1
                print(f"line {lineno}: {exc}", file=sys.stderr)
                continue
            avatar_hash = None
            if account.avatar and matcher.avatars.size:
                path = Path(account.avatar)
                try:
                    avatar_hash = account_avatar_hash(path if path.is_absolute() else base / path)
                except InputError as exc:
                    problems += 1
                    print(f"line {lineno}: {exc}; checked without the avatar", file=sys.stderr)
            found = matcher.account(account, avatar_hash=avatar_hash, include_verified=include_verified)
            if found is not None and found.score >= threshold:
                counts["flagged"] += 1
                out.write(orjson.dumps(found.to_dict(ident)) + b"\n")
                if db is not None and account.id:
                    flagged.append((account, found))
    finally:
        out.flush()
        if out is not sys.stdout.buffer:
            out.close()
    elapsed = time.perf_counter() - started
    if not quiet:
        rate = f"{counts['read'] / elapsed:,.0f}" if elapsed > 0 else "-"
        print(
            f"khien impersonation: {counts['read']:,} accounts read, {counts['flagged']:,} flagged, "
            f"{counts['rejected']:,} bad lines, {rate} accounts/s (registry: {len(matcher.entities)} entities)",
            file=sys.stderr,
        )
    if db is not None and platform is not None:
        opened, already = _open_cases(db, platform, policy, flagged)
        if not quiet:
            print(f"khien impersonation: {opened:,} account cases opened on {platform!r}, {already:,} accounts "
                  f"already had an open impersonation case", file=sys.stderr)
    raise typer.Exit(EXIT_REJECTED if problems else EXIT_OK)


def _open_cases(db: str, platform: str, policy_path: Optional[Path],
                flagged: list[tuple[Account, Match]]) -> tuple[int, int]:
    """Account cases for the flagged accounts, in one transaction; (opened, already open)."""
    from ..policy import load_policy
    from ..review import accounts, open_store

    # pass the policy the worker decides with, so these cases rank as its impersonation cases do
    policy = load_policy(policy_path)
    findings = [accounts.Finding(account=account, entity=found.entity, score=found.score,
                                 evidence=tuple(f"{r.field} {r.value!r} matched {r.matched!r}: {r.why}"
                                                for r in found.evidence))
                for account, found in flagged]
    store = open_store(db, upgrade=True)
    with store.write() as tx:
        done = accounts.impersonation_findings(tx, policy, platform, findings, actor=CLI_ACTOR)
    return len(done.opened), done.already_open


@registry_app.command("check")
@guarded
def registry_check(
    path: Path = typer.Argument(..., help="Registry YAML to validate."),
) -> None:
    """Validate a registry: ids, kinds, names, domains and avatar images. Exit 2 with the reason if invalid."""
    registry = load_registry(path)
    kinds = Counter(e.kind for e in registry.entities)
    names = sum(len(e.names) for e in registry.entities)
    domains = sum(len(e.domains) for e in registry.entities)
    handles = sum(len(e.handles) for e in registry.entities)
    avatars = sum(len(e.avatars) for e in registry.entities)
    typer.echo(
        f"{path}: ok: {len(registry)} entities ("
        + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        + f"), {names} names, {handles} handles, {domains} domains, {avatars} avatars"
    )
    raise typer.Exit(EXIT_OK)
