"""Intent detector: what harm a post is and what it asks of the reader, from the intent model.

Config:

- ``model``: a directory written by :func:`khien.learn.intent_format.save_intent`, or ``default``
  (the packaged model, trained on the project's corpus, its examples and ViHOS; ``make model``).
- ``min_score``: category signals below this calibrated probability are not emitted (default 0.2).
- ``evidence_min_score``: model cues are computed from this score on (default 0.5).

Signals:

- ``intent.v1``, one per category at or above ``min_score``; its evidence is the words that carry the score
  (labelled ``model cue``), never words the model merely saw;
- one fact signal, ``intent.stance.v1`` (category ``""``), with ``facts: {stance: solicits|warns|asks|reports|other}``, the
  stance's probability as score, and its cues as evidence when the post carries any category
  signal. Policies read it with ``{fact: stance, equals: solicits}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import DetectorError, KhienError
from ..model import Evidence, Signal
from ..resources import resolve
from .base import Example, Prepared, configure
from .context import DetectorContext

__all__ = ["IntentConfig", "IntentDetector"]


@dataclass(frozen=True, slots=True)
class IntentConfig:
    """``intent.v1`` config (see the module docstring for what each key does)."""

    model: str = "default"
    min_score: float = 0.2
    evidence_min_score: float = 0.5

CUE = "model cue"
STANCE = "intent.stance.v1"


@lru_cache(maxsize=4)
def _load(path: str | None) -> Any:
    from ..learn.intent_format import load_intent

    return load_intent(path)


class IntentDetector:
    name = "intent.v1"
    requires = ("canonical", "folded")
    facts = ("stance",)

    Config = IntentConfig

    def __init__(self, config: IntentConfig | Mapping[str, Any] | None = None,
                 context: DetectorContext | None = None, /, **options: Any) -> None:
        self.config = configure(IntentConfig, self.name, config, options)
        model, min_score, evidence_min_score = self.config.model, self.config.min_score, self.config.evidence_min_score
        for key, value in (("min_score", min_score), ("evidence_min_score", evidence_min_score)):
            if not 0.0 <= value <= 1.0:
                raise DetectorError(f"detectors.intent.v1.{key}: must be a number between 0 and 1, found {value!r}",
                                    field=f"detectors.intent.v1.{key}")
        self.is_default = model in ("default", "packaged:intent")
        try:
            path = resolve("packaged:intent" if self.is_default else model, "model")
            # the packaged static vectors every intent model reads (load_intent checks their digest)
            resolve("packaged:vectors", "model")
            self.model = _load(None if self.is_default else str(path.resolve()))
        except KhienError as exc:
            raise DetectorError(f"intent.v1: {exc}") from exc
        self.min_score = float(min_score)
        self.evidence_min_score = float(evidence_min_score)
        self.emits = tuple(self.model.categories)
        self._model_sha = str((self.model.meta.get("arrays") or {}).get("sha256", ""))[:12]

    @property
    def signals(self) -> tuple[str, ...]:
        return (self.name, STANCE)

    @property
    def tags(self) -> frozenset[str]:
        return frozenset()

    @property
    def examples(self) -> tuple[Example, ...]:
        if not self.is_default:
            return ()
        return (
            Example("Chị ơi em Hùng đây, em đang kẹt ở viện, chị chuyển giúp em 5 triệu vào tài khoản bạn em nhé, mai em gửi lại",
                    emits=("scam",)),
            Example("Hôm nay trời mát, cả nhà đi công viên ăn kem, vui ghê", not_emits=("scam", "hate", "harassment")),
        )

    def detect_batch(self, batch: Sequence[Prepared]) -> list[list[Signal]]:
        if not batch:
            return []
        from ..learn.model import view_texts

        texts = view_texts([p.views for p in batch])
        inputs = self.model.inputs(texts)
        cats, stance = self.model.predict(texts, inputs)
        chosen = np.argmax(stance, axis=1)
        emit = cats >= self.min_score
        # evidence for confident categories and for the stance of posts with any category signal
        requests = [(i, int(h), False) for i in range(len(batch)) for h in np.flatnonzero(cats[i] >= self.evidence_min_score)]
        requests += [(i, int(chosen[i]), True) for i in np.flatnonzero(emit.any(axis=1))
                     if self.model.stances[int(chosen[i])] != "other"]
        canon = [p.views.canonical.text for p in batch]
        cues = dict(zip(requests, self.model.cues_batch(canon, requests, inputs)))

        def evidence(i: int, column: int, stance: bool) -> tuple[Evidence, ...]:
            view = batch[i].views.canonical
            out = []
            for cue in cues.get((i, column, stance), ()):
                start, end, quote = view.quote(cue.start, cue.end)
                if end > start:
                    out.append(Evidence(start, end, quote, label=CUE))
            return tuple(out)

        result: list[list[Signal]] = []
        for i in range(len(batch)):
            found = [Signal(self.name, self.model.categories[h], float(cats[i, h]), evidence(i, int(h), False),
                            details={"model": self.model.name, "model_sha256": self._model_sha}) for h in np.flatnonzero(emit[i])]
            s = int(chosen[i])
            found.append(Signal(STANCE, "", float(stance[i, s]), evidence(i, s, True),
                                details={"model": self.model.name, "model_sha256": self._model_sha,
                                         "stance_scores": {k: round(float(v), 4) for k, v in zip(self.model.stances, stance[i])}},
                                facts={"stance": self.model.stances[s]}))
            result.append(found)
        return result
