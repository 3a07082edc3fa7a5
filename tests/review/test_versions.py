"""Edits are versions: an item sent again with other content is stored as its next version and
decided again; decisions and cases name the version whose text they judged."""

from khien.audit import iter_events, verify
from khien.audit.events import CaseDecided, DecisionAutomated, ItemEdited
from khien.clock import FakeClock
from khien.errors import NotFoundError
from khien.model import Item
from khien.review import Actor, cases, intake
from khien.review.versions import content_hash
from khien.store import items as item_rows

import pytest

APP = Actor("forum-app", "ingest")
AN = Actor("an", "moderator")
HARMLESS = "Bán xe máy cũ, giá thương lượng, xem xe tại Cầu Giấy"
SCAM = "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678"
SCAM_2 = "Nhận làm nhiệm vụ like dạo, chuyển khoản trước 500k để kích hoạt tài khoản, ib Zalo 0987654321"
FINE = "Cuối tuần này lớp mình họp lớp ở Hà Nội nhé"


def _item(text, item_id="p1", **kw):
    return Item.from_dict({"id": item_id, "platform": "forum", "text": text} | kw)


def _state(store, item_id="p1", version=None):
    with store.read() as tx:
        return intake.item_state(tx, "forum", item_id, version)


def test_a_harmless_post_edited_into_a_scam_gets_a_new_decision(store, engine):
    clock = FakeClock()
    first = intake.moderate(store, engine, _item(HARMLESS), APP, clock=clock)
    assert first.created and first.version == 1 and first.decision.action == "allow"
    clock.advance(60)
    edited = intake.moderate(store, engine, _item(SCAM), APP, clock=clock)
    assert edited.created and edited.version == 2
    assert edited.decision.action in ("review", "remove") and "scam" in {c.name for c in edited.decision.categories}
    again = intake.moderate(store, engine, _item(SCAM), APP, clock=clock)
    assert not again.created and again.version == 2
    assert again.decision.to_dict(dsa=True) == edited.decision.to_dict(dsa=True)

    published = _state(store).public()
    assert published["version"] == 2 and published["item"]["text"] == SCAM
    assert published["decision"]["action"] == edited.decision.action
    assert [(v["version"], v["decision"]["action"]) for v in published["versions"]] == [
        (1, "allow"), (2, edited.decision.action)]
    assert published["versions"][1]["content_hash"] == content_hash(_item(SCAM).to_dict())
    assert published["versions"][0]["received_at"] < published["versions"][1]["received_at"]
    old = _state(store, version=1).public()
    assert old["version"] == 1 and old["item"]["text"] == HARMLESS and old["decision"]["action"] == "allow"
    with pytest.raises(NotFoundError, match="no version 3"):
        _state(store, version=3)

    edits = list(iter_events(store, types=[ItemEdited.type]))
    assert [e.event for e in edits] == [ItemEdited(version=2, previous_version=1,
                                                   content_hash=content_hash(_item(SCAM).to_dict()))]
    decided = list(iter_events(store, types=[DecisionAutomated.type]))
    assert [(e.event.action, e.event.item_version) for e in decided] == [("allow", 1), (edited.decision.action, 2)]
    assert verify(store).ok


def test_going_back_to_an_earlier_text_is_a_new_version_too(store, engine):
    """Only the current version is compared: A, B, A is three versions, each decided."""
    for text in (FINE, SCAM, FINE):
        intake.moderate(store, engine, _item(text), APP)
    with store.read() as tx:
        assert item_rows.get_item(tx, "forum", "p1").version == 3
        assert {v: d.action for v, d in item_rows.decisions_by_version(tx, "forum", "p1").items()} == {
            1: "allow", 2: item_rows.decisions_by_version(tx, "forum", "p1")[2].action, 3: "allow"}


def test_a_stored_item_sent_to_moderate_with_other_text_is_decided_on_that_text_and_stores_it(store, engine):
    with store.write() as tx:
        assert intake.ingest(tx, [_item(FINE)], APP) == intake.IngestResult(accepted=1, duplicates=0, edited=0)
    answer = intake.moderate(store, engine, _item(SCAM), APP)
    assert answer.created and answer.version == 2 and answer.decision.action in ("review", "remove")
    assert _state(store, version=2).public()["item"]["text"] == SCAM
    v1 = _state(store, version=1).public()
    assert v1["item"]["text"] == FINE and v1["decision"] is None  # nobody decided the text nobody read
    # the worker has nothing left to do: it never decides the version it did not read
    assert intake.decide_pending(store, engine) == 0
    with store.read() as tx:
        assert set(item_rows.decisions_by_version(tx, "forum", "p1")) == {2}
        assert item_rows.get_item(tx, "forum", "p1").status == "decided"


