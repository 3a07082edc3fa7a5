"""The appeal rule compares stable actor ids (``user:3``, ``key:7``), not the names decisions show."""

import pytest
from sqlalchemy import update

from khien.errors import PermissionDenied
from khien.model import Item
from khien.review import Actor, appeals, cases, intake
from khien.store.schema import decisions

SCAM = ("Tuyển cộng tác viên online làm tại nhà, lương 500k/ngày, chỉ cần nạp trước 300k phí đào tạo, "
        "liên hệ Zalo 0912345678 để nhận việc ngay")
APP = Actor("forum-app", "ingest")


def _appeal_of_a_decision_by(store, engine, moderator):
    intake.moderate(store, engine, Item.from_dict({"id": "p1", "platform": "forum", "text": SCAM,
                                                   "reach": {"views": 1000}}), APP)
    with store.read() as tx:
        case = next(c for c in cases.list_cases(tx) if c.case.item_id == "p1")
    with store.write() as tx:
        cases.claim(tx, moderator, case.case.id)
        cases.decide(tx, engine.policy, moderator, case.case.id, action="remove", clause="2.1")
    with store.write() as tx:
        return appeals.submit(tx, APP, item_id="p1", platform="forum", statement="Tôi tuyển dụng thật, có hợp đồng")


def test_the_same_account_is_refused_whatever_name_it_shows(store, engine):
    appeal = _appeal_of_a_decision_by(store, engine, Actor("an", "moderator", user_id=3))
    with store.read() as tx:
        assert appeals.get_appeal(tx, appeal.id).decision.actor_id == "user:3"
    with pytest.raises(PermissionDenied, match="different moderator"):
        with store.write() as tx:
            appeals.decide(tx, engine.policy, Actor("An", "moderator", user_id=3), appeal.id, outcome="upheld")


def test_a_key_and_an_account_sharing_a_name_are_different_people(store, engine):
    appeal = _appeal_of_a_decision_by(store, engine, Actor("an", "moderator", key_id=7))
    with store.write() as tx:
        done = appeals.decide(tx, engine.policy, Actor("an", "moderator", user_id=3), appeal.id, outcome="upheld")
    assert done.appeal.outcome == "upheld"


def test_a_decision_recorded_before_actor_ids_compares_normalised_names(store, engine):
    appeal = _appeal_of_a_decision_by(store, engine, Actor("an", "moderator", user_id=3))
    with store.engine.begin() as conn:  # as a row written before migration 0300 looks
        conn.execute(update(decisions).values(actor_id=None))
    with pytest.raises(PermissionDenied):
        with store.write() as tx:
            appeals.decide(tx, engine.policy, Actor("ＡＮ", "moderator", user_id=9), appeal.id, outcome="upheld")
    with store.write() as tx:
        assert appeals.decide(tx, engine.policy, Actor("binh", "moderator", user_id=4), appeal.id,
                              outcome="upheld").appeal.decided_by == "binh"
