"""``khien policy check``: validate a policy and list what it publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from ..enums import AccountAction
from ..policy import Policy
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
    _print_accounts(out, p)
    out.print("[green]policy is valid[/green]")


def _print_accounts(out: Console, p: Policy) -> None:
    """The account ladder: strike weights and windows, then the actions, most severe first."""
    acc = p.accounts
    if not acc.strikes and not acc.rules:
        out.print("accounts: no strikes, no account actions")
        return
    strikes = Table("strike category", "weight", "counts for (days)", title="account strikes")
    for s in acc.strikes.values():
        strikes.add_row(s.category, f"{s.weight:g}", str(s.expires_days))
    out.print(strikes)
    ladder = Table("account rule", "categories", "min weight", "action", "duration", "description",
                   title="account actions (the most severe that applies is taken)")
    for r in sorted(acc.rules, key=lambda r: r.rank(), reverse=True):
        duration = f"{r.duration_days} days" if r.duration_days is not None else (
            "-" if r.action in (AccountAction.WARN, AccountAction.BAN) else "until lifted")
        ladder.add_row(r.id, ", ".join(r.categories), f"{r.min_weight:g}", r.action.value, duration, r.description)
    out.print(ladder)
