"""Console accounts through the service: create, password, authenticate, sessions that expire on the clock."""

import pytest
from sqlalchemy import update

from khien.access import (
    authenticate,
    close_session,
    create_user,
    find_user,
    list_users,
    open_session,
    session_actor,
    set_password,
)
from khien.audit import list_events
from khien.clock import FakeClock
from khien.errors import ConflictError, InputError
from khien.store import users as rows

PASSWORD = "một câu dài đủ an toàn"


def test_create_and_authenticate_a_user(store):
    with store.write() as tx:
        user = create_user(tx, name="lan", role="moderator", password=PASSWORD, actor="quản-trị")
    assert (user.name, user.role, user.enabled) == ("lan", "moderator", True)
    assert authenticate(store, "lan", "sai mật khẩu rồi") is None
    assert authenticate(store, "không-có-ai", PASSWORD) is None
    assert authenticate(store, " lan ", PASSWORD).id == user.id
    with store.read() as tx:
        stored = rows.find_user(tx, "lan")
        assert find_user(tx, "lan").password_hash == ""  # the service never hands out the hash
        assert [u.public() for u in list_users(tx)] == [user.public()]
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    [event] = list_events(store).events
    assert (event.type, event.actor, event.subject, event.event.name, event.event.role) == (
        "user.created", "quản-trị", f"user:{user.id}", "lan", "moderator")


def test_set_password_replaces_the_old_one_and_is_audited(store):
    with store.write() as tx:
        create_user(tx, name="minh", role="admin", password=PASSWORD)
    with store.write() as tx:
        set_password(tx, "minh", "mật khẩu mới cũng đủ dài", actor="demo-setup")
    assert authenticate(store, "minh", PASSWORD) is None
    assert authenticate(store, "minh", "mật khẩu mới cũng đủ dài").name == "minh"
    assert [e.type for e in list_events(store).events] == ["user.created", "user.password_set"]
    with pytest.raises(InputError, match="no console user"), store.write() as tx:
        set_password(tx, "hoa", PASSWORD)


@pytest.mark.parametrize("name, role, password, error", [
    ("lan", "moderator", "ngắn quá", InputError),
    ("Lan Anh", "moderator", PASSWORD, InputError),  # spaces: the name is the actor in the audit log
    ("lan", "kiểm-duyệt", PASSWORD, InputError),
])
def test_bad_accounts_are_refused(store, name, role, password, error):
    with pytest.raises(error), store.write() as tx:
        create_user(tx, name=name, role=role, password=password)
    assert list_events(store).events == ()


def test_a_name_is_taken_once(store):
    with store.write() as tx:
        create_user(tx, name="lan", role="moderator", password=PASSWORD)
    with pytest.raises(ConflictError), store.write() as tx:
        create_user(tx, name="lan", role="admin", password=PASSWORD)


def test_sessions_expire_on_the_clock_end_on_sign_out_and_with_a_disabled_account(store):
    clock = FakeClock()
    with store.write() as tx:
        user = create_user(tx, name="lan", role="moderator", password=PASSWORD)
    live = open_session(store, user.id, ttl=3600, clock=clock)
    short = open_session(store, user.id, ttl=60, clock=clock)
    gone = open_session(store, user.id, clock=clock)
    assert session_actor(store, short, clock=clock).name == "lan"
    clock.advance(60)
    assert session_actor(store, short, clock=clock) is None  # expired
    assert session_actor(store, live, clock=clock).role == "moderator"
    close_session(store, gone)
    assert session_actor(store, gone, clock=clock) is None
    assert session_actor(store, "x" * 500, clock=clock) is None and session_actor(store, None, clock=clock) is None
    open_session(store, user.id, clock=clock)  # opening a session sweeps the expired ones
    with store.read() as tx:
        assert len(tx.conn.execute(rows.console_sessions.select()).all()) == 2  # live and the new one
        tokens = [r.token_hash for r in tx.conn.execute(rows.console_sessions.select())]
    assert live not in tokens  # only the hash is stored
    with store.write() as tx:
        tx.conn.execute(update(rows.console_users).values(disabled_at="2026-01-01T00:00:00Z"))
    assert session_actor(store, live, clock=clock) is None
    assert authenticate(store, "lan", PASSWORD) is None
