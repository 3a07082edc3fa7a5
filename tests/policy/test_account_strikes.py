"""Account strikes: the ``accounts:`` section is validated at load, strikes decay on a plain window,
the most severe matching rule of the ladder applies, and its notice names the rule and the items."""

from __future__ import annotations

import copy

import pytest

from khien.clock import FakeClock, iso
from khien.enums import AccountAction
from khien.errors import PolicyError
from khien.policy import (Strike, account_action, active_strikes, new_strike, parse_policy, read_policy_document,
                          standing)
from khien.policy.accounts import DAY

T0 = FakeClock().now()  # 2026-01-01T00:00:00Z


def _doc() -> dict:
    """The packaged policy with a small, known ladder (the tests do not depend on the packaged numbers)."""
    doc = copy.deepcopy(read_policy_document())
    doc["accounts"] = {
        "strikes": {
            "scam": {"weight": 1, "expires_days": 90},
            "impersonation": {"weight": 2, "expires_days": 180},
            "violence": {"weight": 3, "expires_days": 365},
        },
        "actions": [
            {"id": "account.scam-repeat",
             "description": "Three upheld scam removals within 90 days suspend the account.",
             "categories": ["scam", "impersonation"], "min_weight": 3, "action": "suspend", "duration_days": 30},
            {"id": "account.scam-first", "description": "A first upheld scam removal gets a warning.",
             "categories": ["scam"], "min_weight": 1, "action": "warn"},
            {"id": "account.threat", "description": "One upheld threat restricts the account for 7 days.",
             "categories": ["violence"], "min_weight": 3, "action": "restrict", "duration_days": 7},
            {"id": "account.fraud-persistent", "description": "Persistent fraud closes the account.",
             "categories": ["scam", "impersonation"], "min_weight": 6, "action": "ban"},
        ],
    }
    return doc


@pytest.fixture()
def policy():
    return parse_policy(_doc())


def scam(day: float, item: str) -> Strike:
    return Strike("scam", 1.0, T0 + day * DAY, item)


def test_three_scam_strikes_within_90_days_suspend(policy):
    clock = FakeClock(T0)
    strikes = [scam(0, "p-vay-tien"), scam(20, "p-tuyen-ctv"), scam(45, "p-trung-thuong")]
    clock.advance(45 * DAY + 60)
    verdict = account_action(policy, strikes, clock.now())
    assert verdict is not None
    assert (verdict.rule, verdict.action) == ("account.scam-repeat", AccountAction.SUSPEND)
    assert verdict.until == pytest.approx(clock.now() + 30 * DAY)
    assert verdict.items == ("p-vay-tien", "p-tuyen-ctv", "p-trung-thuong")
    assert verdict.weight == 3 and verdict.categories == ("scam",)


def test_the_same_three_strikes_spread_over_200_days_do_nothing_more_than_warn(policy):
    strikes = [scam(0, "p1"), scam(100, "p2"), scam(200, "p3")]
    now = T0 + 200 * DAY + 60
    assert [s.item for s in active_strikes(policy, strikes, now)] == ["p3"]
    verdict = account_action(policy, strikes, now)
    assert verdict is not None and verdict.rule == "account.scam-first"  # one strike counts, not three
    # with the warning already given, nothing is issued at all
    assert account_action(policy, strikes, now, current=AccountAction.WARN) is None


def test_decay_is_a_window_from_when_the_strike_was_given(policy):
    strikes = [scam(0, "p1"), scam(1, "p2"), scam(2, "p3")]
    assert account_action(policy, strikes, T0 + 90 * DAY - 1).action == AccountAction.SUSPEND
    # at exactly 90 days the first strike stops counting: two are left, below the suspension
    at_90 = account_action(policy, strikes, T0 + 90 * DAY)
    assert at_90.action == AccountAction.WARN and at_90.items == ("p2", "p3")
    assert standing(policy, strikes, T0 + 93 * DAY).weights == {}
    # a strike from the future (clock skew) does not count yet
    assert active_strikes(policy, [scam(5, "later")], T0) == []


