"""Console accounts: create, set a password, authenticate, and the sessions a sign-in opens.

- Passwords: argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane: ~0.1 s here; the
  library's 64 MiB × 3 × 4 took ~0.7 s a sign-in on a busy 2-core machine, which is also a cheap
  way to exhaust the server). Hashes are upgraded on sign-in when the parameters change; a wrong
  name costs the same hash as a wrong password, so names do not leak by timing.
- Sessions: a 256-bit random token (the caller puts it in a cookie); the store keeps its sha256
  (``khien.store.users``), so signing out or disabling an account ends it at once. Expiry is read
  from the ``clock`` the caller passes, so tests move time instead of waiting for it.

- Names: :mod:`khien.access.names` (NFKC, no invisible characters, unique case-insensitively);
  look-ups by name compare the case-folded form, so ``An`` signs in as ``an``.
- Admins disable and enable accounts and reset passwords; disabling or resetting ends the
  account's sessions at once (``user.disabled``, ``user.enabled``, ``user.password_reset``).

Cookies and CSRF are HTTP concerns (``khien.server.console.auth``); the sign-in throttle is
:mod:`khien.access.throttle`.
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
from .names import clean_name, name_key
from .roles import check_role

__all__ = ["ConsoleUser", "ConsoleSession", "SESSION_TTL_S", "MIN_PASSWORD", "hash_password", "create_user",
           "set_password", "find_user", "list_users", "authenticate", "open_session", "session_actor",
           "close_session", "disable_user", "enable_user", "reset_password", "new_password"]

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
    """A console account; its ``name`` is the person's name in decisions and the audit log (``user.created``).

    The name is normalised (:func:`khien.access.names.clean_name`); one that equals an existing
    account's name case-insensitively is a :class:`ConflictError`.
    """
    name = clean_name(name, account=True)
    role = check_role(role).value
    _check_password(password)
    if rows.find_user_by_key(tx, name_key(name)) is not None:
        raise ConflictError(f"a console user named {name!r} already exists (names are compared ignoring case)")
    when = iso(clock.now())
    user_id = rows.insert_user(tx, name=name, name_key=name_key(name), role=role,
                               password_hash=hash_password(password), created_at=when)
    record(tx, actor, f"user:{user_id}", events.UserCreated(name=name, role=role), time=when)
    return ConsoleUser(user_id, name, role, when)


def _public(user: ConsoleUser) -> ConsoleUser:
    return ConsoleUser(user.id, user.name, user.role, user.created_at, user.disabled_at)


def _existing(tx: Tx, name: str) -> ConsoleUser:
    user = rows.find_user_by_key(tx, name_key(name.strip()))
    if user is None:
        raise InputError(f"no console user named {name.strip()!r}", field="name")
    return user


def set_password(tx: Tx, name: str, password: str, *, actor: str = "cli", clock: Clock = SYSTEM) -> ConsoleUser:
    """A new password for an existing account (``user.password_set``); its sessions stay open."""
    _check_password(password)
    user = _existing(tx, name)
    rows.set_password(tx, user.id, hash_password(password))
    record(tx, actor, f"user:{user.id}", events.UserPasswordSet(name=user.name), clock=clock)
    return _public(user)


def new_password() -> str:
    """A random password to hand to a person once (16 url-safe characters, 96 bits)."""
    return secrets.token_urlsafe(12)


def reset_password(tx: Tx, name: str, password: str, *, actor: str, clock: Clock = SYSTEM) -> ConsoleUser:
    """An admin sets a new password (``user.password_reset``); every session of the account ends.

    Unlike :func:`set_password` (the person changing their own password), a reset assumes the old
    password may be known to someone else, so nobody stays signed in with it.
    """
    _check_password(password)
    user = _existing(tx, name)
    rows.set_password(tx, user.id, hash_password(password))
    ended = rows.delete_user_sessions(tx, user.id)
    record(tx, actor, f"user:{user.id}", events.UserPasswordReset(name=user.name, sessions_ended=ended), clock=clock)
    return _public(user)


def disable_user(tx: Tx, name: str, *, actor: str, clock: Clock = SYSTEM) -> ConsoleUser:
    """Disable an account (``user.disabled``): it cannot sign in and its sessions end at once.

    Its decisions and audit events stay as they are. Disabling a disabled account is a
    :class:`ConflictError`, so a second click does not write a second event.
    """
    user = _existing(tx, name)
    when = iso(clock.now())
    if not rows.set_disabled(tx, user.id, when):
        raise ConflictError(f"console user {user.name!r} is already disabled")
    ended = rows.delete_user_sessions(tx, user.id)
    record(tx, actor, f"user:{user.id}", events.UserDisabled(name=user.name, sessions_ended=ended), time=when)
    return ConsoleUser(user.id, user.name, user.role, user.created_at, when)


def enable_user(tx: Tx, name: str, *, actor: str, clock: Clock = SYSTEM) -> ConsoleUser:
    """Enable a disabled account again (``user.enabled``); its password is unchanged."""
    user = _existing(tx, name)
    if not rows.set_disabled(tx, user.id, None):
        raise ConflictError(f"console user {user.name!r} is not disabled")
    record(tx, actor, f"user:{user.id}", events.UserEnabled(name=user.name), clock=clock)
    return ConsoleUser(user.id, user.name, user.role, user.created_at, None)


def find_user(tx: Tx, name: str) -> ConsoleUser | None:
    """The account whose name is ``name`` ignoring case (without its password hash), or ``None``."""
    user = rows.find_user_by_key(tx, name_key(name.strip()))
    return _public(user) if user else None


def list_users(tx: Tx) -> list[ConsoleUser]:
    """Every account, in the order they were made, never with a password hash."""
    return rows.list_users(tx)


def authenticate(store: Store, name: str, password: str) -> ConsoleUser | None:
    """The account when ``password`` is right for an enabled account named ``name``, else ``None``."""
    with store.read() as tx:
        user = rows.find_user_by_key(tx, name_key(name.strip()))
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
    return _public(user)


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
    return Actor(found.name, found.role, user_id=found.user_id) if found else None


def close_session(store: Store, token: str | None) -> None:
    """Sign out: the session ends at once (an unknown token is ignored)."""
    if token and len(token) <= _MAX_TOKEN:
        with store.write() as tx:
            rows.delete_session(tx, _digest(token))
