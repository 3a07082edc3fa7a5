"""The campaign stage in the engine (``campaigns.v1``): planted campaigns decided in several batches
get ``campaign.member`` from the fifth account on; natural repetition and items without an author or
a time get nothing; a confirmed scam makes later members removed with the campaign named; warnings
that repeat a campaign's phone number are not removed."""

from __future__ import annotations

import dataclasses

import pytest

from khien.campaigns.stage import CampaignStage, StageConfig, contact_spans, matched_span
from khien.detect import registry
from khien.engine import Engine
from khien.errors import DetectorError
from khien.model import Item
from khien.text.views import views

TASK = ("Tuyển CTV làm việc online tại nhà, thu nhập 300-500k mỗi ngày, không cần kinh nghiệm, chỉ cần "
        "điện thoại, liên hệ Zalo 09123456{:02d} để nhận việc ngay")
SHOP = ("Shop mình đang có chương trình ưu đãi cuối tuần cho khách quen, các bạn nhắn Zalo 0987654{:03d} "
        "để được tư vấn miễn phí nhé")
CHEER = ["Chúc mừng đội tuyển Việt Nam vô địch AFF Cup, tự hào quá các anh ơi",
         "Chúc mừng đội tuyển Việt Nam vô địch, tự hào quá"]
WARNINGS = [
    "Cảnh báo: số 0912345678 này lừa đảo, mọi người đừng chuyển tiền nhé",
    "Cảnh báo mọi người: số 0912345678 này lừa đảo tuyển CTV, đừng nghe theo",
    "Cảnh báo: số 0912345678 này lừa đảo, mọi người chia sẻ cho người thân biết",
    "Mọi người cẩn thận, số 0912345678 là lừa đảo đó, mình bị mất 2 triệu rồi",
    "Cảnh báo: số điện thoại 0912345678 này lừa đảo, đã có nhiều người bị lừa",
    "Số 0912345678 lừa đảo đấy mọi người ơi, đừng chuyển tiền cọc",
    "Ai bị số 0912345678 gọi thì cảnh giác nhé, lừa đảo đấy",
]


def item(n: int, text: str, when: str | None, account: str | None = "default") -> Item:
    data: dict = {"id": f"p{n}", "text": text}
    if when is not None:
        data["created_at"] = when
    if account is not None:
        data["author"] = {"id": f"acct{n}" if account == "default" else account}
    return Item.from_dict(data)


@pytest.fixture()
def engine() -> Engine:
    return Engine.from_policy()  # a fresh stage per test: campaign state is per engine


def decide_in_batches(engine: Engine, items: list[Item], size: int = 3):
    out = []
    for start in range(0, len(items), size):
        out += engine.decide_batch(items[start:start + size])
    return out


def member(decision) -> bool:
    return any(s.signal == "campaign.member" for s in decision.signals)


def test_the_default_policy_runs_the_stage_and_registry_knows_it(engine):
    assert "campaigns.v1" in engine.detector_names
    assert "campaigns.v1" in registry.available()
    assert isinstance(engine.stage(), CampaignStage)


def test_a_planted_campaign_gets_campaign_member_from_the_fifth_account_on(engine):
    items = [item(i, SHOP.format(i), f"2026-03-01T09:{i:02d}:00+07:00") for i in range(8)]
    decisions = decide_in_batches(engine, items)
    assert [member(d) for d in decisions] == [False] * 4 + [True] * 4
    fifth = decisions[4]
    assert fifth.action == "review" and "campaign.member" in fifth.rules
    facts = fifth.facts
    key = facts["campaign"]["label"]
    assert key.startswith("cmp-") and facts["campaign.size"]["label"] == 5
    assert facts["campaign.accounts"]["label"] == 5 and facts["campaign.confirmed_scam"]["label"] is False
    assert "burst" in facts["campaign.signals"]["label"]
    # the campaign is named in both languages, with its size and accounts
    assert f"Bài viết thuộc chiến dịch {key}: 5 bài từ 5 tài khoản" in fifth.reasons["vi"]
    assert f"The post belongs to campaign {key}: 5 posts from 5 accounts" in fifth.reasons["en"]
    assert "kháng nghị" in fifth.reasons["vi"]  # the usual appeal
    # the evidence is the user's own words
    evidence = facts["campaign"]["evidence"][0]
    assert items[4].text[evidence["start"]:evidence["end"]] == evidence["text"]
    assert evidence["text"].startswith("Shop mình đang có chương trình ưu đãi")
    assert [c.key for c in engine.stage().touched()] == [key]  # the last batch touched it