def test_one_violence_strike_restricts_for_seven_days_with_until(policy):
    clock = FakeClock(T0)
    threat = Strike("violence", 3.0, clock.now(), "p-doa-giet", decision_id=41)
    clock.advance(3600)
    verdict = account_action(policy, [threat], clock.now())
    assert (verdict.rule, verdict.action) == ("account.threat", AccountAction.RESTRICT)
    assert verdict.until == clock.now() + 7 * DAY
    assert verdict.strikes == (threat,)
    assert iso(verdict.until)[:16].replace("T", " ") in verdict.reasons["en"]


def test_the_most_severe_matching_rule_wins_whatever_the_file_order(policy):
    strikes = [scam(d, f"p{d}") for d in range(6)]
    verdict = account_action(policy, strikes, T0 + 6 * DAY)
    assert (verdict.rule, verdict.action, verdict.until) == ("account.fraud-persistent", AccountAction.BAN, None)
    doc = _doc()
    doc["accounts"]["actions"].reverse()
    assert account_action(parse_policy(doc), strikes, T0 + 6 * DAY).rule == "account.fraud-persistent"


def test_weights_add_up_across_the_rule_categories(policy):
    strikes = [scam(0, "p-vay"), Strike("impersonation", 2.0, T0 + DAY, "acc-vietcombank-cskh")]
    verdict = account_action(policy, strikes, T0 + 2 * DAY)
    assert verdict.rule == "account.scam-repeat"
    assert verdict.categories == ("scam", "impersonation")
    assert standing(policy, strikes, T0 + 2 * DAY).weight(["scam", "impersonation"]) == 3


def test_fractional_weights_reach_their_threshold():
    doc = _doc()
    doc["accounts"]["strikes"]["scam"]["weight"] = 0.1
    doc["accounts"]["actions"][1]["min_weight"] = 1  # account.scam-first: a warning at ten light strikes
    policy = parse_policy(doc)
    strikes = [Strike("scam", 0.1, T0 + n * 60, f"p{n}") for n in range(10)]
    assert account_action(policy, strikes[:9], T0 + DAY) is None
    assert account_action(policy, strikes, T0 + DAY).rule == "account.scam-first"


def test_no_reissuing_of_an_action_in_force_or_for_the_same_strikes(policy):
    strikes = [scam(0, "p1"), scam(1, "p2"), scam(2, "p3")]
    now = T0 + 3 * DAY
    assert account_action(policy, strikes, now, current=AccountAction.SUSPEND) is None
    assert account_action(policy, strikes, now, current=AccountAction.BAN) is None
    # a warning in force does not stop an escalation
    assert account_action(policy, strikes, now, current=AccountAction.WARN).action == AccountAction.SUSPEND
    # the suspension issued on day 2 has ended (day 40): the same strikes do not suspend again ...
    later = T0 + 40 * DAY
    assert account_action(policy, strikes, later, last_action_at=T0 + 2 * DAY + 60) is None
    # ... a new strike does
    again = account_action(policy, strikes + [scam(40, "p4")], later + 60, last_action_at=T0 + 2 * DAY + 60)
    assert again.action == AccountAction.SUSPEND and again.items == ("p1", "p2", "p3", "p4")


def test_removed_strikes_are_simply_not_passed(policy):
    strikes = [scam(0, "p1"), scam(1, "p2"), scam(2, "p3")]
    reversed_on_appeal = {"p2"}
    kept = [s for s in strikes if s.item not in reversed_on_appeal]
    assert account_action(policy, kept, T0 + 3 * DAY).action == AccountAction.WARN


def test_no_strikes_no_action_and_unknown_categories_count_for_nothing(policy):
    assert account_action(policy, [], T0) is None
    assert account_action(policy, [Strike("self_harm", 5.0, T0, "p-buon")], T0 + 1) is None
    assert new_strike(policy, "self_harm", T0, "p-buon") is None
    assert new_strike(policy, "violence", T0, "p-doa", 9) == Strike("violence", 3.0, T0, "p-doa", 9)


