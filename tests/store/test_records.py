"""Typed records: every column comes back in its field, and stored decisions of any age parse."""

import dataclasses

import orjson
import pytest
from sqlalchemy import select

from khien.enums import AppealOutcome, AppealState, CaseState, ItemStatus, LegalStatus
from khien.model import Decision
from khien.store import items as item_rows
from khien.store import review as rows
from khien.store.records import (Appeal, Case, ItemKey, LegalRequest, NewCase, NewDecision, NewItem, StoredDecision,
                                 StoredItem, claim_is_live)
from khien.store.schema import cases

# A decision as an engine of early 2026 stored it: no fingerprint, no facts, a shadow rule, DSA fields.
OLD_BODY = {
    "id": "p1", "action": "remove",
    "categories": [{"name": "scam", "score": 0.9938, "evidence": [
        {"start": 0, "end": 9, "text": "Tuyển CTV", "label": "task", "detector": "lexicon.scam.v1"},
        {"start": 44, "end": 51, "text": "ib Zalo", "detector": "lexicon.scam.v1"}]}],
    "rules": ["scam-strong"], "policy": "vn-default-2026.03", "automated": True,
    "reasons": {"vi": "Nội dung đã bị gỡ bỏ vì vi phạm điều 2.1 (Lừa đảo).",
                "en": "The content was removed."},
    "detectors": ["lexicon.scam.v1", "url.v1"], "clause": "2.1",
    "shadow": {"rules": ["scam-lure-shadow"], "action": "review"},
    "dsa": {"decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"], "puid": "p1"},
}
NOW = 1_767_225_600.0


def test_a_decision_stored_before_fingerprints_and_facts_still_parses_and_round_trips(store):
    decision = Decision.from_dict(OLD_BODY)
    assert decision.fingerprint is None and decision.facts == {}
    new = NewDecision(platform="forum", decision=decision, source="engine", source_ref="", actor=None,
                      created_at="2026-03-01T08:00:00.000Z", category="scam")
    with store.write() as tx:
        ids = item_rows.insert_decisions(tx, [new])
    with store.read() as tx:
        stored = item_rows.get_decision(tx, ids[("forum", "p1", 1)])
    assert stored == StoredDecision(id=ids[("forum", "p1", 1)], platform="forum", item_id="p1",
                                    policy="vn-default-2026.03", source="engine", source_ref="", action="remove",
                                    category="scam", automated=True, actor=None,
                                    created_at="2026-03-01T08:00:00.000Z", decision=decision)
    assert stored.public(dsa=True) == OLD_BODY  # the API publishes exactly what was stored
    assert "dsa" not in stored.public() and stored.decider is None
    # key order too: the JSON bytes are those stored
    assert orjson.dumps(stored.public(dsa=True)) == orjson.dumps(OLD_BODY)


def test_a_stored_item_keeps_every_column_and_parses_lazily(store):
    body = '{"id":"p1","text":"Hôm nay trời đẹp quá","platform":"forum","reach":{"views":12}}'
    with store.write() as tx:
        item_rows.insert_items(tx, [NewItem(platform="forum", item_id="p1", body=body, status=ItemStatus.PENDING,
                                            reach=12, received_at="2026-01-01T00:00:00.000Z",
                                            content_hash="ab" * 32)])
    with store.read() as tx:
        stored = item_rows.get_item(tx, "forum", "p1")
    assert dataclasses.replace(stored, pk=0) == StoredItem(
        pk=0, platform="forum", item_id="p1", body=body, status=ItemStatus.PENDING, reach=12,
        received_at="2026-01-01T00:00:00.000Z", content_hash="ab" * 32, version=1, error=None, attempts=0)
    assert stored.item().text == "Hôm nay trời đẹp quá" and stored.item().reach_total == 12
    broken = dataclasses.replace(stored, body="{không phải JSON")
    with pytest.raises(Exception, match="not JSON"):
        broken.item()


def _case(item_id, **kw):
    base = dict(platform="forum", item_id=item_id, origin="engine:vn-default", category="scam",
                proposed_action="remove", decision_id=None, severity=3, reach=1000, priority_base=20.7,
                created_at="2026-01-01T00:00:00.000Z", created_ts=NOW)
    return NewCase(**(base | kw))


