"""Console accounts: create, set a password, authenticate, and the sessions a sign-in opens.

- Passwords: argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane: ~0.1 s here; the
  library's 64 MiB × 3 × 4 took ~0.7 s a sign-in on a busy 2-core machine, which is also a cheap
  way to exhaust the server). Hashes are upgraded on sign-in when the parameters change; a wrong
  name costs the same hash as a wrong password, so names do not leak by timing.
- Sessions: a 256-bit random token (the caller puts it in a cookie); the store keeps its sha256
  (``khien.store.users``), so signing out or disabling an account ends it at once. Expiry is read
  from the ``clock`` the caller passes, so tests move time instead of waiting for it.

Cookies, CSRF and sign-in throttling are HTTP concerns and live in ``khien.server.console.auth``.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..audit import events, record
from ..clock import SYSTEM, Clock, iso
from ..errors import ConflictError, InputError
from ..review.actor import Actor
from ..store import Store, Tx
from ..store import users as rows
from ..store.users import ConsoleSession, ConsoleUser
from .roles import check_role

__all__ = ["ConsoleUser", "ConsoleSession", "SESSION_TTL_S", "MIN_PASSWORD", "hash_password", "create_user",
           "set_password", "find_user", "list_users", "authenticate", "open_session", "session_actor",
           "close_session"]

SESSION_TTL_S = 12 * 3600.0
MIN_PASSWORD = 10
_MAX_TOKEN = 100  # longer "tokens" are not ours: refuse them before hashing

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)  # argon2id (the library's default type)
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must be at least {MIN_PASSWORD} characters, found {len(password)}",
                         field="password", hint="A short sentence is easy to remember and hard to guess.")


def create_user(tx: Tx, *, name: str, role: str, password: str, actor: str = "cli",
                clock: Clock = SYSTEM) -> ConsoleUser:
    """A console account; its ``name`` is the person's name in decisions and the audit log (``user.created``)."""
    name = name.strip()
    role = check_role(role).value
    if not name or len(name) > 200 or any(ch.isspace() for ch in name) or ":" in name:
        raise InputError(f"field 'name' must be 1 to 200 characters without spaces or ':', found {name!r}",
                         field="name")
    _check_password(password)
    if rows.find_user(tx, name) is not None:
        raise ConflictError(f"a console user named {name!r} already exists")
    when = iso(clock.now())
    user_id = rows.insert_user(tx, name=name, role=role, password_hash=hash_password(password), created_at=when)
    record(tx, actor, f"user:{user_id}", events.UserCreated(name=name, role=role), time=when)
    return ConsoleUser(user_id, name, role, when)


def set_password(tx: Tx, name: str, password: str, *, actor: str = "cli", clock: Clock = SYSTEM) -> ConsoleUser:
    """A new password for an existing account (``user.password_set``); its sessions stay open."""
    _check_password(password)
    user = rows.find_user(tx, name)
    if user is None:
        raise InputError(f"no console user named {name!r}", field="name")
    rows.set_password(tx, user.id, hash_password(password))
    record(tx, actor, f"user:{user.id}", events.UserPasswordSet(name=name), clock=clock)
    return ConsoleUser(user.id, user.name, user.role, user.created_at, user.disabled_at)


def find_user(tx: Tx, name: str) -> ConsoleUser | None:
    """The account named ``name`` (without its password hash), or ``None``."""
    user = rows.find_user(tx, name)
    return ConsoleUser(user.id, user.name, user.role, user.created_at, user.disabled_at) if user else None


def list_users(tx: Tx) -> list[ConsoleUser]:
    """Every account, in the order they were made, never with a password hash."""
    return rows.list_users(tx)


def authenticate(store: Store, name: str, password: str) -> ConsoleUser | None:
    """The account when ``password`` is right for an enabled account named ``name``, else ``None``."""
    with store.read() as tx:
        user = rows.find_user(tx, name.strip())
    if user is None or not user.enabled:
        try:
            _hasher.verify(_DUMMY, password)  # same cost as a real check: names do not leak by timing
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        with store.write() as tx:
            rows.set_password(tx, user.id, hash_password(password))
    return ConsoleUser(user.id, user.name, user.role, user.created_at, user.disabled_at)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(store: Store, user_id: int, *, ttl: float = SESSION_TTL_S, clock: Clock = SYSTEM) -> str:
    """A new session for ``ttl`` seconds from ``clock``'s now; returns the token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with store.write() as tx:
        rows.delete_expired_sessions(tx, now=now)
        rows.insert_session(tx, token_hash=_digest(token), user_id=user_id, created_at=iso(now), expires_ts=now + ttl)
    return token


def session_actor(store: Store, token: str | None, *, clock: Clock = SYSTEM) -> Actor | None:
    """Who a session token signs in, or ``None`` if it is missing, unknown, expired or its account disabled."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    with store.read() as tx:
        found = rows.find_session(tx, _digest(token), now=clock.now())
    return Actor(found.name, found.role) if found else None


def close_session(store: Store, token: str | None) -> None:
    """Sign out: the session ends at once (an unknown token is ignored)."""
    if token and len(token) <= _MAX_TOKEN:
        with store.write() as tx:
            rows.delete_session(tx, _digest(token))
