"""``khien claims import|list|show|retire|match|trust|untrust|publishers``: published fact-checks (issue 15).

The same service as the API will use (:mod:`khien.review.claims`), so the audit log records
``claims.*`` events with the actor ``cli``. Registered by the command table in ``cli/main.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from .main import EXIT_OK, EXIT_REJECTED, guarded
from .options import DbOption, database_url, list_out

__all__ = ["claims_app"]

claims_app = typer.Typer(help="Published fact-checks: import ClaimReview, list, retire, match a text.",
                         no_args_is_help=True)
CLI_ACTOR = "cli"


def _store(db: Optional[str]) -> Any:
    from ..review import open_store

    return open_store(database_url(db), upgrade=True)


def _actor() -> Any:
    from ..review import Actor

    return Actor(CLI_ACTOR, "admin")


class _Row:
    """A listing row with ``public()`` for ``--json``."""

    def __init__(self, stored: Any) -> None:
        self.stored = stored

    def public(self) -> dict[str, Any]:
        from ..claims import to_claimreview

        s = self.stored
        return {**to_claimreview(s.fact_check), "khien:rating": s.fact_check.rating.value,
                "khien:retired_at": s.retired_at, "khien:imported_at": s.imported_at}


@claims_app.command("import")
@guarded
def claims_import(
    file: Path = typer.Argument(..., help="ClaimReview JSON-LD (.jsonld/.json), or the same fields as .jsonl or .csv."),
    publisher: Optional[str] = typer.Option(None, "--publisher", help="The publisher of records that name none."),
    trust: bool = typer.Option(False, "--trust", help="Also trust the publishers of the records read."),
    db: Optional[str] = DbOption,
) -> None:
    """Import fact-checks; a bad record is reported with its number and field, the others are imported."""
    from ..review import claims

    data = file.read_bytes()
    store = _store(db)
    with store.write() as tx:
        result = claims.import_document(tx, _actor(), file.name, data, publisher=publisher, trust_publishers=trust)
    for error in result.errors:
        typer.echo(f"khien: {file.name}: {error}", err=True)
    typer.echo(f"{len(result.added)} added, {len(result.updated)} updated, {len(result.unchanged)} unchanged, "
               f"{len(result.errors)} refused")
    for name in result.trusted:
        typer.echo(f"publisher {name!r} trusted")
    raise typer.Exit(EXIT_REJECTED if result.errors else EXIT_OK)


@claims_app.command("list")
@guarded
def claims_list(
    retired: bool = typer.Option(False, "--retired", help="Include retired fact-checks."),
    publisher: Optional[str] = typer.Option(None, "--publisher", help="Only this publisher's."),
    limit: int = typer.Option(100, "--limit", min=1, help="At most this many, newest review first."),
    as_json: bool = typer.Option(False, "--json", help="One ClaimReview object a line instead of a table."),
    db: Optional[str] = DbOption,
) -> None:
    """Fact-checks, newest review first."""
    from ..review import claims

    with _store(db).read() as tx:
        found = claims.list_fact_checks(tx, include_retired=retired, publisher=publisher, limit=limit)

    def line(row: _Row) -> str:
        fc = row.stored.fact_check
        claim = fc.claim if len(fc.claim) <= 70 else fc.claim[:69] + "…"
        return (f"{fc.id}\t{fc.rating.value}\t{fc.publisher.name}\t{fc.review_date or ''}\t{fc.topic.value}\t"
                f"{'retired' if fc.retired else ''}\t{claim}")

    list_out([_Row(s) for s in found], as_json=as_json, empty="no fact-checks", line=line,
             header="id\trating\tpublisher\treviewed\ttopic\tstate\tclaim")


@claims_app.command("show")
@guarded
def claims_show(
    fact_check_id: str = typer.Argument(..., metavar="ID", help="The fact-check's id (see 'khien claims list')."),
    db: Optional[str] = DbOption,
) -> None:
    """One fact-check as ClaimReview JSON-LD, with Khiên's rating and state."""
    import orjson

    from ..review import claims

    with _store(db).read() as tx:
        found = claims.show(tx, fact_check_id)
    typer.echo(orjson.dumps(_Row(found).public(), option=orjson.OPT_INDENT_2).decode())


@claims_app.command("retire")
@guarded
def claims_retire(
    fact_check_id: str = typer.Argument(..., metavar="ID", help="The fact-check's id."),
    db: Optional[str] = DbOption,
) -> None:
    """Take a fact-check out of matching (it stays stored)."""
    from ..review import claims

    with _store(db).write() as tx:
        gone = claims.retire(tx, _actor(), fact_check_id)
    typer.echo(f"fact-check {gone.fact_check.id} retired")


