"""Cases: what a person must look at. Open → decided; a claim is an expiring lock on an open case.

A claim lasts ``ttl`` seconds and can be renewed by its holder; when it lapses anyone may take the
case. Deciding needs a live claim (admins may decide without one), so two moderators never decide
the same case at once. The moves are the table ``lifecycle.CASE_MOVES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..clock import SYSTEM, Clock, iso
from ..enums import Action, CaseState, Role, SubjectKind
from ..errors import ConflictError, InputError, NotFoundError
from ..reports import outcomes as report_outcomes
from ..policy import Policy
from ..settings import DEFAULT_CLAIM_TTL_S
from ..store import Tx
from ..store import items as item_rows
from ..store import review as rows
from ..model import Decision
from ..store.records import Case
from . import accounts, legal, lifecycle, outbox
from .actor import Actor
from .decisions import human_decision, item_subject, new_decision
from .views import CaseSummary, CaseView

__all__ = ["list_cases", "get_case", "claim", "decide", "record_item_decision", "item_decided", "ItemDecision",
           "CaseSummary", "CaseView", "DEFAULT_CLAIM_TTL_S"]


def _load(tx: Tx, case_id: int, now: float) -> Case:
    case = rows.get_case(tx, case_id, now=now)
    if case is None:
        raise NotFoundError(f"case {case_id} does not exist")
    return case


def _move(case: Case, verb: str) -> CaseState:
    detail = f" (by {case.decided_by})" if case.state == CaseState.DECIDED and case.decided_by else ""
    return lifecycle.move(lifecycle.CASE_MOVES, f"case {case.id}", case.state, verb, detail=detail)


def list_cases(tx: Tx, *, state: str | None = "open", category: str | None = None, platform: str | None = None,
               claimed_by: str | None = None, unclaimed: bool = False, limit: int = 50,
               offset: int = 0, clock: Clock = SYSTEM) -> list[CaseSummary]:
    """Cases by priority (severity × log(reach) × age factor), highest first, read at ``clock.now()``."""
    now = clock.now()
    found = rows.list_cases(tx, now=now, state=CaseState(state) if state else None, category=category,
                            platform=platform, claimed_by=claimed_by, unclaimed=unclaimed, limit=limit,
                            offset=offset)
    return [CaseSummary(c, now) for c in found]


def _judged(tx: Tx, case: Case) -> tuple[dict[str, Any] | None, int | None]:
    """The content of the version the case judges, and the item's current version (None, None when
    the item is not stored)."""
    if case.subject_kind == SubjectKind.ACCOUNT:  # an account case judges no item's text
        return None, None
    stored = item_rows.get_item(tx, case.platform, case.item_id)
    if stored is None:
        return None, None
    if stored.version == case.item_version:
        return stored.content(), stored.version
    judged = item_rows.get_version(tx, case.platform, case.item_id, case.item_version)
    return (judged.content() if judged else None), stored.version


def get_case(tx: Tx, case_id: int, *, clock: Clock = SYSTEM) -> CaseView:
    """A case with the content of the item's version it judges, the decision under review and the
    outcome; ``current_version`` tells whether the item was edited since. 404 unknown case."""
    now = clock.now()
    case = _load(tx, case_id, now)
    content, current = _judged(tx, case)
    return CaseView(
        case=case, at=now, content=content,
        decision=item_rows.get_decision(tx, case.decision_id) if case.decision_id else None,
        outcome=item_rows.get_decision(tx, case.outcome_decision_id) if case.outcome_decision_id else None,
        current_version=current,
    )


def claim(tx: Tx, actor: Actor, case_id: int, *, ttl: float = DEFAULT_CLAIM_TTL_S,
          clock: Clock = SYSTEM) -> CaseSummary:
    """Take (or renew) the lock on a case for ``ttl`` seconds. 409 when another live claim holds it."""
    now = clock.now()
    if not rows.claim_case(tx, case_id, actor.name, now=now, expires=now + ttl):
        case = _load(tx, case_id, now)
        _move(case, "claim")
        raise ConflictError(
            f"case {case_id} is claimed by {case.claimed_by} until {iso(case.claim_expires_ts or now)}",
            hint="Pick another case, or wait until the claim expires.",
        )
    record_many(tx, [AuditEvent(actor.name, f"case:{case_id}", ev.CaseClaimed(expires_at=iso(now + ttl)))],
                time=iso(now))
    return CaseSummary(_load(tx, case_id, now), now)


def decide(tx: Tx, policy: Policy, actor: Actor, case_id: int, *, action: str, clause: str | None,
           note: str | None = None, duration_days: int | None = None, clock: Clock = SYSTEM) -> CaseView:
    """Record a person's decision on a claimed case; returns the case with its outcome.

    An account case takes an account action (``accounts.CASE_ACTIONS``, ``duration_days`` for restrict
    and suspend); an item case upheld as ``remove`` strikes the item's author (``accounts.removal_upheld``)."""
    now = clock.now()
    when = iso(now)
    case = _load(tx, case_id, now)
    _move(case, "decide")
    holder = case.live_claimant(now)
    holds = holder == actor.name
    if not holds and actor.role != Role.ADMIN:
        raise ConflictError(
            f"case {case_id} must be claimed by you before you decide it"
            + (f"; it is claimed by {holder}" if holder else ""),
            hint=f"POST /v1/cases/{case_id}/claim first.",
        )
    if case.subject_kind == SubjectKind.ACCOUNT:
        decision_id = accounts.decide_case(tx, policy, actor, case, action=action, clause=clause, note=note,
                                           duration_days=duration_days, require_claim=holds, clock=clock)
        report_outcomes.case_decided(tx, policy, case, decision_id, action, actor, clock=clock)  # reports on it
        return get_case(tx, case_id, clock=clock)
    if case.subject_kind == SubjectKind.CAMPAIGN:  # its members are decided together, each on its own
        raise InputError(f"case {case_id} is a campaign case: decide it with the campaign decision "
                         f"(POST /v1/campaigns/{case.item_id}/decision)", field="action")
    if duration_days is not None:
        raise InputError("field 'duration_days' applies only to account cases", field="duration_days")
    original = item_rows.get_decision(tx, case.decision_id) if case.decision_id else None
    content, _current = _judged(tx, case)
    source_type = "SOURCE_TYPE_OTHER_NOTIFICATION" if case.legal_request_id else "SOURCE_VOLUNTARY"
    # the decision is about the text the case judged, even when the item was edited since
    made = record_item_decision(tx, policy, actor, platform=case.platform, item_id=case.item_id,
                                item_version=case.item_version, action=action, clause=clause, note=note,
                                original=original.decision if original else None,
                                created_at=content.get("created_at") if content else None,
                                source_type=source_type, source="case", source_ref=str(case_id), clock=clock)
    if made is None or not rows.close_case(tx, case_id, actor.name, now=now, decided_at=when,
                                           decision_id=made.id, require_claim=holds):
        raise ConflictError(f"case {case_id} was decided by someone else a moment ago")
    record_many(tx, [AuditEvent(actor.name, f"case:{case_id}", ev.CaseDecided(
        item=case.item_id, platform=case.platform, subject=item_subject(case.platform, case.item_id),
        decision=made.id, action=action, clause=made.decision.clause, category=made.category,
        proposed_action=case.proposed_action, automated=False, legal_request=case.legal_request_id,
        item_version=case.item_version,
    ))], time=when)
    item_decided(tx, policy, actor, made, clock=clock)
    if case.legal_request_id:
        legal.case_decided(tx, actor, case.legal_request_id, case_id, action, clock=clock)
    report_outcomes.case_decided(tx, policy, case, made.id, action, actor, clock=clock)  # answers its reports
    return get_case(tx, case_id, clock=clock)


