"""Console accounts, sessions and CSRF tokens.

- Passwords: argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane: ~0.1 s here; the
  library's 64 MiB × 3 × 4 took ~0.7 s a sign-in on a busy 2-core machine, which is also a cheap
  way to exhaust the server). Hashes are upgraded on sign-in when the parameters change; a wrong
  name costs the same hash as a wrong password.
- Sessions: a 256-bit random token in an HttpOnly, SameSite=Lax cookie; the store keeps its
  sha256 (``khien.store.users``), so signing out or disabling an account ends it at once.
- CSRF: every POST form carries a token. Signed in, it is an HMAC of the session token (nothing
  to store, and a page from another site cannot read it); before sign-in, a double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ...audit import events, record
from ...errors import ConflictError, InputError
from ...review.actor import ROLES, Actor
from ...store import Store, Tx
from ...store import users as rows
from ...store.clock import iso, now_ts

__all__ = ["SESSION_COOKIE", "PRE_COOKIE", "SESSION_TTL_S", "hash_password", "create_user", "set_password",
           "authenticate", "open_session", "session_actor", "close_session", "csrf_token", "csrf_ok",
           "Throttle", "MIN_PASSWORD"]

SESSION_COOKIE = "khien_session"
PRE_COOKIE = "khien_pre"  # the double-submit CSRF cookie of the sign-in form
SESSION_TTL_S = 12 * 3600.0
MIN_PASSWORD = 10

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)  # argon2id (the library's default type)
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must be at least {MIN_PASSWORD} characters, found {len(password)}",
                         field="password", hint="A short sentence is easy to remember and hard to guess.")


def create_user(tx: Tx, *, name: str, role: str, password: str, actor: str = "cli") -> dict[str, Any]:
    """A console account; its ``name`` is the person's name in decisions and the audit log."""
    name = name.strip()
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; valid roles: {', '.join(ROLES)}", field="role")
    if not name or len(name) > 200 or any(ch.isspace() for ch in name) or ":" in name:
        raise InputError(f"field 'name' must be 1 to 200 characters without spaces or ':', found {name!r}",
                         field="name")
    _check_password(password)
    if rows.find_user(tx, name) is not None:
        raise ConflictError(f"a console user named {name!r} already exists")
    when = iso()
    user_id = rows.insert_user(tx, name=name, role=role, password_hash=hash_password(password), created_at=when)
    record(tx, actor, f"user:{user_id}", events.UserCreated(name=name, role=role))
    return {"id": user_id, "name": name, "role": role, "created_at": when}


def set_password(tx: Tx, name: str, password: str, *, actor: str = "cli") -> dict[str, Any]:
    _check_password(password)
    user = rows.find_user(tx, name)
    if user is None:
        raise InputError(f"no console user named {name!r}", field="name")
    rows.set_password(tx, user["id"], hash_password(password))
    record(tx, actor, f"user:{user['id']}", events.UserPasswordSet(name=name))
    return {"id": user["id"], "name": user["name"], "role": user["role"]}


def authenticate(store: Store, name: str, password: str) -> dict[str, Any] | None:
    """The user row when ``password`` is right for an enabled account, else ``None``."""
    with store.read() as tx:
        user = rows.find_user(tx, name.strip())
    if user is None or user["disabled_at"]:
        try:
            _hasher.verify(_DUMMY, password)  # same cost as a real check: names do not leak by timing
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(user["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user["password_hash"]):
        with store.write() as tx:
            rows.set_password(tx, user["id"], hash_password(password))
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(store: Store, user_id: int, *, ttl: float = SESSION_TTL_S) -> str:
    """A new session; returns the token for the cookie (it is not stored)."""
    token = secrets.token_urlsafe(32)
    now = now_ts()
    with store.write() as tx:
        rows.delete_expired_sessions(tx, now=now)
        rows.insert_session(tx, token_hash=_digest(token), user_id=user_id, created_at=iso(now), expires_ts=now + ttl)
    return token


def session_actor(store: Store, token: str | None) -> Actor | None:
    if not token or len(token) > 100:
        return None
    with store.read() as tx:
        found = rows.find_session(tx, _digest(token), now=now_ts())
    return Actor(found["name"], found["role"]) if found else None


def close_session(store: Store, token: str | None) -> None:
    if token and len(token) <= 100:
        with store.write() as tx:
            rows.delete_session(tx, _digest(token))


def csrf_token(secret: str) -> str:
    """The form token bound to ``secret`` (the session token, or the pre-sign-in cookie)."""
    return hmac.new(secret.encode("utf-8"), b"khien-console-csrf", hashlib.sha256).hexdigest()[:40]


def csrf_ok(secret: str | None, submitted: str | None) -> bool:
    if not secret or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret), submitted)


class Throttle:
    """Failed sign-ins per name: after ``limit`` failures within ``window`` seconds, wait it out."""

    def __init__(self, limit: int = 8, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._lock = threading.Lock()
        self._fails: dict[str, list[float]] = {}

    def blocked(self, name: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._fails.get(name, []) if now - t < self.window]
            self._fails[name] = recent
            return len(recent) >= self.limit

    def failed(self, name: str) -> None:
        with self._lock:
            if len(self._fails) > 10_000:
                self._fails.clear()
            self._fails.setdefault(name, []).append(time.monotonic())

    def reset(self, name: str) -> None:
        with self._lock:
            self._fails.pop(name, None)
