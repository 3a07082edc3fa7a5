"""``khien explain``: one text, everything the engine saw and decided."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..model import Item
from .main import guarded
from .options import ModelOption, PolicyOption, RegistryOption, build_engine


@guarded
def explain(
    text: str = typer.Argument(..., help="The text to check ('-' reads standard input)."),
    policy: Optional[Path] = PolicyOption,
    model: Optional[Path] = ModelOption,
    registry: Optional[Path] = RegistryOption,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a report."),
) -> None:
    """Show the text views, the signals with evidence, the decision and the statement of reasons."""
    if text == "-":
        import sys

        text = sys.stdin.read()
    engine = build_engine(policy, model, registry)
    ex = engine.explain(Item(id="explain", text=text))
    if as_json:
        typer.echo(json.dumps({
            "views": {name: ex.views.get(name).text for name in ("nfc", "canonical", "folded")},
            "signals": [s.to_dict() for s in ex.signals],
            "decision": ex.decision.to_dict(dsa=True, provenance=True),
        }, ensure_ascii=False, indent=2))
        return
    out = Console(highlight=False)
    out.print("[bold]Views[/bold]")
    for name in ("nfc", "canonical", "folded"):
        out.print(f"  {name:9} {ex.views.get(name).text}", markup=False)
    out.print("[bold]Signals[/bold]")
    if not ex.signals:
        out.print("  (none)")
    for s in ex.signals:
        tags = f" tags={','.join(sorted(s.tags))}" if s.tags else ""
        facts = "".join(f" {k}={v}" for k, v in s.facts.items())
        out.print(f"  {s.detector:22} {s.category or '(fact)':14} {s.score:.2f}{tags}{facts}", markup=False)
        for e in s.evidence:
            out.print(f"      [{e.start}:{e.end}] “{e.text}”" + (f" ({e.label})" if e.label else ""), markup=False)
    d = ex.decision
    out.print(f"[bold]Decision[/bold]  {d.action}  rules={', '.join(d.rules) or '-'}  policy={d.policy}"
              f"  engine={d.fingerprint}")
    if d.shadow_rules:
        out.print(f"  shadow: {', '.join(d.shadow_rules)} would make it {d.shadow_action}", markup=False)
    out.print("[bold]Statement of reasons[/bold]")
    out.print(f"  vi: {d.reasons['vi']}", markup=False)
    out.print(f"  en: {d.reasons['en']}", markup=False)