def test_a_shared_contact_is_quoted_as_written(engine):
    items = [item(i, f"Nhận làm thẻ tín dụng hạn mức cao mẫu {i}, không chứng minh thu nhập, gọi ngay 0909.888.{i % 2}77",
                  f"2026-03-01T09:{i:02d}:00+07:00") for i in range(7)]
    decisions = decide_in_batches(engine, items, size=7)
    shared = [s for s in decisions[-1].signals if s.signal == "campaign.shared_contact"]
    assert shared, decisions[-1].signals
    fact = decisions[-1].facts["campaign.shared_entities"]
    assert any(e.startswith("phone") for e in fact["label"])
    assert fact["evidence"][0]["text"] in ("0909.888.077", "0909.888.177")


def test_natural_repetition_is_not_a_campaign(engine):
    items = [item(i, CHEER[i % 2], f"2026-03-02T{8 + i // 6:02d}:{(i * 10) % 60:02d}:00+07:00") for i in range(30)]
    decisions = decide_in_batches(engine, items, size=5)
    assert not any(member(d) for d in decisions)
    assert {d.action for d in decisions} == {"allow"}


def test_items_without_author_or_time_take_no_part_and_raise_no_error(engine):
    bare = [item(i, SHOP.format(i), None) for i in range(6)] + [item(10 + i, SHOP.format(i), "2026-03-01T09:00:00Z",
                                                                     account=None) for i in range(6)]
    bad_time = [item(20, SHOP.format(1), "hôm qua")]
    decisions = decide_in_batches(engine, bare + bad_time, size=4)
    assert not any(member(d) for d in decisions)
    assert engine.stage().detector.window_posts() == 0


def test_a_confirmed_scam_gets_later_members_removed_with_the_campaign_named(engine):
    items = [item(i, TASK.format(i), f"2026-03-01T08:{i:02d}:00+07:00") for i in range(10)]
    decisions = decide_in_batches(engine, items)
    # the engine removes these as scams by itself: its removals of members confirm the campaign
    assert decisions[4].facts["campaign.confirmed_scam"]["label"] is False
    late = decisions[-1]
    assert late.facts["campaign.confirmed_scam"]["label"] is True
    assert late.action == "remove" and "campaign.confirmed-scam" in late.rules
    key = late.facts["campaign"]["label"]
    assert f"chiến dịch {key}" in late.reasons["vi"] and "xác nhận là lừa đảo" in late.reasons["vi"]
    assert f"campaign {key}" in late.reasons["en"] and "confirmed as a scam" in late.reasons["en"]
    assert engine.stage().confirmed(key)


def test_a_moderator_confirmation_acts_on_later_members(engine):
    first = [item(i, SHOP.format(i), f"2026-03-01T09:{i:02d}:00+07:00") for i in range(6)]
    decisions = decide_in_batches(engine, first)
    key = decisions[-1].facts["campaign"]["label"]
    assert decisions[-1].action == "review"
    engine.stage().confirm(key)  # a moderator upheld one of its posts as scam
    later = engine.decide_batch([item(6, SHOP.format(6), "2026-03-01T09:07:00+07:00")])[0]
    assert later.facts["campaign.confirmed_scam"]["label"] is True
    stance = later.facts.get("stance", {}).get("label")
    # removal needs a post that asks the reader to act; otherwise it stays in review, never allowed
    assert later.action == ("remove" if stance == "solicits" else "review")