def test_statement_of_reasons_is_bilingual_and_names_rule_categories_and_items(policy):
    strikes = [scam(0, "p-vay-tien"), scam(1, "p-tuyen-ctv"), Strike("impersonation", 2.0, T0 + DAY, "p-gia-vcb")]
    verdict = account_action(policy, strikes, T0 + 2 * DAY)
    vi, en = verdict.reasons["vi"], verdict.reasons["en"]
    for text in (vi, en):
        assert "account.scam-repeat" in text
        for item in ("p-vay-tien", "p-tuyen-ctv", "p-gia-vcb"):
            assert item in text
        assert "2.1" in text and "2.2" in text
    assert "Tài khoản của bạn bị tạm khóa 30 ngày" in vi and "Lừa đảo" in vi and "Mạo danh" in vi
    assert "suspended for 30 days" in en and "Scam or fraud" in en and "Impersonation" in en
    assert vi.endswith(policy.appeal["vi"]) and en.endswith(policy.appeal["en"])
    assert verdict.appeal == policy.appeal and verdict.policy == policy.version


def test_a_rule_notice_is_quoted_in_both_languages():
    doc = _doc()
    doc["accounts"]["actions"][2]["notice"] = {"vi": "Bạn không thể bình luận trong 7 ngày.",
                                               "en": "You cannot comment for 7 days."}
    verdict = account_action(parse_policy(doc), [Strike("violence", 3.0, T0, "p-doa")], T0 + 1)
    assert "Bạn không thể bình luận trong 7 ngày." in verdict.reasons["vi"]
    assert "You cannot comment for 7 days." in verdict.reasons["en"]


def _actions(d: dict) -> list:
    return d["accounts"]["actions"]


@pytest.mark.parametrize(
    ("mutate", "field", "says"),
    [
        (lambda d: _actions(d)[0]["categories"].append("politics"), "accounts.actions[0].categories[2]",
         "valid categories: scam"),
        (lambda d: _actions(d)[0]["categories"].append("scma"), "accounts.actions[0].categories[2]",
         "did you mean `scam`?"),
        (lambda d: d["accounts"]["strikes"].update(opinion={"weight": 1, "expires_days": 30}),
         "accounts.strikes.opinion", "not a category"),
        (lambda d: _actions(d)[0].update(min_weigth=_actions(d)[0].pop("min_weight")),
         "accounts.actions[0].min_weigth", "did you mean `min_weight`?"),
        (lambda d: _actions(d)[0].update(min_strikes=_actions(d)[0].pop("min_weight")),
         "accounts.actions[0].min_strikes",
         "valid keys: action, categories, description, duration_days, id, min_weight, notice"),
        (lambda d: d["accounts"]["strikes"]["scam"].update(expires_day=90), "accounts.strikes.scam.expires_day",
         "did you mean `expires_days`?"),
        (lambda d: d["accounts"].update(ladder=[]), "accounts.ladder", "unknown key"),
        (lambda d: _actions(d)[3].update(duration_days=365), "accounts.actions[3].duration_days",
         "ban takes no duration"),
        (lambda d: _actions(d)[1].update(duration_days=3), "accounts.actions[1].duration_days",
         "warn takes no duration"),
        (lambda d: _actions(d)[2].update(id="account.scam-repeat"), "accounts.actions[2].id", "duplicate"),
        (lambda d: _actions(d)[0].update(duration_days=0), "accounts.actions[0].duration_days", "above 0"),
        (lambda d: _actions(d)[0].update(min_weight=0), "accounts.actions[0].min_weight", "above 0"),
        (lambda d: _actions(d)[0].update(action="suspned"), "accounts.actions[0].action", "did you mean `suspend`?"),
        (lambda d: _actions(d)[0].update(action="mute"), "accounts.actions[0].action",
         "expected one of 'warn', 'restrict', 'suspend', 'ban'"),
        (lambda d: d["accounts"]["strikes"]["scam"].update(weight=0), "accounts.strikes.scam.weight", "above 0"),
        (lambda d: d["accounts"]["strikes"]["scam"].update(weight=-1), "accounts.strikes.scam.weight", "above 0"),
        (lambda d: d["accounts"]["strikes"]["scam"].update(weight=float("inf")), "accounts.strikes.scam.weight",
         "above 0"),
        (lambda d: d["accounts"]["strikes"]["scam"].update(expires_days=0), "accounts.strikes.scam.expires_days",
         "above 0"),
        (lambda d: d["accounts"]["strikes"]["scam"].update(expires_days="90"), "accounts.strikes.scam.expires_days",
         "expected an integer"),
        (lambda d: _actions(d)[0].update(categories=["scam", "hate"]), "accounts.actions[0].categories[1]",
         "carries no strikes"),
        (lambda d: _actions(d)[0].update(categories=[]), "accounts.actions[0].categories", "at least one"),
        (lambda d: _actions(d)[0].update(notice={"vi": "Tài khoản bị khóa."}), "accounts.actions[0].notice.en",
         "required"),
    ],
)
def test_bad_accounts_section_names_the_path(mutate, field, says):
    doc = _doc()
    mutate(doc)
    with pytest.raises(PolicyError) as info:
        parse_policy(doc)
    assert info.value.field == field, info.value.message
    assert field in info.value.message and says in info.value.message