@claims_app.command("match")
@guarded
def claims_match(
    text: str = typer.Argument(..., help="The post to check, e.g. \"uong nuoc chanh nong chua khoi ung thu\"."),
    k: int = typer.Option(5, "-k", min=1, max=50, help="How many candidates."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line."),
    db: Optional[str] = DbOption,
) -> None:
    """The fact-checks (of trusted publishers) that best match a text: calibrated score, tier, the words shared."""
    import orjson

    from ..review import claims
    from ..review.claims_live import LiveClaims
    from ..settings import setting_value

    store = _store(db)
    found = claims.match(LiveClaims(store, dense=bool(setting_value("claims_dense")))(), text, k)
    with store.read() as tx:
        trusted = claims.trusted_publishers(tx)
    if not trusted:
        typer.echo("khien: no publisher is trusted, so nothing is matched: 'khien claims trust NAME' "
                   "or 'khien claims import FILE --trust'", err=True)
    if not found:
        typer.echo("no match", err=True)
    for m in found:
        fc = m.fact_check
        if as_json:
            typer.echo(orjson.dumps({"id": fc.id, "score": round(m.score, 4), "scores": m.scores,
                                     "tier": m.tier, "stance": m.stance, "mode": m.mode,
                                     "rating": fc.rating.value, "rating_text": fc.rating_text,
                                     "publisher": fc.publisher.name, "url": fc.url, "claim": fc.claim,
                                     "terms": list(m.terms), "spans": [list(s) for s in m.spans]}).decode())
            continue
        words = ", ".join(text[s:e] for s, e in m.spans)
        tier = f"{m.tier or 'below suggest'}, post {m.stance}"
        typer.echo(f"{m.score:7.3f}  {fc.id}  {tier}  {fc.rating.value} ({fc.rating_text}, {fc.publisher.name})\n"
                   f"         {fc.claim}\n         {fc.url}\n         matched: {words}")


@claims_app.command("trust")
@guarded
def claims_trust(
    name: str = typer.Argument(..., help="The publisher's name, as its fact-checks name it (case does not matter)."),
    url: Optional[str] = typer.Option(None, "--url", help="The publisher's site."),
    db: Optional[str] = DbOption,
) -> None:
    """Trust a publisher: its fact-checks are matched."""
    from ..review import claims

    with _store(db).write() as tx:
        made = claims.trust(tx, _actor(), name, url)
    typer.echo(f"publisher {made.name!r} trusted")


@claims_app.command("untrust")
@guarded
def claims_untrust(
    name: str = typer.Argument(..., help="The publisher's name."),
    db: Optional[str] = DbOption,
) -> None:
    """Stop trusting a publisher (its fact-checks stay stored, unmatched)."""
    from ..review import claims

    with _store(db).write() as tx:
        gone = claims.untrust(tx, _actor(), name)
    typer.echo(f"publisher {gone.name!r} no longer trusted")


@claims_app.command("publishers")
@guarded
def claims_publishers(db: Optional[str] = DbOption) -> None:
    """The trusted publishers."""
    from ..review import claims

    with _store(db).read() as tx:
        found = claims.trusted_publishers(tx)
    if not found:
        print("no trusted publishers", file=sys.stderr)
    for p in found:
        typer.echo(f"{p.name}\t{p.url or ''}\t{p.trusted_by}\t{p.trusted_at}")


@claims_app.command("verdicts")
@guarded
def claims_verdicts(
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line (evaluation data)."),
    summary: bool = typer.Option(False, "--summary", help="Figures instead: per tier and per publisher, the "
                                 "verdicts, confirmed, rejected and the confirmed share (--json: one object)."),
    db: Optional[str] = DbOption,
) -> None:
    """Moderators' confirmations and rejections of candidate fact-checks, oldest first: the post's
    text, the fact-check, the tier and score the engine gave it, and the verdict."""
    from ..review import claim_verdicts

    if summary:
        with _store(db).read() as tx:
            figures = claim_verdicts.summary(tx)
        _print_summary(figures, as_json=as_json)
        return
    with _store(db).read() as tx:
        found = claim_verdicts.export(tx)
    list_out(found, as_json=as_json, empty="no verdicts yet", header="case\tfact-check\tverdict\ttier\tby\twhen",
             line=lambda v: f"{v.case_id}\t{v.factcheck_id}\t{v.verdict}\t{v.tier or ''}\t{v.actor}\t{v.created_at}")


def _print_summary(figures: Any, *, as_json: bool) -> None:
    """``claims verdicts --summary``: two tab-separated tables (per tier with the total, per publisher)."""
    if as_json:
        import orjson

        typer.echo(orjson.dumps(figures.public()).decode())
        return

    def row(name: str, f: Any) -> str:
        share = f"{f.confirmed_share * 100:.1f}%" if f.confirmed_share is not None else "-"
        return f"{name}\t{f.verdicts}\t{f.confirmed}\t{f.rejected}\t{share}"

    columns = "verdicts\tconfirmed\trejected\tconfirmed share"
    typer.echo(f"tier\t{columns}")
    for f in figures.by_tier:
        typer.echo(row(f.name or "(none)", f))
    typer.echo(row("all", figures.total))
    typer.echo(f"\npublisher\t{columns}")
    for f in figures.by_publisher:
        typer.echo(row(f.name or "(not in the store)", f))
    if not figures.by_publisher:
        typer.echo("no verdicts yet", err=True)