def test_a_case_round_trips_every_field(store):
    with store.write() as tx:
        opened = rows.insert_cases(tx, [_case("p1"), _case("p2", legal_request_id=None, category=None)])
        again = rows.insert_cases(tx, [_case("p1")])  # the same item and origin: skipped
    assert again == {} and [c.item_id for c in opened.values()] == ["p1", "p2"]
    case_id = next(iter(opened))
    with store.write() as tx:
        assert rows.claim_case(tx, case_id, "an", now=NOW, expires=NOW + 60)
    with store.read() as tx:
        case = rows.get_case(tx, case_id, now=NOW + 86_400)
    expected = Case(id=case_id, platform="forum", item_id="p1", origin="engine:vn-default", category="scam",
                    proposed_action="remove", decision_id=None, legal_request_id=None, severity=3, reach=1000,
                    priority_base=20.7, state=CaseState.OPEN, created_at="2026-01-01T00:00:00.000Z",
                    created_ts=NOW, claimed_by="an", claim_expires_ts=NOW + 60, decided_by=None, decided_at=None,
                    outcome_decision_id=None, priority=pytest.approx(41.4))
    assert case == expected
    assert case.live_claimant(NOW + 59) == "an" and case.live_claimant(NOW + 60) is None
    public = case.public(NOW + 30)
    assert public["claimed_by"] == "an" and public["claim_expires_at"] == "2026-01-01T00:01:00.000Z"
    assert public["origin"] == "engine" and public["priority"] == 41.4


def test_live_claim_in_sql_and_in_python_agree(store):
    holders = {"p1": (None, None), "p2": ("an", NOW - 1), "p3": ("an", NOW), "p4": ("binh", NOW + 1)}
    with store.write() as tx:
        opened = rows.insert_cases(tx, [_case(i) for i in holders])
        for cid, new in opened.items():
            who, until = holders[new.item_id]
            tx.conn.execute(cases.update().where(cases.c.id == cid).values(claimed_by=who, claim_expires_ts=until))
    with store.read() as tx:
        in_sql = {r.item_id for r in tx.conn.execute(select(cases.c.item_id).where(rows.live_claim(NOW)))}
        unclaimed = {c.item_id for c in rows.list_cases(tx, now=NOW, unclaimed=True)}
    in_python = {i for i, (who, until) in holders.items() if claim_is_live(who, until, NOW)}
    assert in_sql == in_python == {"p4"}
    assert unclaimed == {"p1", "p2", "p3"}


def test_appeals_and_legal_requests_round_trip(store):
    decision = Decision.from_dict(OLD_BODY)
    with store.write() as tx:
        ids = item_rows.insert_decisions(tx, [NewDecision("forum", decision, "engine", "", None,
                                                          "2026-03-01T08:00:00.000Z", "scam")])
        did = ids[("forum", "p1", 1)]
        aid = rows.insert_appeal(tx, platform="forum", item_id="p1", statement="Tôi không lừa ai cả",
                                 submitted_by="forum-app", original_decision_id=did, original_decider=None,
                                 created_at="2026-03-02T08:00:00.000Z")
        assert rows.close_appeal(tx, aid, outcome="upheld", decided_by="binh", note="Đúng là lừa đảo",
                                 decided_at="2026-03-03T08:00:00.000Z", outcome_decision_id=None)
        assert not rows.close_appeal(tx, aid, outcome="reversed", decided_by="an", note=None,
                                     decided_at="2026-03-03T09:00:00.000Z", outcome_decision_id=None)
        keys = (ItemKey("forum", "p1"), ItemKey("", "p9"))
        rid = rows.insert_legal_request(tx, authority="Bộ Công an", legal_basis="Luật An ninh mạng 2018",
                                        requested_action="review", deadline="2026-12-31",
                                        items_json=LegalRequest.items_json(keys), reference="CV-12",
                                        created_by="root", created_at="2026-03-04T08:00:00.000Z")
    with store.read() as tx:
        appeal = rows.get_appeal(tx, aid)
        req = rows.get_legal_request(tx, rid)
    assert appeal == Appeal(id=aid, platform="forum", item_id="p1", statement="Tôi không lừa ai cả",
                            submitted_by="forum-app", state=AppealState.DECIDED, original_decision_id=did,
                            original_decider=None, created_at="2026-03-02T08:00:00.000Z",
                            outcome=AppealOutcome.UPHELD, decided_by="binh", note="Đúng là lừa đảo",
                            decided_at="2026-03-03T08:00:00.000Z", outcome_decision_id=None)
    assert appeal.public()["reversed"] is False and appeal.public()["item"] == {"id": "p1", "platform": "forum"}
    assert req == LegalRequest(id=rid, authority="Bộ Công an", legal_basis="Luật An ninh mạng 2018",
                               requested_action="review", deadline="2026-12-31", items=keys, reference="CV-12",
                               created_by="root", created_at="2026-03-04T08:00:00.000Z", status=LegalStatus.OPEN)
    assert req.public()["items"] == [{"id": "p1", "platform": "forum"}, {"id": "p9", "platform": None}]
