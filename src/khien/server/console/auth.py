"""The console's HTTP side of signing in: cookies and CSRF tokens.

Accounts, passwords and sessions are managed by :mod:`khien.access.accounts`; this module names the
cookies that carry a session token and checks the forms that change anything.

- Sessions: the token from :func:`khien.access.open_session` travels in an HttpOnly, SameSite=Lax
  cookie (:data:`SESSION_COOKIE`).
- CSRF: every POST form carries a token. Signed in, it is an HMAC of the session token (nothing
  to store, and a page from another site cannot read it); before sign-in, a double-submit cookie.

Sign-in throttling is kept in the store by :mod:`khien.access.throttle` (per account and per address).
"""

from __future__ import annotations

import hashlib
import hmac

from ...access import SESSION_TTL_S, session_actor  # re-exported: the pages resolve the cookie's actor here

__all__ = ["SESSION_COOKIE", "PRE_COOKIE", "SESSION_TTL_S", "session_actor", "csrf_token", "csrf_ok"]

SESSION_COOKIE = "khien_session"
PRE_COOKIE = "khien_pre"  # the double-submit CSRF cookie of the sign-in form


def csrf_token(secret: str) -> str:
    """The form token bound to ``secret`` (the session token, or the pre-sign-in cookie)."""
    return hmac.new(secret.encode("utf-8"), b"khien-console-csrf", hashlib.sha256).hexdigest()[:40]


def csrf_ok(secret: str | None, submitted: str | None) -> bool:
    if not secret or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret), submitted)
