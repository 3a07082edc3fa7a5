"""Webhook services: subscriptions, the outbox, and what each attempt does, on a FakeClock (no HTTP)."""

import json

import pytest

from khien import hooks
from khien.audit import events, list_events
from khien.clock import FakeClock, iso
from khien.errors import InputError, NotFoundError
from khien.review import outbox

URL = "https://nen-tang.example.vn/khien"
# The platform's receiver, resolved without DNS: a public address (these tests make no connection).
GUARD = hooks.AddressGuard(resolve=lambda host, port: ["14.225.0.10"])
BODY = {"platform": "forum", "item": "p1", "decision": {"action": "remove", "category": "scam"}}


def _queue(store, clock, event="decision"):
    with store.write() as tx:
        return outbox.publish(tx, event, [BODY], clock=clock)


def test_create_list_and_delete_write_their_declared_events(store):
    clock = FakeClock()
    made = hooks.create_webhook(store, url=URL, events=["decision"], actor="quản-trị", clock=clock, guard=GUARD)
    assert len(made.secret) >= 32 and made.public() == {"id": made.id, "url": URL, "events": ["decision"],
                                                         "secret": made.secret}
    [listed] = hooks.list_webhooks(store)
    assert listed.public() == {"id": made.id, "url": URL, "events": ["decision"], "active": True,
                               "created_at": iso(clock.now())}
    hooks.delete_webhook(store, made.id, actor="quản-trị", clock=clock)
    assert hooks.list_webhooks(store)[0].active is False
    with pytest.raises(NotFoundError):
        hooks.delete_webhook(store, made.id, actor="quản-trị")
    stored = list_events(store).events
    assert [type(e.event) for e in stored] == [events.WebhookCreated, events.WebhookDeleted]
    assert stored[0].event == events.WebhookCreated(url=URL, events="decision")
    assert {e.subject for e in stored} == {f"webhook:{made.id}"} and {e.actor for e in stored} == {"quản-trị"}


def test_unknown_event_names_are_refused(store):
    with pytest.raises(InputError, match="valid events: decision, appeal"):
        hooks.create_webhook(store, url=URL, events=["quyết-định"], actor="quản-trị", guard=GUARD)
    with pytest.raises(ValueError):
        _queue(store, FakeClock(), event="decisions")
    assert hooks.list_webhooks(store) == [] and list_events(store).events == ()


def test_the_outbox_queues_only_for_subscribers_of_the_event(store):
    clock = FakeClock()
    assert _queue(store, clock) == 0  # nobody subscribed yet
    hooks.create_webhook(store, url=URL, events=["appeal"], actor="quản-trị", guard=GUARD)
    hooks.create_webhook(store, url=URL + "/2", actor="quản-trị", guard=GUARD)  # both events by default
    assert _queue(store, clock) == 1 and _queue(store, clock, "appeal") == 2
    due = hooks.due(store, limit=10, clock=clock)
    assert [d.event for d in due] == ["decision", "appeal", "appeal"]
    assert json.loads(due[0].body) == {"event": "decision", **BODY} and due[0].next_attempt_ts == clock.now()


def test_failed_attempts_back_off_then_go_to_the_dead_letters_and_replay_once(store):
    clock = FakeClock()
    backoff = hooks.Backoff(max_attempts=3, base_s=10.0)
    hooks.create_webhook(store, url=URL, secret="bí-mật-của-nền-tảng-0123", actor="quản-trị", guard=GUARD)
    _queue(store, clock)
    for attempt, wait in ((1, 10.0), (2, 20.0)):
        [delivery] = hooks.due(store, limit=10, clock=clock)
        assert delivery.attempts == attempt - 1 and delivery.secret == "bí-mật-của-nền-tảng-0123"
        assert hooks.settle(store, delivery, "HTTP 503", backoff=backoff, clock=clock) is hooks.Outcome.RETRY
        clock.advance(wait - 0.5)
        assert hooks.due(store, limit=10, clock=clock) == []  # not yet: 10 s, then 20 s
        clock.advance(0.5)
    [delivery] = hooks.due(store, limit=10, clock=clock)
    assert delivery.last_error == "HTTP 503"
    assert hooks.settle(store, delivery, "HTTP 503", backoff=backoff, clock=clock) is hooks.Outcome.DEAD
    [letter] = hooks.list_dead_letters(store)
    assert (letter.attempts, letter.event, letter.died_at) == (3, "decision", iso(clock.now()))

    clock.advance(3600)
    new_id = hooks.replay_dead_letter(store, letter.id, actor="quản-trị", clock=clock)
    with pytest.raises(NotFoundError):
        hooks.replay_dead_letter(store, letter.id, actor="quản-trị", clock=clock)
    assert hooks.list_dead_letters(store) == [] and hooks.list_dead_letters(store, include_replayed=True)
    [again] = hooks.due(store, limit=10, clock=clock)
    assert (again.id, again.attempts, again.body) == (new_id, 0, letter.body)
    assert hooks.settle(store, again, None, backoff=backoff, clock=clock) is hooks.Outcome.DELIVERED
    clock.advance(10_000)
    assert hooks.due(store, limit=10, clock=clock) == []  # delivered: never due again

    kinds = {type(e.event): e for e in list_events(store).events}
    assert kinds[events.WebhookDeadLetter].event.attempts == 3
    assert kinds[events.WebhookDeadLetter].subject == f"dead_letter:{letter.id}"
    assert kinds[events.WebhookReplayed].event == events.WebhookReplayed(delivery=new_id)
