"""Appeals: a user contests the decision in force on an item; a different person decides.

The rule: whoever made the decision under appeal may not decide the appeal (for an automated
decision any moderator may). "Whoever" is the stable actor id the decision recorded (``user:3``,
``key:7``, see :attr:`khien.review.actor.Actor.id`), never the display name: a key and an account
may share a name. Decisions recorded before ids were kept compare case-folded NFKC names instead. ``upheld`` leaves the decision in force; ``reversed`` records a new
human decision (by default ``allow``: the item is restored). Open → decided is the only move
(``lifecycle.APPEAL_MOVES``).

A reporter's appeal (``appellant='reporter'``, filed by :func:`khien.reports.outcomes.contest`)
contests a decision *not to act* (``allow``) on what they reported: the same rule applies (the
moderator who decided not to act may not decide it), a reversal must name the action to take
(``remove``, ``label``, with its clause), recorded on the item like any appeal decision, and
:func:`khien.reports.outcomes.appeal_decided` answers the report again.
"""

from __future__ import annotations

import unicodedata

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..clock import SYSTEM, Clock, iso
from ..enums import Action, AppealOutcome, AppealState, SubjectKind, values
from ..errors import ConflictError, InputError, NotFoundError, PermissionDenied
from ..policy import Policy
from ..reports import outcomes as report_outcomes
from ..store import Tx
from ..store import items as item_rows
from ..store import review as rows
from ..store.records import Appeal, StoredDecision
from . import accounts, lifecycle, outbox
from .actor import Actor
from .decisions import item_subject, new_decision, restored_decision
from .views import AppealView

__all__ = ["submit", "get_appeal", "list_appeals", "decide", "made_by", "AppealView", "OUTCOMES"]

OUTCOMES = values(AppealOutcome)


def _same_name(a: str, b: str) -> bool:
    fold = lambda s: unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", s).casefold())  # noqa: E731
    return fold(a) == fold(b)


def made_by(decision: StoredDecision | None, actor: Actor) -> bool:
    """Whether ``actor`` made ``decision`` (False for the engine's): the appeal rule's one test."""
    if decision is None or decision.decider is None:
        return False
    if decision.actor_id is not None:
        return decision.actor_id == actor.id
    return _same_name(decision.decider, actor.name)  # a decision recorded before actor ids


def _load(tx: Tx, appeal_id: int) -> Appeal:
    appeal = rows.get_appeal(tx, appeal_id)
    if appeal is None:
        raise NotFoundError(f"appeal {appeal_id} does not exist")
    return appeal


def submit(tx: Tx, actor: Actor, *, item_id: str | None = None, platform: str | None, statement: str,
           account: str | None = None, clock: Clock = SYSTEM) -> Appeal:
    """Appeal the decision in force on an item, or (``account``: an author id) the account decision in
    force on an account. 404 no decision, 409 allowed item or an appeal already open."""
    platform = platform or ""
    if account is not None:
        return accounts.submit_appeal(tx, actor, platform=platform, author_id=account, statement=statement,
                                      clock=clock)
    if item_id is None:
        raise InputError("name the item (field 'item') or the account (field 'account') whose decision is appealed",
                         field="item")
    if not statement.strip():
        raise InputError("field 'statement' must say why the decision is wrong", field="statement")
    current = item_rows.latest_decision(tx, platform, item_id)
    if current is None:
        raise NotFoundError(f"item {item_id!r}{' on ' + platform if platform else ''} has no decision to appeal")
    if current.action == Action.ALLOW:
        raise ConflictError(f"item {item_id!r} is allowed: there is no action to appeal")
    if rows.open_appeal_for(tx, platform, item_id) is not None:
        raise ConflictError(f"item {item_id!r} already has an open appeal")
    when = iso(clock.now())
    appeal_id = rows.insert_appeal(tx, platform=platform, item_id=item_id, statement=statement,
                                   submitted_by=actor.name, original_decision_id=current.id,
                                   original_decider=current.decider, created_at=when)
    record_many(tx, [AuditEvent(actor.name, f"appeal:{appeal_id}", ev.AppealSubmitted(
        item=item_id, platform=platform, decision=current.id, action=current.action,
        category=current.category, automated=current.automated,
    ))], time=when)
    return _load(tx, appeal_id)


