"""Every registered detector runs on its own examples and keeps the protocol's promises."""

from __future__ import annotations

import pytest

from khien.detect import Prepared, available, create
from khien.model import Item, Signal
from khien.policy import TAXONOMY


@pytest.mark.parametrize("name", available())
def test_detector_conforms_on_its_examples(name):
    detector = create(name)
    assert detector.name == name and name.rsplit(".", 1)[-1].startswith("v")
    assert set(detector.emits) <= set(TAXONOMY) | {"context"}  # "context": framing, never a harm
    assert detector.requires and set(detector.requires) <= {"original", "nfc", "canonical", "folded"}
    assert detector.examples, f"{name} has no examples"
    batch = []
    for i, ex in enumerate(detector.examples):
        batch.append(Prepared(Item.from_dict({"id": str(i), "text": ex.text, **({"author": ex.author} if ex.author else {})})))
    results = detector.detect_batch(batch)
    assert len(results) == len(batch)
    for ex, prepared, signals in zip(detector.examples, batch, results):
        found = {s.category for s in signals}
        for cat in ex.emits:
            assert cat in found, f"{name} should emit {cat} for {ex.text!r}; found {found}"
        for cat in ex.not_emits:
            assert cat not in found or max(s.score for s in signals if s.category == cat) < 0.5, (name, ex.text)
        for s in signals:
            assert isinstance(s, Signal)
            assert s.detector in detector.signals
            # a signal that carries only facts about the item (e.g. its stance) has no category
            assert s.category in detector.emits or (s.category == "" and s.facts and set(s.facts) <= set(detector.facts))
            assert 0.0 <= s.score <= 1.0
            for e in s.evidence:
                if e.field == "text":
                    assert prepared.item.text[e.start:e.end] == e.text
