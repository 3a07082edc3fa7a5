"""``khien train`` and ``khien eval``: thin wrappers over :mod:`khien.learn`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import List, Optional

import typer

from .main import guarded

TextColumn = typer.Option("text", "--text-column", help="Column holding the text.")
LabelColumn = typer.Option("label", "--label-column", help="Column holding the label (a name or an integer).")
LabelName = typer.Option(None, "--label-name", help="Rename a label, e.g. --label-name 0=clean (repeatable).")
Format = typer.Option(None, "--format", "-f", help="csv, jsonl or parquet (default: from the file name).")


@guarded
def train(
    data: Path = typer.Argument(..., help="Training data: CSV, JSONL or Parquet."),
    output: Path = typer.Option(..., "--output", "-o", help="Directory to write the model to."),
    text_column: str = TextColumn,
    label_column: str = LabelColumn,
    spans_column: Optional[str] = typer.Option(None, "--spans-column", help="Optional column of evidence spans (character offsets)."),
    dev: Optional[Path] = typer.Option(None, "--dev", help="Dev data (same columns): early stopping, calibration, thresholds."),
    label_name: Optional[List[str]] = LabelName,
    category: Optional[List[str]] = typer.Option(
        None, "--category", help="Taxonomy category a label stands for, e.g. --category 2=hate (repeatable); "
        "used by 'khien scan --model' when the policy gives no 'labels' mapping."),
    name: Optional[str] = typer.Option(None, "--name", help="Model name (default: the output directory's name)."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same data and seed give the same model."),
    algorithm: str = typer.Option("svm", "--algorithm", help="svm (linear SVM) or logreg."),
    format: Optional[str] = Format,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress."),
) -> None:
    """Train a text classifier and save it (model.json + arrays.npz, no pickle)."""
    from ..learn.data import parse_label_names, read_dataset
    from ..learn.format import save_model
    from ..learn.model import TrainConfig
    from ..learn.model import train as train_model

    from ..errors import InputError
    from ..policy.schema import TAXONOMY

    names = parse_label_names(label_name or [])
    categories = parse_label_names(category or [])
    for label, cat in categories.items():
        if cat not in TAXONOMY:
            raise InputError(f"--category {label}={cat}: unknown category; valid categories: {', '.join(TAXONOMY)}")
    started = time.perf_counter()

    def say(message: str) -> None:
        if not quiet:
            typer.echo(f"[{time.perf_counter() - started:6.1f}s] {message}", err=True)

    say(f"reading {data}")
    kwargs = dict(text_column=text_column, label_column=label_column, format=format, label_names=names)
    train_data = read_dataset(data, spans_column=spans_column, **kwargs)
    dev_data = read_dataset(dev, **kwargs) if dev is not None else None
    unknown = sorted(set(categories) - set(train_data.labels))
    if unknown:
        raise InputError(f"--category names label {unknown[0]!r}, which the data does not have; "
                         f"labels: {', '.join(train_data.classes)}")
    model = train_model(
        train_data, dev_data, TrainConfig(seed=seed, algorithm=algorithm), name=name or output.name,
        categories=categories, progress=say,
    )
    save_model(model, output)
    say(f"model written to {output}")
    summary = {
        "model": str(output),
        "name": model.name,
        "labels": list(model.labels),
        "features": model.vocab.size,
        "held_out_macro_f1": model.meta["training"]["held_out_macro_f1"],
        "seconds": round(time.perf_counter() - started, 1),
    }
    typer.echo(json.dumps(summary, ensure_ascii=False))


@guarded
def eval_(
    model: Path = typer.Argument(..., help="A model directory written by 'khien train' (or 'default')."),
    data: Path = typer.Argument(..., help="Labelled data: CSV, JSONL or Parquet."),
    text_column: str = TextColumn,
    label_column: str = LabelColumn,
    label_name: Optional[List[str]] = LabelName,
    format: Optional[str] = Format,
) -> None:
    """Evaluate a model: prints JSON with macro_f1, accuracy, per-class figures, confusion matrix, items/s."""
    from ..learn.data import parse_label_names, read_dataset
    from ..learn.evaluate import evaluate
    from ..learn.format import default_model_path, load_model

    loaded = load_model(default_model_path() if str(model) == "default" else model)
    dataset = read_dataset(data, text_column=text_column, label_column=label_column, format=format,
                           label_names=parse_label_names(label_name or []))
    result = evaluate(loaded, dataset)
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
