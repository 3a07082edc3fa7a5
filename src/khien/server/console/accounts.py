"""Platform accounts (``/accounts``): the accounts under an action, one account's standing and history
on ITS platform only, and an account case opened by hand.

Reads go through :mod:`khien.review.accounts` (``get_account``, ``list_accounts``), the same as
``/v1/accounts``; nothing here reads another platform's account with the same author id. Console
users (who may sign in) are at ``/users``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...clock import iso
from ...enums import AccountStatus, Role
from ...errors import KhienError
from ...policy.accounts import DAY
from ...review import accounts
from ..problems import status_of
from ..schemas import MAX_ID, MAX_PLATFORM
from .web import clock_of, error_page, message_of, page, policy_of, posted, redirect, require_role

__all__ = ["router", "account_url", "summary_of", "strikes_of", "StrikeRow", "AccountSummary"]

router = APIRouter(include_in_schema=False)
UNDER_ACTION = tuple(s.value for s in AccountStatus if s != AccountStatus.ACTIVE)
LIST_LIMIT = 200  # per status; the list is a worklist, not an export (the API pages through all)
HISTORY = 50
NOTE_MAX = 4000


def account_url(platform: str, author_id: str) -> str:
    return f"/accounts/{quote(platform, safe='')}/{quote(author_id, safe='')}"


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """What a page shows of an account: who it is on its platform and the status in force now."""

    platform: str
    author_id: str
    name: str | None
    followers: int
    verified: bool
    first_seen: str
    status: str
    until: str | None  # when the status in force ends (None: until lifted, or active)
    url: str


@dataclass(frozen=True, slots=True)
class StrikeRow:
    """A strike as the pages list it: ``state`` is active, expired or removed (removed ones say who and why)."""

    category: str
    weight: float
    item_id: str
    item_version: int
    created_at: str
    expires_at: str | None
    state: str
    removed_at: str | None
    removed_by: str | None
    removal_reason: str | None


def summary_of(account: Any, now: float) -> AccountSummary:
    status = account.status_at(now)
    until = iso(account.status_until) if status != AccountStatus.ACTIVE and account.status_until else None
    return AccountSummary(platform=account.platform, author_id=account.author_id, name=account.name,
                          followers=account.followers, verified=account.verified, first_seen=account.first_seen,
                          status=status.value, until=until, url=account_url(account.platform, account.author_id))


def strikes_of(policy: Any, view: accounts.AccountView) -> list[StrikeRow]:
    """The account's strikes, newest first; the expiry is the policy's (``expires_days`` of the category)."""
    out = []
    for s in reversed(view.strikes):
        rule = policy.accounts.strikes.get(s.category)
        expires = iso(s.created_ts + rule.expires_days * DAY) if rule is not None else None
        state = "removed" if s.removed else ("active" if s.id in view.active else "expired")
        out.append(StrikeRow(category=s.category, weight=s.weight, item_id=s.item_id, item_version=s.item_version,
                             created_at=s.created_at, expires_at=expires, state=state, removed_at=s.removed_at,
                             removed_by=s.removed_by, removal_reason=s.removal_reason))
    return out


@router.get("/accounts")
def account_list(request: Request) -> Response:
    """Accounts under an action (any status but active), most followed first; a search by platform and
    author id opens that account's page."""
    require_role(request, Role.MODERATOR, Role.AUDITOR)
    q = request.query_params
    platform = (q.get("platform") or "").strip()[:MAX_PLATFORM]
    author_id = (q.get("author_id") or "").strip()[:MAX_ID]
    if platform and author_id:
        return redirect(account_url(platform, author_id))
    status = q.get("status") if q.get("status") in UNDER_ACTION else None
    clock = clock_of(request)
    now = clock.now()
    with request.app.state.store.read() as tx:
        found = [a for s in ((status,) if status else UNDER_ACTION)
                 for a in accounts.list_accounts(tx, status=s, platform=platform or None, limit=LIST_LIMIT,
                                                 clock=clock)]
    rows = sorted((summary_of(a, now) for a in found), key=lambda a: (-a.followers, a.platform, a.author_id))
    return page(request, "accounts.html", rows=rows, statuses=UNDER_ACTION, chosen=status, platform=platform,
                author_id=author_id, need_both=bool(author_id and not platform), msg=message_of(request))


def _account_page(request: Request, platform: str, author_id: str, *, refused: KhienError | None = None,
                  form: dict[str, str] | None = None) -> Response:
    """The account's page; with ``refused`` (an open-case form the service turned down) the form again
    with the reason, or only the reason when the account is not recorded yet."""
    policy = policy_of(request)
    clock = clock_of(request)
    try:
        with request.app.state.store.read() as tx:
            view = accounts.get_account(tx, policy, platform, author_id, clock=clock, history=HISTORY)
    except KhienError as exc:
        return error_page(request, refused or exc)
    status, problem = (status_of(refused), refused.message) if refused else (200, None)
    return page(request, "account.html", status=status, view=view, account=summary_of(view.account, view.at),
                strikes=strikes_of(policy, view), weight=sum(s.weight for s in view.strikes if s.id in view.active),
                categories=list(policy.categories), problem=problem,
                form={"note": (form or {}).get("note", "")[:NOTE_MAX], "category": (form or {}).get("category", "")},
                msg=message_of(request))


@router.get("/accounts/{platform}/{author_id}")
def account_page(request: Request, platform: str, author_id: str) -> Response:
    require_role(request, Role.MODERATOR, Role.AUDITOR)
    return _account_page(request, platform[:MAX_PLATFORM], author_id[:MAX_ID])


@router.post("/accounts/{platform}/{author_id}/cases")
@posted()
def open_case(request: Request, form: dict[str, str], platform: str, author_id: str) -> Response:
    """Open an account case by hand (moderators): a note saying why, and optionally the category at stake."""
    actor = require_role(request, Role.MODERATOR)
    note = form.get("note", "")[:NOTE_MAX]
    category = form.get("category", "").strip()[:40] or None
    try:
        with request.app.state.store.write() as tx:
            case = accounts.open_manual_case(tx, policy_of(request), actor, platform[:MAX_PLATFORM],
                                             author_id[:MAX_ID], note=note, category=category,
                                             clock=clock_of(request))
    except KhienError as exc:
        return _account_page(request, platform, author_id, refused=exc, form=form)
    return redirect(f"/cases/{case.id}?msg=case_opened")
