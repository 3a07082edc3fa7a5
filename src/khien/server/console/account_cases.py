"""An ACCOUNT case on the case page: the account, its strikes and recent decisions, and the account
decision form (warn, restrict, suspend, ban, no action; a duration in days for restrict and suspend)
with a preview of the notice the account holder gets.

The preview is :func:`khien.review.accounts.case_notice`: the statement the decision will carry,
word for word, computed by the same code ``cases.decide`` uses. ``cases.py`` routes a case here when
its ``subject_kind`` is ``account``; claiming works as for any case.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ...enums import Action, AccountAction, SubjectKind
from ...errors import InputError, KhienError
from ...review import accounts
from ...review.views import CaseView
from .accounts import strikes_of, summary_of
from .web import clauses_of, clock_of, policy_of

__all__ = ["is_account_case", "view_of", "form_values", "preview", "duration_of", "ACTIONS", "TIMED"]

ACTIONS = accounts.CASE_ACTIONS  # warn, restrict, suspend, ban, allow (no action)
TIMED = (AccountAction.RESTRICT.value, AccountAction.SUSPEND.value)  # the actions a duration applies to
RECENT = 10
NOTE_MAX = 2000


def is_account_case(case: CaseView) -> bool:
    return case.case.subject_kind == SubjectKind.ACCOUNT


def view_of(tx: Any, request: Request, case: CaseView) -> dict[str, Any]:
    """Everything the account case page shows, read in the caller's transaction. 404 when the
    account is missing (an account case always has one)."""
    policy = policy_of(request)
    view = accounts.get_account(tx, policy, case.platform, case.item_id, clock=clock_of(request), history=RECENT)
    under_review = case.decision
    opening = accounts.case_opening(tx, case.id)
    return {
        "case": case, "account": summary_of(view.account, view.at), "strikes": strikes_of(policy, view),
        "weight": sum(s.weight for s in view.strikes if s.id in view.active),
        "decisions": view.decisions[:RECENT], "item_decisions": view.item_decisions[:RECENT],
        "other_open": [c for c in view.open_cases if c.id != case.id],
        "opened_note": opening.note if opening else None, "opened_by": opening.opened_by if opening else None,
        "under_review": under_review,
        "outcome": case.outcome.decision if case.outcome else None,
        "clauses": clauses_of(policy), "actions": ACTIONS, "timed": TIMED, "account_case": True,
    }


def form_values(view: dict[str, Any], form: dict[str, str] | None = None) -> dict[str, str]:
    """The form's values: ``warn`` and the case category's clause by default, or what was posted.
    No action (``allow``) names no clause, as for an item."""
    case: CaseView = view["case"]
    default_clause = next((c["clause"] for c in view["clauses"] if c["category"] == case.category), "")
    values = {"action": AccountAction.WARN.value, "clause": default_clause, "note": "", "duration_days": ""}
    if form:
        values.update({k: str(form.get(k, "")) for k in values})
    if values["action"] == Action.ALLOW:
        values["clause"] = ""
    values["note"] = values["note"][:NOTE_MAX]
    values["duration_days"] = values["duration_days"].strip()[:12]
    return values


def duration_of(values: dict[str, str]) -> int | None:
    """The duration field: empty is none (restrict or suspend until lifted); otherwise whole days."""
    raw = values["duration_days"]
    if not raw:
        return None
    if not raw.isdigit():
        raise InputError(f"field 'duration_days' must be a whole number of days, found {raw!r}", field="duration_days")
    return int(raw)


def preview(tx: Any, request: Request, case: CaseView,
            values: dict[str, str]) -> tuple[dict[str, str] | None, str | None]:
    """The notice deciding the case with ``values`` would send, or the problem that stops it."""
    try:
        reasons = accounts.case_notice(tx, policy_of(request), case.case, action=values["action"],
                                       clause=values["clause"] or None, note=values["note"] or None,
                                       duration_days=duration_of(values), clock=clock_of(request))
        return reasons, None
    except KhienError as exc:
        return None, exc.message
