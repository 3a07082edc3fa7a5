"""API keys through the service: created once with a secret, listed without it, revoked for good."""

import pytest

from khien.access import KeyCache, create_key, find_actor, hash_key, list_keys, revoke_key
from khien.audit import list_events
from khien.clock import FakeClock, iso
from khien.errors import InputError, NotFoundError


def test_a_created_key_authenticates_and_only_its_hash_is_stored(store):
    clock = FakeClock()
    with store.write() as tx:
        made = create_key(tx, role="moderator", name="Nguyễn Thị Lan", actor="quản-trị", clock=clock)
    assert made.key.startswith(f"khien_{made.record.prefix}_") and made.record.created_at == iso(clock.now())
    assert made.public() == {"id": made.id, "name": "Nguyễn Thị Lan", "role": "moderator",
                             "prefix": made.record.prefix, "created_at": iso(clock.now()), "key": made.key}
    actor = find_actor(store, made.key)
    assert (actor.name, actor.role, actor.key_id) == ("Nguyễn Thị Lan", "moderator", made.id)
    with store.read() as tx:
        stored = tx.conn.exec_driver_sql("SELECT key_hash FROM api_keys").scalars().all()
        listed = list_keys(tx)
    assert stored == [hash_key(made.key)] and made.key not in stored
    assert [k.public() for k in listed] == [{"id": made.id, "name": "Nguyễn Thị Lan", "role": "moderator",
                                              "prefix": made.record.prefix, "created_at": iso(clock.now()),
                                              "revoked_at": None}]
    [event] = list_events(store, type="key.created").events
    assert (event.actor, event.subject, event.event.name, event.event.role) == (
        "quản-trị", f"key:{made.id}", "Nguyễn Thị Lan", "moderator")


def test_a_revoked_key_is_rejected_and_cannot_be_revoked_twice(store):
    clock = FakeClock()
    with store.write() as tx:
        made = create_key(tx, role="ingest", name="nen-tang-a", clock=clock)
    clock.advance(90)
    with store.write() as tx:
        revoke_key(tx, made.id, actor="quản-trị", clock=clock)
    assert find_actor(store, made.key) is None
    with store.read() as tx:
        assert list_keys(tx)[0].revoked_at == iso(clock.now())
    with pytest.raises(NotFoundError), store.write() as tx:
        revoke_key(tx, made.id, actor="quản-trị")
    assert [e.type for e in list_events(store).events] == ["key.created", "key.revoked"]


def test_unknown_roles_and_empty_names_are_refused(store):
    with pytest.raises(InputError, match="valid roles: ingest, moderator, admin, auditor"), store.write() as tx:
        create_key(tx, role="kiểm-duyệt")
    with pytest.raises(InputError, match="1 to 200"), store.write() as tx:
        create_key(tx, role="admin", name="x" * 201)
    assert list_events(store).events == ()


def test_the_key_cache_forgets_a_revoked_key_after_its_ttl(store):
    clock = FakeClock()
    with store.write() as tx:
        made = create_key(tx, role="auditor", name="kiem-toan")
    cache = KeyCache(store, ttl=30.0, clock=clock)
    assert cache.lookup(made.key).name == "kiem-toan"
    with store.write() as tx:
        revoke_key(tx, made.id, actor="quản-trị")
    assert cache.cached(made.key) == (True, cache.lookup(made.key))  # still trusted within the TTL
    assert cache.lookup(made.key) is not None
    clock.advance(30.0)
    assert cache.cached(made.key) == (False, None)
    assert cache.lookup(made.key) is None
