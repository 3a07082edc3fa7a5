"""Admins disable, enable and reset console accounts: sessions end at once, and each change is audited."""

import pytest

from khien.access import (
    authenticate,
    create_user,
    disable_user,
    enable_user,
    open_session,
    reset_password,
    session_actor,
)
from khien.audit import list_events
from khien.clock import FakeClock
from khien.errors import ConflictError, InputError

PASSWORD = "một câu dài đủ an toàn"
NEW = "mật khẩu mới cũng đủ dài"


def test_disabling_ends_sessions_at_once_and_enabling_restores_sign_in(store):
    clock = FakeClock()
    with store.write() as tx:
        user = create_user(tx, name="lan", role="moderator", password=PASSWORD)
    token = open_session(store, user.id)
    assert session_actor(store, token).id == f"user:{user.id}"
    with store.write() as tx:
        disabled = disable_user(tx, "Lan", actor="quản-trị", clock=clock)
    assert disabled.disabled_at == clock.iso() and not disabled.enabled
    assert session_actor(store, token) is None
    assert authenticate(store, "lan", PASSWORD) is None
    with pytest.raises(ConflictError, match="already disabled"):
        with store.write() as tx:
            disable_user(tx, "lan", actor="quản-trị", clock=clock)
    with store.write() as tx:
        enable_user(tx, "lan", actor="quản-trị", clock=clock)
    assert authenticate(store, "lan", PASSWORD) is not None
    assert session_actor(store, token) is None  # an ended session stays ended
    types = [(e.type, e.actor, e.subject) for e in list_events(store).events]
    assert ("user.disabled", "quản-trị", f"user:{user.id}") in types
    assert ("user.enabled", "quản-trị", f"user:{user.id}") in types
    disabled_event = next(e for e in list_events(store).events if e.type == "user.disabled")
    assert disabled_event.event.sessions_ended == 1


def test_a_reset_replaces_the_password_ends_sessions_and_is_audited(store):
    with store.write() as tx:
        user = create_user(tx, name="minh", role="moderator", password=PASSWORD)
    token = open_session(store, user.id)
    with store.write() as tx:
        reset_password(tx, "minh", NEW, actor="quản-trị")
    assert session_actor(store, token) is None
    assert authenticate(store, "minh", PASSWORD) is None and authenticate(store, "minh", NEW) is not None
    [event] = [e for e in list_events(store).events if e.type == "user.password_reset"]
    assert (event.actor, event.event.name, event.event.sessions_ended) == ("quản-trị", "minh", 1)
    with pytest.raises(InputError, match="at least"):
        with store.write() as tx:
            reset_password(tx, "minh", "ngắn", actor="quản-trị")
    with pytest.raises(InputError, match="no console user"):
        with store.write() as tx:
            disable_user(tx, "không-có", actor="quản-trị")


def test_users_disable_enable_reset_from_the_cli(tmp_path):
    from typer.testing import CliRunner

    from khien.cli.main import _register, app
    from khien.store import open_store

    _register()
    url = f"sqlite:///{tmp_path / 'u.db'}"
    run = CliRunner()
    assert run.invoke(app, ["users", "create", "--role", "moderator", "--name", "lan", "--db", url],
                      input=f"{PASSWORD}\n{PASSWORD}\n").exit_code == 0
    off = run.invoke(app, ["users", "disable", "LAN", "--db", url])
    assert off.exit_code == 0 and "disabled" in off.output
    again = run.invoke(app, ["users", "disable", "lan", "--db", url])
    assert again.exit_code != 0 and "already disabled" in again.output and "Traceback" not in again.output
    assert run.invoke(app, ["users", "enable", "lan", "--db", url]).exit_code == 0
    reset = run.invoke(app, ["users", "reset", "lan", "--db", url])
    assert reset.exit_code == 0, reset.output
    printed = reset.output.rsplit(": ", 1)[1].strip()
    store = open_store(url)
    assert authenticate(store, "lan", printed) is not None and authenticate(store, "lan", PASSWORD) is None
    asked = run.invoke(app, ["users", "reset", "lan", "--ask", "--db", url], input=f"{NEW}\n{NEW}\n")
    assert asked.exit_code == 0 and NEW not in asked.output
    assert authenticate(store, "lan", NEW) is not None
    store.dispose()
