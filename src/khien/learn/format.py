"""The model file format: a directory with ``model.json`` (metadata) and ``arrays.npz`` (numbers).

Safe to load: the arrays are read with ``allow_pickle=False`` and must have the expected names,
dtypes and shapes; no code is ever unpickled. ``model.json`` records the sha256 of ``arrays.npz``,
so a truncated or edited file is refused before it is used. Writing is deterministic (sorted JSON
keys, fixed zip timestamps, fixed array order): the same model gives the same bytes, which is how
``make model`` is checked.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from . import features as F
from .model import TextModel

__all__ = ["save_model", "load_model", "default_model_path", "FORMAT", "FORMAT_VERSION"]

FORMAT = "khien.text-classifier"
FORMAT_VERSION = 1
META_FILE = "model.json"
ARRAYS_FILE = "arrays.npz"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def default_model_path() -> Path:
    """The packaged default model's directory."""
    return Path(str(resources.files("khien.data").joinpath("models", "default")))


def _arrays(model: TextModel) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for i, keys in enumerate(model.vocab.keys):
        out[f"keys_{i}"] = np.ascontiguousarray(keys, dtype="<u8")
    out["idf"] = np.ascontiguousarray(model.vocab.idf, dtype="<f4")
    out["weights"] = np.ascontiguousarray(model.weights, dtype="<f4")
    for name in ("bias", "scale", "shift", "offsets"):
        out[name] = np.ascontiguousarray(getattr(model, name), dtype="<f8")
    out["span_keys"] = np.ascontiguousarray(model.span_keys, dtype="<u8")
    out["span_scores"] = np.ascontiguousarray(model.span_scores, dtype="<f4")
    return out


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            body = io.BytesIO()
            np.lib.format.write_array(body, array, allow_pickle=False)
            zf.writestr(info, body.getvalue(), compresslevel=9)
    return buffer.getvalue()


def _round(value: Any) -> Any:
    """Floats in the metadata rounded so the JSON is stable and readable."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    return value


def save_model(model: TextModel, directory: str | Path) -> Path:
    """Write ``model`` to ``directory`` (created if needed); returns the directory."""
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise ModelError(f"{path} exists and is not a directory; a model is saved as a directory")
    path.mkdir(parents=True, exist_ok=True)
    blob = _npz_bytes(_arrays(model))
    meta = dict(model.meta)
    meta.update(
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "labels": list(model.labels),
            "specs": [s.to_dict() for s in model.vocab.specs],
            "features": model.vocab.size,
            "decision_offsets": [float(x) for x in model.offsets],
            "decision_thresholds": model.thresholds(),
            "arrays": {"file": ARRAYS_FILE, "sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob)},
        }
    )
    (path / ARRAYS_FILE).write_bytes(blob)
    text = json.dumps(_round(meta), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (path / META_FILE).write_text(text, encoding="utf-8")
    return path


def _fail(path: Path, what: str) -> ModelError:
    return ModelError(f"{path} is not a usable Khiên model: {what}",
                      hint="Train one with 'khien train', or use model: default.")


def load_model(directory: str | Path) -> TextModel:
    """Load a model saved by :func:`save_model`; raises :class:`ModelError` for anything else."""
    path = Path(directory)
    if path.is_file() and path.name == META_FILE:
        path = path.parent
    if not path.exists():
        raise ModelError(f"model {path} does not exist", hint="Train one with 'khien train', or use model: default.")
    if not path.is_dir():
        raise _fail(path, "a model is a directory holding model.json and arrays.npz")
    meta_path = path / META_FILE
    if not meta_path.is_file():
        raise _fail(path, f"{META_FILE} is missing")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"{META_FILE} is not valid JSON ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _fail(path, f"{META_FILE} does not describe a {FORMAT} model (found format {meta.get('format') if isinstance(meta, dict) else None!r})")
    if meta.get("format_version") != FORMAT_VERSION:
        raise _fail(path, f"format version {meta.get('format_version')!r} is not supported (this Khiên reads {FORMAT_VERSION})")
    arrays_path = path / str(meta.get("arrays", {}).get("file", ARRAYS_FILE))
    if not arrays_path.is_file():
        raise _fail(path, f"{arrays_path.name} is missing")
    blob = arrays_path.read_bytes()
    if hashlib.sha256(blob).hexdigest() != meta.get("arrays", {}).get("sha256"):
        raise _fail(path, f"{arrays_path.name} does not match the sha256 in {META_FILE} (corrupt or edited)")
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        labels = tuple(str(x) for x in meta["labels"])
        specs = tuple(F.FeatureSpec.from_dict(s) for s in meta["specs"])
        keys = tuple(arrays[f"keys_{i}"] for i in range(len(specs)))
        vocab = F.Vocabulary(specs, keys, arrays["idf"].astype(np.float32))
        weights = arrays["weights"].astype(np.float32)
        k = len(labels)
        if weights.shape != (vocab.size, k) or len(vocab.idf) != vocab.size:
            raise ValueError(f"weights have shape {weights.shape}, expected {(vocab.size, k)}")
        vectors = {n: arrays[n].astype(np.float64) for n in ("bias", "scale", "shift", "offsets")}
        if any(v.shape != (k,) for v in vectors.values()):
            raise ValueError("per-class vectors do not match the labels")
        if any(kk.dtype != np.uint64 or not np.all(kk[1:] > kk[:-1]) for kk in keys):
            raise ValueError("vocabulary keys are not sorted")
    except ModelError:
        raise
    except Exception as exc:  # any missing name, wrong dtype or shape means the file is not ours
        raise _fail(path, f"the arrays are not as expected ({exc})") from exc
    return TextModel(
        labels=labels,
        vocab=vocab,
        weights=weights,
        span_keys=arrays.get("span_keys", np.zeros(0, dtype=np.uint64)).astype(np.uint64),
        span_scores=arrays.get("span_scores", np.zeros(0, dtype=np.float32)).astype(np.float32),
        meta=meta,
        **vectors,
    )
