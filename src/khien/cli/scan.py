"""``khien scan``: decide every item of a JSONL or CSV file under a policy."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from ..run.local import run_batches
from ..model import ACTIONS
from ..run.sources import detect_format, line_bound, read_records
from ..settings import setting_value
from .main import EXIT_OK, EXIT_REJECTED, fail, guarded
from .options import ModelOption, PolicyOption, RegistryOption, build_engine


@guarded
def scan(
    input: str = typer.Argument(..., help="JSONL or CSV (with a header) file; '-' reads standard input."),
    output: str = typer.Option("-", "--output", "-o", help="Where to write decisions (JSONL); '-' is standard output."),
    policy: Optional[Path] = PolicyOption,
    model: Optional[Path] = ModelOption,
    registry: Optional[Path] = RegistryOption,
    format: Optional[str] = typer.Option(None, "--format", "-f", help="jsonl or csv (default: from the file name)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Worker processes (default: one per core; one when the policy enables campaigns.v1, which must see every item in order)."),
    batch_size: int = typer.Option(512, "--batch-size", min=1, max=100_000),
    dsa: bool = typer.Option(False, "--dsa", help="Add the DSA statement-of-reasons fields to each decision."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress and no summary."),
    max_text_chars: Optional[int] = typer.Option(
        None, "--max-text-chars", min=1,
        help="Longest text decided, in characters; a longer one is a line error (default: setting max_text_chars)."),
    # no envvar on purpose: without --db the command only reads and prints, as it always did
    db: Optional[str] = typer.Option(None, "--db", help="Also open an account case for each author found imitating a "
                                     "protected entity, and record the posts claims.v1 labels or sends to review "
                                     "(fact-check cases), in this database (sqlite:///PATH or "
                                     "postgresql+psycopg://...)."),
    platform: Optional[str] = typer.Option(None, "--platform", help="With --db: the platform of items whose record "
                                           "names none (impersonation findings with neither are skipped)."),
    claims: Optional[Path] = typer.Option(
        None, "--claims", exists=True, dir_okay=False,
        help="Fact-checks claims.v1 matches posts against: a ClaimReview JSON-LD, JSONL or CSV file "
             "(with --db and no --claims: the live fact-checks of trusted publishers in the database)."),
    claims_vectors: Optional[Path] = typer.Option(
        None, "--claims-vectors", dir_okay=False,
        help="With --claims: an .npz file keeping the dense model's vectors of the claims between scans "
             "(read, completed and written back; embedding costs ~0.1 s a claim). With --db they are kept in "
             "the database."),
    runner: str = typer.Option("local", "--engine",
                               help="local (this machine) or ray (Parquet/JSONL files to a folder; docs/scale.md)."),
    address: Optional[str] = typer.Option(None, "--address",
                                          help="With --engine ray: the Ray cluster to join (default: a local Ray)."),
) -> None:
    """Decide every item; one decision per input line, in input order.

    A line whose text is over the text limit is reported as a line error with its number (exit
    code 1, like any rejected line) and the other lines are still decided; a JSONL line too long
    to hold such an item is skipped without being read into memory.

    With --db, each author whose item's decision says they imitate a protected entity also gets an
    account case (origin account:impersonation) on the item's platform (or --platform), with the
    entity and the evidence in its audit event and the policy decided with as its priority; an
    account whose impersonation case is still open gets no second one. The posts whose decision
    claims.v1 makes (a label linking a fact-check, or review) are recorded as POST /v1/moderate
    records them: a review opens a fact-check case in the console; only those decisions are
    written, and a scan run again records none twice. The decisions written are the same bytes as
    without --db.
    """
    if (runner != "local" or address is not None) and claims is not None:
        fail("--claims goes with the local engine")
    if claims_vectors is not None and claims is None:
        fail("--claims-vectors goes with --claims: it keeps the vectors of that file's claims")
    if runner != "local" or address is not None:
        if db is not None:
            fail("--db goes with the local engine: a Ray scan opens no cases (run khien scan --db on the files)")
        from .scan_ray import scan_ray

        scan_ray(runner, input, output, address, policy, model, registry, workers, batch_size, dsa, quiet,
                 max_text_chars)
    if platform is not None and db is None:
        fail("--platform goes with --db: it names the platform of the items whose account cases are opened")
    if platform is not None and not platform.strip():
        fail("--platform must name a platform")
    fmt = detect_format(input, format)
    max_text = setting_value("max_text_chars", max_text_chars)
    engine = build_engine(policy, model, registry, _claims_context(claims, db, claims_vectors))
    cases = None
    if db is not None:
        from .scan_cases import ScanCases  # database code only when asked for

        cases = ScanCases(db, engine.policy, platform)
    err = Console(stderr=True)
    records = read_records(input, fmt, max_line_bytes=line_bound(max_text))
    out = sys.stdout.buffer if output == "-" else open(output, "wb")
    actions: Counter = Counter()
    categories: Counter = Counter()
    rejected = 0
    decided = 0
    started = time.perf_counter()
    show_progress = not quiet and err.is_terminal
    progress = None
    if show_progress:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        progress = Progress(SpinnerColumn(), TextColumn("scanning"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]} items/s"), TimeElapsedColumn(), console=err)
        progress.start()
        task = progress.add_task("scan", total=None, rate="-")
    try:
        for result in run_batches(engine, records, workers=workers, batch_size=batch_size, dsa=dsa,
                                  max_text=max_text, findings=cases is not None,
                                  keep=cases.keep if cases is not None else False):
            out.writelines(result.lines)
            if cases is not None and (result.findings or result.decided):
                out.flush()  # the decisions are out before their cases are opened
                cases.add(result.findings)
                cases.add_decided(result.decided)
            for lineno, message in result.errors:
                err.print(f"[red]line {lineno}[/red]: {message}", markup=True, highlight=False, soft_wrap=True) if err.is_terminal \
                    else print(f"line {lineno}: {message}", file=sys.stderr)
            rejected += len(result.errors)
            decided += len(result.lines)
            actions.update(result.actions)
            categories.update(result.categories)
            if progress is not None:
                elapsed = time.perf_counter() - started
                progress.update(task, completed=decided + rejected, rate=f"{decided / elapsed:,.0f}" if elapsed else "-")
    finally:
        if progress is not None:
            progress.stop()
        out.flush()
        if out is not sys.stdout.buffer:
            out.close()
    elapsed = time.perf_counter() - started
    if not quiet:
        table = Table(title="khien scan", show_header=True, header_style="bold")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_row("items decided", f"{decided:,}")
        table.add_row("bad lines", f"{rejected:,}")
        for name in ACTIONS:
            table.add_row(f"action: {name}", f"{actions.get(name, 0):,}")
        for name, count in categories.most_common():
            table.add_row(f"category: {name}", f"{count:,}")
        table.add_row("items/s", f"{decided / elapsed:,.0f}" if elapsed > 0 else "-")
        table.add_row("policy", engine.policy.version)
        err.print(table)
        if cases is not None:
            print(cases.summary(), file=sys.stderr)
    raise typer.Exit(EXIT_REJECTED if rejected else EXIT_OK)


# Above this many claims a scan without --claims-vectors says what embedding them costs.
_EMBED_NOTE_CLAIMS = 200


def _claims_context(claims: Optional[Path], db: Optional[str],
                    vectors: Optional[Path] = None):  # -> DetectorContext | None
    """The fact-checks ``claims.v1`` reads: the file, else the database's, else none (it emits nothing)."""
    from ..detect.context import DetectorContext

    if claims is not None:
        from ..claims import Matcher, parse_document

        try:
            parsed = parse_document(claims.name, claims.read_bytes())
        except ValueError as exc:
            fail(f"--claims {claims}: {exc}")
        for error in parsed.errors:
            print(f"--claims {claims}: record {error.record}: {error.field}: {error.message}", file=sys.stderr)
        if parsed.errors:
            fail(f"--claims {claims}: {len(parsed.errors)} bad record(s); fix them first")
        from ..claims.dense import NpzVectors, available

        dense = bool(setting_value("claims_dense")) and available()
        if dense and vectors is None and len(parsed.fact_checks) > _EMBED_NOTE_CLAIMS:
            print(f"khien scan: embedding the {len(parsed.fact_checks)} claims of {claims.name} (about 0.1 s each); "
                  "--claims-vectors FILE.npz keeps them for the next scan", file=sys.stderr)
        return DetectorContext(claims=Matcher.calibrated(
            parsed.fact_checks, dense=dense, embeddings_cache=NpzVectors(vectors) if vectors is not None else None))
    if db is not None:
        from ..review import open_store
        from ..review.claims_live import LiveClaims

        # Read once, here, before any worker is forked: a forked worker must never use this process's
        # database connections (on PostgreSQL two processes on one socket corrupt each other's results).
        store = open_store(db, upgrade=True)
        try:
            matcher = LiveClaims(store, dense=bool(setting_value("claims_dense")))()
        finally:
            store.dispose()
        return DetectorContext(claims=matcher)
    return None
