"""Explaining a stored decision without the engine: rules by the part they played, status, gaps, harm."""

from __future__ import annotations

import pytest

from khien.server.console.explain import bar_width, gaps_of, harm_of, rules_of, status_of


def _stored(engine, **changes):
    decision = {"id": "t-vay", "action": "remove", "policy": engine.policy.version, "automated": True,
                "rules": ["scam.solicits", "scam.lure-with-hook", "scam.suspected"], "clause": "2.1",
                "shadow": {"rules": ["scam.high-reach-shadow"], "action": "remove"}, "fingerprint": "ab12", "signals": []}
    return decision | changes


def test_rules_agreeing_with_the_action_decided_it_and_milder_ones_were_outranked(engine):
    rules = rules_of(_stored(engine), engine.policy, "vi")
    assert [r.id for r in rules.decided] == ["scam.solicits", "scam.lure-with-hook"]
    assert [(r.id, r.action) for r in rules.outranked] == [("scam.suspected", "review")]
    assert [r.id for r in rules.shadow] == ["scam.high-reach-shadow"] and rules.shadow_action == "remove"
    assert rules.same_policy and not rules.also
    assert rules.decided[0].description_lang == "vi" and "người đọc" in rules.decided[0].description


def test_under_another_policy_only_the_first_rule_is_known_to_have_decided(engine):
    rules = rules_of(_stored(engine, policy="0ld", rules=["scam.lure-with-hook", "scam.suspected", "gone.rule"]),
                     engine.policy, "en")
    assert [r.id for r in rules.decided] == ["scam.lure-with-hook"] and rules.decided[0].action is None
    assert [r.id for r in rules.also] == ["scam.suspected", "gone.rule"] and not rules.outranked
    gone = rules.also[1]
    assert gone.description is None and gone.action is None


@pytest.mark.parametrize("action,automated,status", [
    ("remove", True, "applied"), ("label", True, "applied"), ("review", True, "proposed"), ("allow", True, "no_action"),
    ("remove", False, "by_person"),
])
def test_status_says_applied_or_proposed(action, automated, status):
    assert status_of({"action": action, "automated": automated}) == status


def test_status_and_gaps_of_a_case_without_a_decision():
    assert status_of(None) == status_of({}) == "none"


def test_gaps_name_what_an_old_decision_lacks(engine):
    assert gaps_of(_stored(engine), engine.policy) == []
    old = _stored(engine, policy="0ld")
    del old["signals"], old["fingerprint"]
    assert gaps_of(old, engine.policy) == ["gap_signals", "gap_fingerprint", "gap_policy"]


@pytest.mark.parametrize("score,harm,width", [(0.99, "high", 100), (0.7, "high", 70), (0.55, "medium", 55),
                                              (0.12, "low", 10), (None, "low", 0), (1.7, "high", 100)])
def test_harm_levels_and_bar_widths(score, harm, width):
    assert harm_of(score) == harm and bar_width(score) == width