def test_the_same_text_sent_to_moderate_after_the_batch_takes_the_decision_for_the_stored_version(store, engine):
    with store.write() as tx:
        intake.ingest(tx, [_item(SCAM)], APP)
    answer = intake.moderate(store, engine, _item(SCAM), APP)
    assert answer.created and answer.version == 1
    assert intake.decide_pending(store, engine) == 0
    with store.read() as tx:
        assert item_rows.decision_counts(tx) == {("forum", "p1"): 1}


class EditingEngine:
    """The real engine; while it decides its first batch, the platform sends an edit of ``p1``."""

    def __init__(self, engine, store):
        self._engine, self._store = engine, store
        self.policy = engine.policy
        self.batches = []

    def decide_batch(self, items):
        self.batches.append([(i.id, i.text) for i in items])
        if len(self.batches) == 1:
            with self._store.write() as tx:
                assert intake.ingest(tx, [_item(SCAM)], APP).edited == 1
        return self._engine.decide_batch(items)


def test_an_edit_arriving_while_the_worker_decides_waits_for_the_next_run(store, engine):
    with store.write() as tx:
        intake.ingest(tx, [_item(FINE), _item(HARMLESS, "p2")], APP)
    editing = EditingEngine(engine, store)
    assert intake.decide_pending(store, editing, owner="may-1") == 2
    with store.read() as tx:
        by_version = item_rows.decisions_by_version(tx, "forum", "p1")
        assert set(by_version) == {1} and by_version[1].action == "allow"  # landed on the text it read
        assert item_rows.get_item(tx, "forum", "p1").status == "pending"  # the edit is still to decide
        assert item_rows.get_item(tx, "forum", "p2").status == "decided"
    # the next run (another worker: the edit cleared the first one's lease) decides version 2
    assert intake.decide_pending(store, editing, owner="may-2") == 1
    assert editing.batches[1] == [("p1", SCAM)]
    with store.read() as tx:
        by_version = item_rows.decisions_by_version(tx, "forum", "p1")
        assert set(by_version) == {1, 2} and by_version[2].action in ("review", "remove")
        assert item_rows.get_item(tx, "forum", "p1").status == "decided"


def test_a_batch_counts_new_items_edits_and_duplicates(store, engine):
    with store.write() as tx:
        intake.ingest(tx, [_item(FINE), _item(HARMLESS, "p2")], APP)
    with store.write() as tx:
        result = intake.ingest(tx, [_item(FINE, reach={"views": 9}), _item(SCAM, "p2"), _item(FINE, "p3"),
                                    _item(FINE, "p3"), _item(SCAM_2, "p3")], APP)
    # p1: same content (reach is no edit); p2: edited; p3: new, then repeated, then edited in the same batch
    assert result.public() == {"accepted": 1, "duplicates": 2, "edited": 2}
    with store.read() as tx:
        assert item_rows.get_item(tx, "forum", "p1").reach == 9
        assert item_rows.get_item(tx, "forum", "p2").version == 2
        p3 = item_rows.get_item(tx, "forum", "p3")
        assert p3.version == 2 and p3.item().text == SCAM_2
        assert [v.version for v in item_rows.list_versions(tx, "forum", "p3")] == [1, 2]


def test_a_case_stays_on_the_version_it_judged_and_an_edit_may_open_another(store, engine):
    clock = FakeClock()
    intake.moderate(store, engine, _item(SCAM), APP, clock=clock)
    with store.read() as tx:
        (first,) = cases.list_cases(tx, clock=clock)
    intake.moderate(store, engine, _item(SCAM_2), APP, clock=clock)
    with store.write() as tx:
        listed = cases.list_cases(tx, clock=clock)
        assert sorted(c.case.item_version for c in listed) == [1, 2]
        view = cases.get_case(tx, first.id, clock=clock)
        assert view.is_open and view.item_version == 1 and view.content["text"] == SCAM
        assert view.current_version == 2 and view.edited_since == 2
        assert view.public()["item_version"] == 1 and view.public()["current_item_version"] == 2
        # a moderator still decides what was published: the decision is recorded on version 1
        cases.claim(tx, AN, first.id, clock=clock)
        decided = cases.decide(tx, engine.policy, AN, first.id, action="remove", clause="2.1", clock=clock)
        assert decided.outcome.item_version == 1
        newer = next(c for c in listed if c.case.item_version == 2)
        assert cases.get_case(tx, newer.id, clock=clock).edited_since is None
    assert list(iter_events(store, types=[CaseDecided.type]))[-1].event.item_version == 1
    assert verify(store).ok
