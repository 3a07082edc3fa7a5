"""``khien scan INPUT --engine ray [--address ADDR] -o OUTDIR/``: the Ray Data batch runner's command
line (the runner is :mod:`khien.run.ray`; docs/scale.md describes the output and the guarantees).

Progress: one line per finished input file on standard error (files done, items/s so far), then a
summary table like ``khien scan``'s. Exit code 1 when a row or a whole file was refused, as
``khien scan`` does for a bad line; 2 for a usage error.
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from ..model import ACTIONS
from ..run.batchfiles import expand_inputs, output_path
from ..run.ray import FileDone, RayScanSummary, run_ray_scan, start_ray
from ..settings import setting_value
from .main import EXIT_OK, EXIT_REJECTED, fail
from .options import build_engine


def scan_ray(engine: str, input: str, output: str, address: Optional[str], policy: Optional[Path],
             model: Optional[Path], registry: Optional[Path], workers: Optional[int], batch_size: int,
             dsa: bool, quiet: bool, max_text_chars: Optional[int]) -> None:
    """Run ``khien scan`` on Ray; always ends with ``typer.Exit``."""
    if engine != "ray":
        fail(f"unknown --engine {engine!r}; valid engines: local, ray" if engine != "local"
             else "--address needs --engine ray")
    if output == "-":
        fail("--engine ray writes one Parquet file per input: give an output folder with -o OUTDIR/")
    outdir = Path(output)
    if outdir.exists() and not outdir.is_dir():
        fail(f"-o {output}: not a folder (--engine ray writes one Parquet file per input into it)")
    inputs = expand_inputs(input)
    outputs = output_path(inputs, outdir)
    max_text = setting_value("max_text_chars", max_text_chars)
    make_engine = functools.partial(build_engine, policy, model, registry)
    version = make_engine().policy.version  # a policy or model error stops here, before Ray starts
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    say = (lambda text: None) if quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    started_at = time.perf_counter()
    started, workers = start_ray(address, workers)
    skipped = sum(out.exists() for out in outputs)
    progress = {"files": skipped, "items": 0}

    def on_file(done: FileDone) -> None:
        progress["files"] += 1
        progress["items"] += done.decided
        state = f"FAILED: {done.failed}" if done.failed else f"{done.decided:,} decided, {done.rejected:,} bad rows"
        rate = summary_rate(progress["items"], time.perf_counter() - started_at)
        say(f"[{progress['files']}/{len(inputs)} files] {done.path} -> {done.out}: {state} ({rate} items/s)")

    try:
        summary = run_ray_scan(
            inputs, outputs, make_engine, workers=workers, batch_size=batch_size, dsa=dsa, max_text=max_text,
            on_file=on_file,
            on_error=lambda path, row, message: print(f"{path}: row {row}: {message}" if row else f"{path}: {message}",
                                                      file=sys.stderr, flush=True),
        )
    finally:
        if started:
            import ray

            ray.shutdown()
    if skipped:
        say(f"skipped {skipped:,} of {len(inputs):,} input files: their output exists in {outdir}")
    if not quiet:
        err.print(_table(summary, version))
    raise typer.Exit(EXIT_REJECTED if summary.rejected or summary.failed else EXIT_OK)


def summary_rate(items: int, elapsed: float) -> str:
    return f"{items / elapsed:,.0f}" if elapsed > 0 else "-"


def _table(summary: RayScanSummary, version: str) -> Table:
    table = Table(title="khien scan --engine ray", show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("input files", f"{summary.files:,}")
    table.add_row("files done", f"{summary.done:,}")
    table.add_row("files skipped (output exists)", f"{summary.skipped:,}")
    table.add_row("files failed", f"{summary.failed:,}")
    table.add_row("items decided", f"{summary.decided:,}")
    table.add_row("bad rows", f"{summary.rejected:,}")
    for name in ACTIONS:
        table.add_row(f"action: {name}", f"{summary.actions.get(name, 0):,}")
    for name, count in summary.categories.most_common():
        table.add_row(f"category: {name}", f"{count:,}")
    table.add_row("workers", f"{summary.workers:,}")
    table.add_row("items/s", summary_rate(summary.decided, summary.elapsed))
    table.add_row("policy", version)
    return table
