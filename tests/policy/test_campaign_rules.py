"""The campaign signals and facts in policy rules: typos fail at load (in the engine and in
``khien policy check``), a rule's `priority` and `statement` are checked, and the default policy's
campaign rules are what docs/campaigns.md says."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from khien.engine import Engine
from khien.errors import PolicyError
from khien.policy import parse_policy, read_policy_document

MEMBER_RULE = {
    "id": "campaign.test", "description": "A test rule.", "category": "spam", "action": "review",
    "when": {"signal": "campaign.member", "min_score": 0.0},
}


@pytest.fixture()
def doc():
    return copy.deepcopy(read_policy_document())


def write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_error(tmp_path: Path, doc: dict) -> str:
    with pytest.raises(PolicyError) as info:
        Engine.from_policy(write(tmp_path, doc))
    return info.value.message


@pytest.mark.parametrize(("when", "expected"), [
    ({"signal": "campaign.membr"}, "did you mean `campaign.member`?"),
    ({"signal": "campaign.shared_contacts"}, "did you mean `campaign.shared_contact`?"),
    ({"fact": "campaign.confirmed_scm", "equals": True}, "did you mean `campaign.confirmed_scam`?"),
    ({"fact": "campaign.sise", "gte": 10}, "did you mean `campaign.size`?"),
])
def test_a_misspelt_campaign_signal_or_fact_fails_at_load(tmp_path, doc, when, expected):
    doc["rules"].append({**MEMBER_RULE, "when": when})
    message = load_error(tmp_path, doc)
    assert expected in message and "(in rule 'campaign.test')" in message


def test_campaign_signals_need_the_stage_enabled(tmp_path, doc):
    del doc["detectors"]["campaigns.v1"]
    message = load_error(tmp_path, doc)
    assert "'campaign.member', which no configured detector emits" in message


def test_a_statement_placeholder_must_name_a_fact(tmp_path, doc):
    doc["rules"].append({**MEMBER_RULE, "statement": {"vi": "Chiến dịch {campaing}.", "en": "Campaign {campaign}."}})
    message = load_error(tmp_path, doc)
    assert "statement.vi names unknown fact {campaing}; did you mean `{campaign}`?" in message


def test_rule_priority_is_a_bounded_factor_and_its_key_is_checked(doc):
    doc["rules"].append({**MEMBER_RULE, "priority": 0})
    with pytest.raises(PolicyError, match="priority must be a number above 0"):
        parse_policy(doc)
    doc["rules"][-1] = {**MEMBER_RULE, "priorty": 2}
    with pytest.raises(PolicyError, match="unknown key; did you mean `priority`"):
        parse_policy(doc)


def test_policy_check_reports_a_campaign_typo(tmp_path, doc):
    doc["rules"].append({**MEMBER_RULE, "when": {"fact": "campaign.acounts", "gte": 5}})
    res = subprocess.run([sys.executable, "-m", "khien", "policy", "check", str(write(tmp_path, doc))],
                         capture_output=True, timeout=120)
    assert res.returncode != 0
    assert "did you mean `campaign.accounts`?" in (res.stdout + res.stderr).decode()


def test_the_default_policy_campaign_rules():
    policy = Engine.from_policy().policy
    rules = {r.id: r for r in policy.rules}
    member, confirmed = rules["campaign.member"], rules["campaign.confirmed-scam"]
    assert (member.action, member.category, member.priority) == ("review", "spam", 2.0)
    assert (confirmed.action, confirmed.category) == ("remove", "scam")
    assert "{campaign}" in member.statement["vi"] and "{campaign.accounts}" in member.statement["en"]
    # the case of a post another rule sends to review is raised when it is a campaign member
    assert policy.priority_factor(("scam.suspected", "campaign.member")) == 2.0
    assert policy.priority_factor(("scam.suspected",)) == 1.0