def test_errors_inside_an_action_name_its_id():
    doc = _doc()
    _actions(doc)[3]["duration_days"] = 365
    with pytest.raises(PolicyError, match=r"\(in rule 'account.fraud-persistent'\)"):
        parse_policy(doc)


def test_a_policy_without_accounts_section_has_an_empty_ladder():
    doc = _doc()
    del doc["accounts"]
    policy = parse_policy(doc)
    assert not policy.accounts.rules and not policy.accounts.strikes
    assert account_action(policy, [scam(0, "p1")] * 5, T0 + DAY) is None


def test_packaged_policy_ladder_is_within_its_categories():
    policy = parse_policy(read_policy_document())
    acc = policy.accounts
    assert acc.rules and acc.strikes
    assert set(acc.strikes) <= set(policy.categories)
    assert {c for r in acc.rules for c in r.categories} <= set(acc.strikes)
    # nobody is punished for self-harm, a debunked claim or swearing
    assert not {"self_harm", "misinformation", "profanity"} & set(acc.strikes)
    assert acc.strikes["spam"].weight < acc.strikes["scam"].weight
    for action in AccountAction:
        assert any(r.action == action for r in acc.rules), action


def test_packaged_policy_matches_its_published_examples():
    """The numbers the issue and the YAML comments promise: three scams in 90 days suspend for 30
    days, one threat restricts for 7 days, a second threat suspends."""
    policy = parse_policy(read_policy_document())
    three = [Strike("scam", 1.0, T0 + d * DAY, f"p{d}") for d in (0, 30, 60)]
    verdict = account_action(policy, three, T0 + 61 * DAY)
    assert verdict.action == AccountAction.SUSPEND and verdict.until == T0 + 91 * DAY
    spread = [Strike("scam", 1.0, T0 + d * DAY, f"p{d}") for d in (0, 100, 200)]
    assert account_action(policy, spread, T0 + 200 * DAY + 60) is None
    threat = new_strike(policy, "violence", T0, "p-doa")
    verdict = account_action(policy, [threat], T0 + 1)
    assert verdict.action == AccountAction.RESTRICT and verdict.until == T0 + 1 + 7 * DAY
    second = new_strike(policy, "violence", T0 + 100 * DAY, "p-doa-2")
    assert account_action(policy, [threat, second], T0 + 100 * DAY,
                          current=None).action == AccountAction.SUSPEND


def test_policy_check_prints_the_account_ladder_most_severe_first(tmp_path):
    import subprocess
    import sys

    import yaml

    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(_doc(), allow_unicode=True), encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "khien", "policy", "check", str(path)], capture_output=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr.decode()
    out = res.stdout.decode()
    assert "scam.lure-with-hook" in out and "policy is valid" in out  # the existing listing stays
    assert "account strikes" in out and "account actions" in out
    order = [out.index(rid) for rid in ("account.fraud-persistent", "account.scam-repeat", "account.threat",
                                        "account.scam-first")]
    assert order == sorted(order)
    line = next(ln for ln in out.splitlines() if "account.scam-repeat" in ln)
    assert "scam, impersonation" in line and "suspend" in line and "30 days" in line
