"""``khien policy check``: validate a policy and list what it publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .main import guarded
from .options import build_engine

policy_app = typer.Typer(help="Validate and inspect policies.", no_args_is_help=True)


@policy_app.command("check")
@guarded
def check(policy: Optional[Path] = typer.Argument(None, help="Policy YAML (default: the packaged policy).")) -> None:
    """Validate a policy against the detectors it names; list its categories and rules."""
    engine = build_engine(policy)
    p = engine.policy
    out = Console()
    if not out.is_terminal:
        out = Console(width=220)
    out.print(f"[bold]{p.name}[/bold]  version {p.version}  ({len(p.categories)} categories, {len(p.rules)} rules)")
    out.print(f"detectors: {', '.join(engine.detector_names)}")
    out.print(f"engine fingerprint: {engine.fingerprint}  (policy, resolved detector configs, data files, models)")
    for det in engine.provenance.detectors:
        loaded = ", ".join(f"{load.source} {load.digest[:12]}" for load in det.loads) or "no data files"
        out.print(f"  {det.name}: {loaded}", markup=False)
    cats = Table("category", "clause", "severity", "report ≥", "title (vi / en)")
    for c in p.categories.values():
        cats.add_row(c.name, c.clause, str(c.severity), f"{c.report_threshold:.2f}", f"{c.title['vi']} / {c.title['en']}")
    out.print(cats)
    rules = Table("rule", "category", "action", "mode", "clause", "description")
    for r in p.rules:
        rules.add_row(r.id, r.category, r.action, r.mode, r.clause, r.description)
    out.print(rules)
    out.print("[green]policy is valid[/green]")
