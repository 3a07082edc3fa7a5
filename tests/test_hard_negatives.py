"""Hard negatives stay `allow`; criticism of authority is `allow` with no category at all.

The fixture texts were written by the project and are never used to tune lexicons (held out).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from khien import Item

FIXTURES = Path(__file__).parent / "fixtures"
NEGATIVES = [json.loads(l) for l in (FIXTURES / "hard_negatives.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
POSITIVES = [json.loads(l) for l in (FIXTURES / "positives.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]


def test_fixture_kinds_are_all_present():
    kinds = Counter(n["kind"] for n in NEGATIVES)
    for kind in ("scam_news", "bank_reminder", "legit_sale_or_job", "near_miss_story", "sports_slang", "criticism"):
        assert kinds[kind] >= 15, kind


@pytest.mark.parametrize("post", [n for n in NEGATIVES if n["kind"] == "criticism"], ids=lambda p: p["id"])
def test_criticism_of_authority_is_allowed_with_no_category(engine, post):
    decision = engine.decide(Item(id=post["id"], text=post["text"]))
    assert decision.action == "allow", decision.to_dict()
    assert [c.name for c in decision.categories if c.name != "profanity"] == []


def test_hard_negatives_are_allowed(engine):
    wrong = []
    for post in NEGATIVES:
        decision = engine.decide(Item(id=post["id"], text=post["text"]))
        if decision.action != "allow":
            wrong.append((post["kind"], decision.action, decision.rules, post["text"][:90]))
    # Measured 128/130 allowed with the word-list engine, 125/130 with the intent model (issue 9):
    # genuine bank reminders and deposit requests that ask the reader to act are the intent model's
    # weak spot (it halved the action rate on the corpus's held-out hard negatives, 13.9% -> ~6%,
    # but acts on three bank reminders here). A regression of more than one post fails, and the
    # list shows which; criticism and sports slang must never be acted on.
    assert len(wrong) <= 6, wrong
    by_kind = Counter(kind for kind, *_ in wrong)
    assert by_kind["criticism"] == 0 and by_kind["sports_slang"] == 0 and by_kind["legit_sale_or_job"] <= 2, wrong


def test_positives_are_detected_in_their_category(engine):
    """Held-out recall floor per category; the figures themselves are printed by bench/quality.py."""
    category_of = {"gambling": "spam"}
    found = Counter()
    total = Counter()
    for post in POSITIVES:
        want = category_of.get(post["category"], post["category"])
        decision = engine.decide(Item(id=post["id"], text=post["text"]))
        total[want] += 1
        found[want] += any(c.name == want for c in decision.categories)
    recall = {cat: found[cat] / total[cat] for cat in total}
    assert sum(found.values()) / sum(total.values()) >= 0.5, recall
    for cat in ("scam", "spam", "profanity"):
        assert recall[cat] >= 0.5, (cat, recall)