def get_appeal(tx: Tx, appeal_id: int) -> AppealView:
    """An appeal with the decision it contests (``decision``) and the one replacing it (``new_decision``)."""
    appeal = _load(tx, appeal_id)
    return AppealView(
        appeal=appeal, decision=item_rows.get_decision(tx, appeal.original_decision_id),
        new_decision=item_rows.get_decision(tx, appeal.outcome_decision_id) if appeal.outcome_decision_id else None,
    )


def list_appeals(tx: Tx, *, state: str | None = "open", limit: int = 50, offset: int = 0) -> list[Appeal]:
    """Appeals in ``state`` (all when None), oldest first."""
    return rows.list_appeals(tx, state=AppealState(state) if state else None, limit=limit, offset=offset)


def decide(tx: Tx, policy: Policy, actor: Actor, appeal_id: int, *, outcome: str, note: str | None = None,
           action: str = "allow", clause: str | None = None, clock: Clock = SYSTEM) -> AppealView:
    """Decide an open appeal. 403 for the person who made the decision under appeal."""
    if outcome not in OUTCOMES:
        raise InputError(f"field 'outcome' must be one of {', '.join(OUTCOMES)}, found {outcome!r}", field="outcome")
    appeal = _load(tx, appeal_id)
    detail = f" ({appeal.outcome}, by {appeal.decided_by})" if appeal.state == AppealState.DECIDED else ""
    lifecycle.move(lifecycle.APPEAL_MOVES, f"appeal {appeal_id}", appeal.state, "decide", detail=detail)
    original = item_rows.get_decision(tx, appeal.original_decision_id)
    if original is None:  # the foreign key makes this impossible; say so plainly if it ever happens
        raise NotFoundError(f"decision {appeal.original_decision_id} under appeal {appeal_id} does not exist")
    if made_by(original, actor):
        raise PermissionDenied(
            f"appeal {appeal_id} contests a decision you made; a different moderator must decide it",
            hint="Leave it in the queue for a colleague.",
        )
    if original.subject_kind == SubjectKind.ACCOUNT:
        accounts.decide_appeal(tx, policy, actor, appeal, original, outcome=outcome, note=note, action=action,
                               clock=clock)
        return get_appeal(tx, appeal_id)
    when = iso(clock.now())
    new_decision_id = None
    new_action = original.action
    if outcome == AppealOutcome.REVERSED:
        if action == original.action:
            raise InputError(f"a reversal must change the action; the decision under appeal is already '{action}'",
                             field="action", hint="A reporter's appeal contests a decision not to act: reverse it "
                             "with the action to take (e.g. remove) and its clause." if action == Action.ALLOW else None)
        decision = restored_decision(policy, appeal.item_id, original.decision, action, clause, note)
        row = new_decision(policy, decision, appeal.platform, item_version=original.item_version,
                           source="appeal", source_ref=str(appeal_id),
                           actor=actor.name, created_at=when, actor_id=actor.id)
        new_decision_id = item_rows.insert_decisions(tx, [row]).get(
            (appeal.platform, appeal.item_id, original.item_version))
        new_action = action
    if not rows.close_appeal(tx, appeal_id, outcome=outcome, decided_by=actor.name, note=note, decided_at=when,
                             outcome_decision_id=new_decision_id):
        raise ConflictError(f"appeal {appeal_id} was decided by someone else a moment ago")
    record_many(tx, [AuditEvent(actor.name, f"appeal:{appeal_id}", ev.AppealDecided(
        item=appeal.item_id, platform=appeal.platform,
        subject=item_subject(appeal.platform, appeal.item_id), outcome=outcome,
        reversed=outcome == AppealOutcome.REVERSED, original_action=original.action, new_action=new_action,
        category=original.category, original_automated=original.automated,
        decision=new_decision_id,
    ))], time=when)
    accounts.item_appeal_decided(tx, policy, actor, appeal, original, outcome=outcome, new_action=new_action,
                                 clock=clock)  # strikes follow whether the removal stands
    report_outcomes.appeal_decided(tx, policy, appeal, outcome, new_decision_id, new_action, actor, clock=clock)
    result = get_appeal(tx, appeal_id)
    published = result.public()  # the webhook carries the API's fields, so a subscriber reads one shape
    outbox.publish(tx, "appeal", [{"platform": appeal.platform, "item": appeal.item_id, "appeal": {
        k: published[k] for k in ("id", "outcome", "reversed", "decided_by", "decided_at")
    } | {"original_action": original.action, "new_action": new_action}, "decision": published["new_decision"]}],
        clock=clock)
    return result
