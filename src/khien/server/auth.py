"""API keys and roles.

A key is a random secret shown once (``khien_<prefix>_<secret>``); the store keeps its sha256 only
(the secret has 256 bits of entropy, so a slow password hash would add nothing but latency).
Roles: ``ingest`` submits items and appeals, ``moderator`` works cases and appeals, ``admin``
manages keys, webhooks and legal requests (and may do everything), ``auditor`` reads the audit log
and reports.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from typing import Any, Callable

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..audit import events, record
from ..errors import InputError, NotFoundError, PermissionDenied
from ..review.actor import ROLES, Actor
from ..store import Store, Tx
from ..store import keys as rows
from ..store.clock import iso
from .problems import AuthError

__all__ = ["ROLES", "create_key", "revoke_key", "hash_key", "KeyCache", "require"]

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer khien_...`")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(tx: Tx, *, role: str, name: str | None = None, actor: str = "cli") -> dict[str, Any]:
    """Make a key; the returned ``key`` is the only time the secret exists outside its holder."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; valid roles: {', '.join(ROLES)}", field="role")
    prefix = secrets.token_hex(4)
    key = f"khien_{prefix}_{secrets.token_urlsafe(32)}"
    name = (name or f"{role}-{prefix}").strip()
    if not name or len(name) > 200:
        raise InputError("field 'name' must be 1 to 200 characters", field="name")
    when = iso()
    key_id = rows.insert_key(tx, name=name, role=role, key_hash=hash_key(key), prefix=prefix, created_at=when)
    record(tx, actor, f"key:{key_id}", events.KeyCreated(name=name, role=role, prefix=prefix))
    return {"id": key_id, "name": name, "role": role, "prefix": prefix, "created_at": when, "key": key}


def revoke_key(tx: Tx, key_id: int, *, actor: str) -> None:
    if not rows.revoke_key(tx, key_id, iso()):
        raise NotFoundError(f"key {key_id} does not exist or is already revoked")
    record(tx, actor, f"key:{key_id}", events.KeyRevoked())


class KeyCache:
    """Key hash → actor, trusted for ``ttl`` seconds (a revoked key stops working within ``ttl``)."""

    def __init__(self, store: Store, ttl: float) -> None:
        self.store = store
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Actor | None]] = {}

    def cached(self, key: str) -> tuple[bool, Actor | None]:
        """(found, actor) from memory only; found is False when the store must be asked."""
        hit = self._entries.get(hash_key(key))
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return True, hit[1]
        return False, None

    def lookup(self, key: str) -> Actor | None:
        found, actor = self.cached(key)
        if found:
            return actor
        digest = hash_key(key)
        now = time.monotonic()
        with self.store.read() as tx:
            row = rows.find_key(tx, digest)
        actor = Actor(row["name"], row["role"], row["id"]) if row else None
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[digest] = (now, actor)
        return actor

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def require(*roles: str) -> Callable[..., Actor]:
    """A dependency: the caller's actor, if their key is valid and their role is one of ``roles``."""
    allowed = set(roles) | {"admin"}

    async def dependency(request: Request, creds: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> Actor:
        # async, so a cached key costs no trip through the thread pool
        if creds is None or not creds.credentials:
            raise AuthError("this endpoint needs an API key: send 'Authorization: Bearer <key>'",
                            hint="An admin creates keys with 'khien keys create --role ROLE'.")
        keys = request.app.state.keys
        found, actor = keys.cached(creds.credentials)
        if not found:
            actor = await run_in_threadpool(keys.lookup, creds.credentials)
        if actor is None:
            raise AuthError("the API key is not valid (unknown or revoked)")
        if actor.role not in allowed:
            raise PermissionDenied(
                f"role '{actor.role}' may not do this; it needs: {', '.join(sorted(allowed))}")
        request.state.actor = actor
        return actor

    dependency.__name__ = f"require_{'_'.join(roles) or 'admin'}"
    return dependency
