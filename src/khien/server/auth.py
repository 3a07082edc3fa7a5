"""Bearer keys on HTTP: parse ``Authorization``, resolve the key through a cache, check the role.

Keys themselves (create, revoke, look up) are managed by :mod:`khien.access.keys`. Roles come from
:class:`khien.enums.Role`: ``ingest`` submits items and appeals, ``moderator`` works cases and
appeals, ``admin`` manages keys, webhooks and legal requests (and may do everything), ``auditor``
reads the audit log and reports.
"""

from __future__ import annotations

from typing import Callable

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..access import KeyCache
from ..enums import Role
from ..errors import PermissionDenied
from ..review.actor import Actor
from .problems import AuthError

__all__ = ["KeyCache", "require"]

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer khien_...`")


def require(*roles: str) -> Callable[..., Actor]:
    """A dependency: the caller's actor, if their key is valid and their role is one of ``roles`` (or admin)."""
    allowed = {Role(r).value for r in roles} | {Role.ADMIN.value}

    async def dependency(request: Request, creds: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> Actor:
        # async, so a cached key costs no trip through the thread pool
        if creds is None or not creds.credentials:
            raise AuthError("this endpoint needs an API key: send 'Authorization: Bearer <key>'",
                            hint="An admin creates keys with 'khien keys create --role ROLE'.")
        keys: KeyCache = request.app.state.keys
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
