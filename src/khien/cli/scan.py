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
from .main import EXIT_OK, EXIT_REJECTED, guarded
from .options import ModelOption, PolicyOption, RegistryOption, build_engine


@guarded
def scan(
    input: str = typer.Argument(..., help="JSONL or CSV (with a header) file; '-' reads standard input."),
    output: str = typer.Option("-", "--output", "-o", help="Where to write decisions (JSONL); '-' is standard output."),
    policy: Optional[Path] = PolicyOption,
    model: Optional[Path] = ModelOption,
    registry: Optional[Path] = RegistryOption,
    format: Optional[str] = typer.Option(None, "--format", "-f", help="jsonl or csv (default: from the file name)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Worker processes (default: one per core)."),
    batch_size: int = typer.Option(512, "--batch-size", min=1, max=100_000),
    dsa: bool = typer.Option(False, "--dsa", help="Add the DSA statement-of-reasons fields to each decision."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress and no summary."),
    max_text_chars: Optional[int] = typer.Option(
        None, "--max-text-chars", min=1,
        help="Longest text decided, in characters; a longer one is a line error (default: setting max_text_chars)."),
    runner: str = typer.Option("local", "--engine",
                               help="local (this machine) or ray (Parquet/JSONL files to a folder; docs/scale.md)."),
    address: Optional[str] = typer.Option(None, "--address",
                                          help="With --engine ray: the Ray cluster to join (default: a local Ray)."),
) -> None:
    """Decide every item; one decision per input line, in input order.

    A line whose text is over the text limit is reported as a line error with its number (exit
    code 1, like any rejected line) and the other lines are still decided; a JSONL line too long
    to hold such an item is skipped without being read into memory.
    """
    if runner != "local" or address is not None:
        from .scan_ray import scan_ray

        scan_ray(runner, input, output, address, policy, model, registry, workers, batch_size, dsa, quiet,
                 max_text_chars)
    fmt = detect_format(input, format)
    max_text = setting_value("max_text_chars", max_text_chars)
    engine = build_engine(policy, model, registry)
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
                                  max_text=max_text):
            out.writelines(result.lines)
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
    raise typer.Exit(EXIT_REJECTED if rejected else EXIT_OK)
