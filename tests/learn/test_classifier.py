"""The classifier detector: default model out of the box, label mapping, evidence, engine wiring."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from khien.detect import Prepared, create
from khien.engine import Engine
from khien.errors import DetectorError
from khien.learn import save_model
from khien.model import Item
from khien.policy.schema import default_policy_path


def _batch(*texts: str) -> list[Prepared]:
    return [Prepared(Item(str(i), t)) for i, t in enumerate(texts)]


def test_default_model_scores_insults_and_quotes_the_users_words():
    detector = create("classifier.v1")
    assert detector.signals == ("classifier.v1",) and detector.emits == ("profanity",)
    assert detector.tags == frozenset({"clean", "offensive"})
    insult, clean, criticism = detector.detect_batch(
        _batch("Thằng kia mày NGU như chó, câm mồm lại", "Cảm ơn shop, giao hàng nhanh", "Chính phủ cần minh bạch ngân sách hơn")
    )
    (signal,) = insult
    assert signal.detector == "classifier.v1" and signal.category == "profanity"
    assert signal.score > 0.9 and "offensive" in signal.tags
    quoted = [e.text for e in signal.evidence]
    assert any("NGU" in q for q in quoted) and any("câm mồm" in q for q in quoted)
    assert all(s.score < 0.5 for s in clean) and all(s.score < 0.5 for s in criticism)


def test_evidence_maps_through_teencode_and_obfuscation():
    detector = create("classifier.v1")
    text = "đ.m thằng này ăn nói như l"
    ((signal,),) = detector.detect_batch(_batch(text))
    assert signal.score > 0.5
    for e in signal.evidence:
        assert text[e.start:e.end] == e.text
    assert any(e.text.startswith("đ.m") for e in signal.evidence)


def test_user_model_with_label_mapping(tmp_path, examples_model):
    path = save_model(examples_model, tmp_path / "mine")
    detector = create("classifier.v1", {"model": str(path), "labels": {"offensive": "harassment", "clean": None}})
    assert detector.emits == ("harassment",)
    insult, clean = detector.detect_batch(_batch("mày là đồ óc chó", "chúc cả nhà vui vẻ"))
    (found,) = insult
    assert found.category == "harassment" and found.score > 0.5 and "offensive" in found.tags
    assert all(s.score < 0.5 for s in clean)


def test_bad_config_is_a_clear_error(tmp_path, examples_model):
    path = save_model(examples_model, tmp_path / "mine")
    with pytest.raises(DetectorError, match="not a label"):
        create("classifier.v1", {"model": str(path), "labels": {"toxic": "harassment"}})
    with pytest.raises(DetectorError, match="unknown category"):
        create("classifier.v1", {"model": str(path), "labels": {"offensive": "rudeness"}})
    with pytest.raises(DetectorError, match="does not exist"):
        create("classifier.v1", {"model": str(tmp_path / "missing")})


def test_engine_uses_the_model_given_as_override(tmp_path, examples_model):
    path = save_model(examples_model, tmp_path / "mine")
    document = yaml.safe_load(Path(default_policy_path()).read_text(encoding="utf-8"))
    document["detectors"]["classifier.v1"] = {"labels": {"offensive": "harassment", "clean": None}}
    document["rules"].append({
        "id": "harassment.model", "description": "The model's tuned decision says offensive.",
        "category": "harassment", "action": "review",
        "when": {"all": [{"signal": "classifier.v1", "min_score": 0.5}, {"tags": ["offensive"], "in_category": "harassment"}]},
    })
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    engine = Engine.from_policy(policy, overrides={"classifier.v1": {"model": str(path)}})
    insult, clean = engine.decide_batch([Item("1", "mày là đồ óc chó"), Item("2", "chúc cả nhà cuối tuần vui vẻ")])
    assert "harassment.model" in insult.rules and "classifier.v1" in insult.detectors
    assert "harassment.model" not in clean.rules
