"""A typo or a wrong type anywhere in a policy fails at load, naming the path and the nearest valid key."""

from __future__ import annotations

import copy

import pytest

from khien.errors import PolicyError
from khien.policy import parse_policy, read_policy_document
from khien.policy.conditions import SPECS, condition_names


@pytest.fixture()
def doc():
    return copy.deepcopy(read_policy_document())


def _error(doc) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        parse_policy(doc)
    return info.value


def test_a_misspelt_score_bound_names_the_rule_and_the_key(doc):
    rid = doc["rules"][0]["id"]
    doc["rules"][0]["when"] = {"category": "scam", "min_scor": 0.5}
    error = _error(doc)
    assert "rules[0].when.min_scor: unknown key; did you mean `min_score`?" in error.message
    assert f"(in rule '{rid}')" in error.message
    assert error.field == "rules[0].when.min_scor"


@pytest.mark.parametrize(
    ("when", "path", "guess"),
    [
        ({"all": [{"category": "scam"}], "al": 1}, "when.al", None),
        ({"any": [{"category": "scam", "max_scroe": 0.9}]}, "when.any[0].max_scroe", "max_score"),
        ({"not": {"signal": "lexicon.scam.v1", "in_categroy": "scam"}}, "when.not.in_categroy", "in_category"),
        ({"tags": ["task"], "cuont": 2}, "when.cuont", "count"),
        ({"fact": "reach", "gtee": 10}, "when.gtee", "gte"),
        ({"regex": "vay nhanh", "veiw": "folded"}, "when.veiw", "view"),
        ({"categroy": "scam", "min_score": 0.5}, "when.categroy", "category"),
    ],
)
def test_every_condition_kind_refuses_unknown_keys(doc, when, path, guess):
    doc["rules"][0]["when"] = when
    error = _error(doc)
    assert f"rules[0].{path}" in error.message
    if guess:
        assert f"did you mean `{guess}`?" in error.message


@pytest.mark.parametrize(
    ("when", "path", "expected"),
    [
        ({"category": "scam", "min_score": "0.5"}, "when.min_score", "a number"),
        ({"tags": ["task"], "count": "hai"}, "when.count", "an integer"),
        ({"fact": "reach", "in": 10}, "when.in", "a list"),
        ({"regex": 42}, "when.regex", "a text"),
        ({"all": {"category": "scam"}}, "when.all", "a list"),
        ({"signal": "lexicon.scam.v1", "min_score": True}, "when.min_score", "a number"),
    ],
)
def test_wrong_types_fail_at_load(doc, when, path, expected):
    doc["rules"][0]["when"] = when
    error = _error(doc)
    assert f"rules[0].{path}: expected" in error.message and expected in error.message


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["rules"][0].update(descripton="x"), "descripton: unknown key; did you mean `description`?"),
        (lambda d: d["rules"][0].update(action="remov"), "did you mean `remove`?"),
        (lambda d: d["categories"]["scam"].update(report_treshold=0.4),
         "categories.scam.report_treshold: unknown key; did you mean `report_threshold`?"),
        (lambda d: d["categories"]["scam"].update(severity="cao"), "categories.scam.severity: expected an integer"),
        (lambda d: d["policy"].update(nmae="x"), "policy.nmae: unknown key; did you mean `name`?"),
        (lambda d: d.update(rule=[]), "rule: unknown key; did you mean `rules`?"),
        (lambda d: d["appeal"].update(fr="x"), "appeal.fr: unknown key"),
        (lambda d: d["categories"].update(scma=d["categories"]["scam"]), "did you mean `scam`?"),
        (lambda d: d["rules"][0].update(category="scma"), "did you mean `scam`?"),
        (lambda d: d.update(detectors={"lexicon.v1": ["scam"]}), "detectors.lexicon.v1: expected a mapping"),
    ],
)
def test_every_section_refuses_typos_and_wrong_types(doc, mutate, message):
    mutate(doc)
    assert message in _error(doc).message


def test_every_condition_kind_has_a_typed_spec():
    assert set(SPECS) == set(condition_names())


def test_the_packaged_policy_still_parses_to_the_same_version(doc):
    from khien.policy.schema import content_hash

    assert parse_policy(doc).version == content_hash(doc)
