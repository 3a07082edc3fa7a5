"""The intent model's file format: ``intent.json`` (metadata, sha256 of the arrays) + ``intent.npz``.

Same rules as :mod:`khien.learn.format`: no pickle, expected names and shapes checked on load,
deterministic bytes. The static vectors are not copied into the model: the model records the sha256
of the vectors it was trained with and refuses to load beside different ones.
"""

from __future__ import annotations

import hashlib
import io
import json
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import ModelError
from . import features as F
from .format import _npz_bytes, _round
from .intent import IntentModel
from .static import load_vectors

__all__ = ["save_intent", "load_intent", "default_intent_path", "FORMAT"]

FORMAT = "khien.intent-model"
FORMAT_VERSION = 1


def default_intent_path() -> Path:
    return Path(str(resources.files("khien.data").joinpath("models", "intent")))


def save_intent(model: IntentModel, directory: str | Path) -> Path:
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {f"keys_{i}": k.astype("<u8") for i, k in enumerate(model.vocab.keys)}
    arrays["idf"] = model.vocab.idf.astype("<f4")
    arrays["w_cat"] = model.w_cat.astype("<f2")
    arrays["w_st"] = model.w_st.astype("<f2")
    for name in ("e_cat", "b_cat", "platt", "e_st", "b_st"):
        arrays[name] = np.asarray(getattr(model, name), dtype="<f8")
    blob = _npz_bytes(arrays)
    meta = dict(model.meta)
    meta.update({"format": FORMAT, "format_version": FORMAT_VERSION, "categories": list(model.categories),
                 "stances": list(model.stances), "specs": [s.to_dict() for s in model.vocab.specs],
                 "alpha": model.alpha, "static_vectors": model.static.meta.get("sha256"),
                 "arrays": {"file": "intent.npz", "sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob)}})
    (path / "intent.npz").write_bytes(blob)
    (path / "intent.json").write_text(json.dumps(_round(meta), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                      encoding="utf-8")
    return path


def load_intent(directory: str | Path | None = None, vectors: str | Path | None = None) -> IntentModel:
    path = Path(directory) if directory is not None else default_intent_path()
    try:
        meta = json.loads((path / "intent.json").read_text(encoding="utf-8"))
        blob = (path / "intent.npz").read_bytes()
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path} is not a usable intent model: {exc}") from exc
    if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{path} is not a {FORMAT} (version {FORMAT_VERSION}) model")
    if hashlib.sha256(blob).hexdigest() != meta.get("arrays", {}).get("sha256"):
        raise ModelError(f"{path}/intent.npz does not match the sha256 in intent.json (corrupt or edited)")
    static = load_vectors(vectors)
    if static.meta.get("sha256") != meta.get("static_vectors"):
        raise ModelError(f"{path} was trained with other static vectors ({meta.get('static_vectors')}); "
                         f"found {static.meta.get('sha256')}", hint="Rebuild it with 'make model'.")
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            a = {n: z[n] for n in z.files}
        specs = tuple(F.FeatureSpec.from_dict(s) for s in meta["specs"])
        vocab = F.Vocabulary(specs, tuple(a[f"keys_{i}"].astype(np.uint64) for i in range(len(specs))), a["idf"].astype(np.float32))
        cats, stances = tuple(meta["categories"]), tuple(meta["stances"])
        model = IntentModel(cats, stances, vocab, static, float(meta["alpha"]), a["w_cat"].astype(np.float32),
                            a["e_cat"], a["b_cat"], a["platt"], a["w_st"].astype(np.float32), a["e_st"], a["b_st"], meta)
        if model.w_cat.shape != (vocab.size, len(cats)) or model.w_st.shape != (vocab.size, len(stances)):
            raise ValueError("weight shapes do not match the vocabulary")
        if model.e_cat.shape != (static.dim, len(cats)) or model.platt.shape != (len(cats), 2):
            raise ValueError("vector weights do not match the static vectors")
    except (KeyError, ValueError) as exc:
        raise ModelError(f"{path} is not a usable intent model: the arrays are not as expected ({exc})") from exc
    return model