def test_warnings_repeating_a_campaigns_phone_number_are_not_removed(engine):
    scam = [item(i, TASK.replace("09123456{:02d}", "0912345678").format(), f"2026-03-01T08:{i:02d}:00+07:00")
            for i in range(8)]
    decisions = decide_in_batches(engine, scam)
    assert decisions[-1].facts["campaign.confirmed_scam"]["label"] is True
    warnings = [item(100 + i, text, f"2026-03-01T08:{10 + i:02d}:00+07:00") for i, text in enumerate(WARNINGS)]
    warned = decide_in_batches(engine, warnings, size=4)
    assert any(member(d) for d in warned)  # they do join the campaign by its phone number ...
    assert not [d.id for d in warned if d.action == "remove"]  # ... and none is removed
    for d in warned:
        if d.facts.get("stance", {}).get("label") in ("warns", "reports", "asks"):
            assert d.action == "allow", (d.id, d.rules)


def test_stage_config_reads_durations_and_refuses_typos():
    stage = registry.create("campaigns.v1", {"window": "2h", "burst": "10m", "bucket": "30m", "min_accounts": 3})
    assert stage.detector.config.window_s == 7200 and stage.detector.config.burst_s == 600
    assert stage.detector.config.min_accounts == 3
    with pytest.raises(DetectorError, match="min_acounts: unknown key; did you mean `min_accounts`"):
        registry.create("campaigns.v1", {"min_acounts": 3})
    with pytest.raises(Exception, match="24 giờ"):
        StageConfig(window="24 giờ").detector_config()


def test_evidence_helpers_quote_the_original_text():
    post = views("Shop mình có ưu đãi cuối tuần, nhắn ZALO 0987.654.321 nhé")
    sample = views("shop minh co uu dai cuoi tuan nhan zalo nhe")
    span = matched_span(post, sample)
    assert span is not None and span.text == "Shop mình có ưu đãi cuối tuần, nhắn ZALO"  # digits break the run
    spans = contact_spans(post, ["phone:0987654321"])
    assert [s.text for s in spans] == ["0987.654.321"]


def test_only_a_removal_decided_by_a_scam_rule_confirms_the_campaign(engine):
    items = [item(i, SHOP.format(i), f"2026-03-01T09:{i:02d}:00+07:00") for i in range(6)]
    decisions = engine.decide_batch(items)
    stage, key = engine.stage(), decisions[-1].facts["campaign"]["label"]
    batch = [type("P", (), {"item": it})() for it in items]
    other = dataclasses.replace(decisions[-1], action="remove", rules=("harassment.severe", "scam.suspected"))
    stage.feedback(batch[-1:], [other], frozenset({"scam.solicits"}))
    assert not stage.confirmed(key)  # removed, but not as a scam
    scam = dataclasses.replace(decisions[-1], action="remove", rules=("scam.solicits", "campaign.member"))
    stage.feedback(batch[-1:], [scam], frozenset({"scam.solicits"}))
    assert stage.confirmed(key)


def test_an_item_decided_again_is_not_counted_again_and_keeps_its_signals(engine):
    """A retried request, an explanation or a replayed stream batch decides an item again: the
    campaign does not grow, and the item gets the decision it got the first time."""
    items = [item(i, SHOP.format(i), f"2026-03-01T09:{i:02d}:00+07:00") for i in range(6)]
    first = decide_in_batches(engine, items)
    again = decide_in_batches(engine, items[2:])  # the last four once more
    assert [d.to_dict() for d in again] == [d.to_dict() for d in first[2:]]
    later = engine.decide_batch([item(6, SHOP.format(6), "2026-03-01T09:06:00+07:00")])[0]
    assert later.facts["campaign.size"]["label"] == 7 and later.facts["campaign.accounts"]["label"] == 7
