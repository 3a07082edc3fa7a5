"""API keys: create, revoke, list, and look one up for authentication.

A key is a random secret shown once (``khien_<prefix>_<secret>``); the store keeps its sha256 only
(the secret has 256 bits of entropy, so a slow password hash would add nothing but latency).
Every change writes its declared audit event in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass

from ..audit import events, record
from ..clock import SYSTEM, Clock, iso
from ..errors import ConflictError, NotFoundError
from ..review.actor import Actor
from ..store import Store, Tx
from ..store import keys as rows
from ..store.keys import ApiKey
from .names import clean_name, name_key
from .roles import check_role

__all__ = ["ApiKey", "CreatedKey", "hash_key", "create_key", "revoke_key", "list_keys", "find_actor", "KeyCache"]


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A key just made: the stored record plus the secret, which exists nowhere else after this."""

    record: ApiKey
    key: str

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def role(self) -> str:
        return self.record.role

    def public(self) -> dict[str, object]:
        """As ``POST /v1/keys`` answers (the only response that carries the secret)."""
        out = self.record.public()
        del out["revoked_at"]
        return out | {"key": self.key}


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(tx: Tx, *, role: str, name: str | None = None, actor: str = "cli", clock: Clock = SYSTEM) -> CreatedKey:
    """Make a key for ``role`` held by ``name`` (default ``<role>-<prefix>``); writes ``key.created``.

    The name is normalised (:func:`khien.access.names.clean_name`); a live key with the same name
    ignoring case is a :class:`ConflictError` (revoke it first to hand its name to a new key).
    """
    role = check_role(role).value
    prefix = secrets.token_hex(4)
    key = f"khien_{prefix}_{secrets.token_urlsafe(32)}"
    name = clean_name(name if name is not None else f"{role}-{prefix}")
    if rows.find_live_by_name_key(tx, name_key(name)) is not None:
        raise ConflictError(f"a live key named {name!r} already exists (names are compared ignoring case)")
    when = iso(clock.now())
    key_id = rows.insert_key(tx, name=name, name_key=name_key(name), role=role, key_hash=hash_key(key),
                             prefix=prefix, created_at=when)
    record(tx, actor, f"key:{key_id}", events.KeyCreated(name=name, role=role, prefix=prefix), time=when)
    return CreatedKey(ApiKey(key_id, name, role, prefix, when), key)


def revoke_key(tx: Tx, key_id: int, *, actor: str, clock: Clock = SYSTEM) -> None:
    """Revoke a live key (it stops authenticating at once; caches forget it within their TTL)."""
    when = iso(clock.now())
    if not rows.revoke_key(tx, key_id, when):
        raise NotFoundError(f"key {key_id} does not exist or is already revoked")
    record(tx, actor, f"key:{key_id}", events.KeyRevoked(), time=when)


def list_keys(tx: Tx) -> list[ApiKey]:
    """Every key, revoked ones included, never a secret or a hash."""
    return rows.list_keys(tx)


def find_actor(store: Store, key: str) -> Actor | None:
    """The actor a presented key stands for, or ``None`` when it is unknown or revoked."""
    with store.read() as tx:
        found = rows.find_key(tx, hash_key(key))
    return Actor(found.name, found.role, key_id=found.id) if found else None


class KeyCache:
    """Key hash → actor, trusted for ``ttl`` seconds (a revoked key stops working within ``ttl``)."""

    _MAX = 10_000  # a flood of bogus keys empties the cache instead of growing it

    def __init__(self, store: Store, ttl: float, *, clock: Clock = SYSTEM) -> None:
        self.store = store
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Actor | None]] = {}

    def cached(self, key: str) -> tuple[bool, Actor | None]:
        """(found, actor) from memory only; found is False when the store must be asked."""
        hit = self._entries.get(hash_key(key))
        if hit is not None and self.clock.now() - hit[0] < self.ttl:
            return True, hit[1]
        return False, None

    def lookup(self, key: str) -> Actor | None:
        found, actor = self.cached(key)
        if found:
            return actor
        now = self.clock.now()
        actor = find_actor(self.store, key)
        with self._lock:
            if len(self._entries) > self._MAX:
                self._entries.clear()
            self._entries[hash_key(key)] = (now, actor)
        return actor

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
