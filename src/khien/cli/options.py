"""Options shared by several commands and the engine they assemble."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from ..engine import Engine

PolicyOption = typer.Option(None, "--policy", "-p", help="Policy YAML (default: the packaged policy).")
ModelOption = typer.Option(None, "--model", "-m", help="A model directory trained with 'khien train'.")
RegistryOption = typer.Option(None, "--registry", help="Protected-entity registry YAML for impersonation.")


def build_engine(policy: Optional[Path], model: Optional[Path] = None, registry: Optional[Path] = None) -> Engine:
    overrides: dict[str, dict[str, Any]] = {}
    if model is not None:
        overrides["classifier.v1"] = {"model": str(model)}
    if registry is not None:
        overrides["impersonation.v1"] = {"registry": str(registry)}
    return Engine.from_policy(policy, overrides=overrides)