@dataclass(frozen=True, slots=True)
class ItemDecision:
    """A person's decision on one item, as recorded: its id, the decision, its category and where."""

    id: int
    decision: Decision
    category: str | None
    platform: str
    item_id: str
    item_version: int


def record_item_decision(tx: Tx, policy: Policy, actor: Actor, *, platform: str, item_id: str, item_version: int,
                         action: str, clause: str | None, note: str | None, original: Decision | None,
                         created_at: str | None, source_type: str, source: str, source_ref: str,
                         clock: Clock = SYSTEM) -> ItemDecision | None:
    """Record a person's decision on version ``item_version`` of an item (the one path for a case's
    item and a campaign's member, ``khien.review.campaigns``); None when a decision with the same
    ``source``/``source_ref`` is already recorded on it. Call :func:`item_decided` after it."""
    decision = human_decision(policy, item_id, action, clause, note, original, created_at=created_at,
                              source_type=source_type)
    row = new_decision(policy, decision, platform, item_version=item_version, source=source,
                       source_ref=source_ref, actor=actor.name, created_at=iso(clock.now()), actor_id=actor.id)
    decision_id = item_rows.insert_decisions(tx, [row]).get((platform, item_id, item_version))
    if decision_id is None:
        return None
    return ItemDecision(id=decision_id, decision=decision, category=row.category, platform=platform,
                        item_id=item_id, item_version=item_version)


def item_decided(tx: Tx, policy: Policy, actor: Actor, made: ItemDecision, *, clock: Clock = SYSTEM) -> None:
    """What follows a person's decision on an item: a strike on its author for an upheld removal
    (``accounts.removal_upheld``) and the ``decision`` webhook (the author's notice)."""
    if made.decision.action == Action.REMOVE:
        accounts.removal_upheld(tx, policy, actor, platform=made.platform, item_id=made.item_id,
                                item_version=made.item_version, category=made.category, decision_id=made.id,
                                clock=clock)
    outbox.publish(tx, "decision", [{"platform": made.platform, "item": made.item_id,
                                     "decision": made.decision.to_dict()}], clock=clock)
