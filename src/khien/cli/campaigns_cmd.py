"""``khien campaigns``: find coordinated campaigns in a JSONL file of items (offline)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Optional

import orjson
import typer

from ..campaigns import CampaignConfig, CampaignDetector, Post, parse_duration
from ..clock import parse_iso
from ..errors import InputError
from ..model import Account
from ..run.sources import decode_record, line_bound, read_records
from ..settings import setting_value
from .main import EXIT_OK, EXIT_REJECTED, guarded


def _post(payload: object, max_text: int) -> Post:
    """A :class:`Post` from one raw JSONL line; InputError (with what to do) when it cannot be one."""
    item = decode_record(payload, max_text)
    raw = orjson.loads(payload)
    author = raw.get("author")
    if author is None or item.author is None or not item.author.id:
        raise InputError("field 'author.id' is required: campaigns are counted in distinct accounts", field="author.id")
    Account.from_dict(author, strict=True)  # an unknown author field is a typo more often than not
    if not item.created_at:
        raise InputError("field 'created_at' is required (ISO-8601, e.g. 2026-01-01T08:00:00Z)", field="created_at")
    try:
        ts = parse_iso(item.created_at)
        created = parse_iso(item.author.created_at) if item.author.created_at else None
    except ValueError as exc:
        raise InputError(f"a time is not ISO-8601 (e.g. 2026-01-01T08:00:00Z): {exc}", field="created_at") from None
    return Post(item.id, item.author.id, ts, item.text, created)


def _read(path: str, max_text: int, errors: list[tuple[int, str]]) -> Iterator[Post]:
    for lineno, payload in read_records(path, "jsonl", max_line_bytes=line_bound(max_text)):
        try:
            yield _post(payload, max_text)
        except InputError as exc:
            errors.append((lineno, str(exc)))


@guarded
def campaigns(
    input: str = typer.Argument(..., help="JSONL items (as 'khien scan' reads them, with created_at and author.id); '-' reads standard input."),
    output: str = typer.Option("-", "--output", "-o", help="Where to write the campaigns, one JSON object a line; '-' is standard output."),
    window: str = typer.Option("24h", "--window", help="How far apart two posts of one campaign may be: 90m, 24h, 2d."),
    min_accounts: int = typer.Option(5, "--min-accounts", min=2, help="Distinct accounts a campaign needs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary."),
    # no envvar on purpose: without --db the command only reads and writes files, as it always did
    db: Optional[str] = typer.Option(None, "--db", help="Also record the campaigns in this database and open a "
                                     "campaign case for each (SQLAlchemy URL; the schema is brought up to date)."),
    platform: str = typer.Option("", "--platform", help="The platform the posts are on (with --db)."),
) -> None:
    """Group near-duplicate posts and posts sharing a contact across accounts; write the campaigns.

    A cluster is a campaign only with --min-accounts distinct accounts and a coordination signal
    (a burst, a shared contact, or young accounts when author.created_at is given). The file is
    read whole and ordered by created_at. A line without created_at or author.id, or with an
    unknown author field, is a line error with its number (exit code 1); the others are used.
    With --db each campaign is recorded (khien.review.campaigns.record_campaigns): a second run over
    the same file changes nothing.
    """
    window_s = parse_duration(window)  # a bad duration is a ConfigError: one line, exit code 2
    config = CampaignConfig(window_s=window_s, bucket_s=min(3600.0, window_s), min_accounts=min_accounts)
    max_text = int(setting_value("max_text_chars", None))
    errors: list[tuple[int, str]] = []
    posts = sorted(_read(input, max_text, errors), key=lambda p: p.ts)
    for lineno, message in errors:
        print(f"line {lineno}: {message}", file=sys.stderr)
    detector = CampaignDetector(config)
    found = []
    for i in range(0, len(posts), 512):
        detector.observe(posts[i:i + 512])
        found += detector.expired()
    found += detector.clusters(campaigns_only=True)
    found.sort(key=lambda c: (-c.score, -c.size, c.id))
    out = sys.stdout.buffer if output == "-" else open(output, "wb")
    try:
        for cluster in found:
            out.write(orjson.dumps(cluster.to_dict()) + b"\n")
    finally:
        out.flush()
        if out is not sys.stdout.buffer:
            out.close()
    recorded = _record(db, platform, found) if db else None
    if not quiet:
        if recorded is not None:
            print(f"khien campaigns: {recorded} new campaign cases in the database", file=sys.stderr)
        in_campaigns = sum(c.size for c in found)
        accounts = len({a for c in found for a in c.accounts})
        print(f"khien campaigns: {len(posts):,} posts read, {len(errors):,} bad lines, {len(found):,} campaigns "
              f"({in_campaigns:,} posts, {accounts:,} accounts)", file=sys.stderr)
    raise typer.Exit(EXIT_REJECTED if errors else EXIT_OK)


def _record(db: str, platform: str, found: list) -> int:
    """Record the campaigns in the store; returns how many campaign cases this run opened."""
    from ..review import campaigns as review_campaigns, open_store

    store = open_store(db, upgrade=True)
    try:
        refs = review_campaigns.record_campaigns(store, platform, [c for c in found if c.campaign],
                                                 actor="cli:campaigns")
    finally:
        store.dispose()
    return sum(1 for r in refs if r.opened)
