"""Sign-in throttling, per client address and per account name, kept in the store.

Two limits with different jobs:

- **Per address** (stops a guesser): after ``addr_limit`` failures from one address within
  ``window`` seconds, that address is refused until its oldest failure leaves the window.
- **Per account name** (slows a guesser spread over many addresses, never locks out the owner):
  after ``name_free`` failures on a name within ``window``, each further attempt on that name is
  answered only after a delay that doubles with every failure, up to ``name_max_delay`` seconds.
  It is a delay, not a refusal, so the right password from an address that has not been failing
  still signs in, at most ``name_max_delay`` seconds late, however hard someone else is guessing.

Failures live in ``signin_failures`` (``khien.store.users``), counted per subject by the database:
there is no shared in-memory table a flood of other names could fill and clear, and every server
process sees the same counts. Rows older than the window are deleted as new failures arrive.
Time comes from the ``clock`` the caller passes, so tests move it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..clock import SYSTEM, Clock
from ..store import Tx
from ..store import users as rows
from .names import name_key

__all__ = ["Limits", "Gate", "LIMITS", "check", "failed", "succeeded"]

_NAME, _ADDR = "name", "addr"
_MAX_SUBJECT = 300


@dataclass(frozen=True, slots=True)
class Limits:
    """How many failures are tolerated, over what window, and the longest delay on one account."""

    window: float = 900.0
    addr_limit: int = 20
    name_free: int = 5
    name_first_delay: float = 0.25
    name_max_delay: float = 3.0


LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Gate:
    """What to do with a sign-in attempt before checking its password.

    ``retry_after`` is set when the attempt is refused (seconds until the address may try again);
    otherwise ``delay`` is how long to wait before answering (0 for an account nobody is guessing).
    """

    retry_after: float | None = None
    delay: float = 0.0

    @property
    def refused(self) -> bool:
        return self.retry_after is not None


def _subjects(name: str, address: str) -> tuple[str, str]:
    return name_key(name.strip())[:_MAX_SUBJECT], (address or "unknown")[:_MAX_SUBJECT]


def check(tx: Tx, name: str, address: str, *, limits: Limits = LIMITS, clock: Clock = SYSTEM) -> Gate:
    """The gate for an attempt on ``name`` from ``address`` at ``clock.now()``."""
    now = clock.now()
    since = now - limits.window
    who, where = _subjects(name, address)
    by_addr = rows.count_failures(tx, _ADDR, where, since)
    if by_addr.count >= limits.addr_limit and by_addr.first_ts is not None:
        return Gate(retry_after=max(1.0, by_addr.first_ts + limits.window - now))
    by_name = rows.count_failures(tx, _NAME, who, since)
    extra = by_name.count - limits.name_free
    if extra < 0:
        return Gate()
    return Gate(delay=min(limits.name_max_delay, limits.name_first_delay * 2.0 ** min(extra, 32)))


def failed(tx: Tx, name: str, address: str, *, limits: Limits = LIMITS, clock: Clock = SYSTEM) -> None:
    """Record a failed attempt against both the name and the address (and forget expired ones)."""
    now = clock.now()
    who, where = _subjects(name, address)
    rows.prune_failures(tx, now - limits.window)
    rows.record_failure(tx, _NAME, who, now)
    rows.record_failure(tx, _ADDR, where, now)


def succeeded(tx: Tx, name: str) -> None:
    """The right password: the account's failures are forgotten (its owner is back).

    The address's failures are kept: signing in to one's own account between guesses at other
    accounts must not reset the guesser's count.
    """
    rows.clear_failures(tx, _NAME, _subjects(name, "")[0])
