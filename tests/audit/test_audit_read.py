"""Reading the log: every row comes back as a StoredEvent whose payload is its declared event."""

import orjson
import pytest
from sqlalchemy import text

from khien.audit import events, head, iter_events, list_events, record
from khien.audit.events import AuditPayloadError
from khien.clock import FakeClock, iso


def _decided(i):
    return events.CaseDecided(item=f"p{i}", platform="forum", subject=f"item:forum:p{i}", decision=i,
                              action="remove", clause="2.1", category="scam", proposed_action="review")


def test_pages_of_typed_events_with_a_cursor(store):
    clock = FakeClock()
    with store.write() as tx:
        for i in range(1, 4):
            record(tx, "lan", f"case:{i}", _decided(i), clock=clock)
        record(tx, "quản-trị", "webhook:1", events.WebhookDeleted(), clock=clock)
    page = list_events(store, limit=2)
    assert [e.seq for e in page.events] == [1, 2] and page.next_after == 2
    assert page.events[0].event == _decided(1) and page.events[0].time == iso(clock.now())
    rest = list_events(store, after=page.next_after)
    assert [e.type for e in rest.events] == ["case.decided", "webhook.deleted"] and rest.next_after == 4
    assert list_events(store, after=4).to_dict() == {"events": [], "next_after": 4}
    only = list_events(store, type="case.decided", subject="case:2").events
    assert [e.event.item for e in only] == ["p2"]
    as_json = page.events[1].to_dict()
    assert set(as_json) == {"seq", "time", "actor", "type", "subject", "payload", "prev_hash", "hash"}
    assert as_json["payload"]["clause"] == "2.1" and as_json["prev_hash"] == page.events[0].hash
    assert [e.seq for e in iter_events(store, types=["webhook.deleted"])] == [4]
    assert head(store) == (4, rest.events[-1].hash)


def test_a_row_that_matches_no_declaration_is_refused(store):
    with store.write() as tx:
        record(tx, "lan", "case:1", _decided(1))
        tx.conn.execute(text("UPDATE audit_events SET payload = :p"),
                        {"p": orjson.dumps(_decided(1).payload() | {"ghi_chu": "thêm"}).decode()})
    with pytest.raises(AuditPayloadError, match="ghi_chu"):
        list_events(store)
