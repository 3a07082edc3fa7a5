"""Accounts: strikes, the account actions the policy's ladder calls for, account cases and their appeals.

The rules (published in docs/policy.md, "Accounts"):

- A **strike** is given only when a PERSON upholds a removal: a case decided ``remove``
  (:func:`removal_upheld`, called by ``cases.decide``), or an appeal against a removal upheld
  (:func:`item_appeal_decided`). Engine-only removals never strike. The strike goes to the author
  of the item (the ``author.id`` of the stored version decided), on that item's platform, with the
  weight the policy gives the decision's category (none for a category without weight), once per
  item version. When the removal is later reversed on appeal, its strike is removed.
- After each strike the ladder runs (:func:`khien.policy.accounts.account_action`, with the status
  in force and the last action time); a verdict becomes an **account decision** (``decisions`` row
  with ``subject_kind`` account, ``item_id`` the author id, version 0, source ``strikes``) carrying
  the ladder's statement of reasons. It is made in the name of the policy's rule,
  :data:`LADDER_ACTOR` (``system:accounts``): nobody chose it, although a person upheld each strike it
  counts. Its ``account.decided`` event names the decision that gave the last strike (``trigger``) and
  who upheld it (``upheld_by``); its DSA fields say "partially automated". Any moderator may decide
  its appeal.
- **Account cases** are opened by hand (:func:`open_manual_case`) or when the worker records an
  engine decision whose impersonation signal is about the author (:func:`impersonation_cases`), or
  for the accounts ``khien impersonation --db`` flags (:func:`impersonation_findings`). A
  moderator decides one with ``warn``, ``restrict``, ``suspend``, ``ban`` or ``allow`` (no action)
  through ``cases.decide`` (:func:`decide_case`).
- An account decision is appealed by the account holder (:func:`submit_appeal`); a reversal lifts
  the status, removes the strikes that led to the decision (kept, with who removed them and why)
  and records the decision that restores the account (:func:`decide_appeal`).
- The status in force is read at read time: a status whose end has passed reads as ``active``.

Every change is audited (``account.*``, ``strike.*`` events) and every account decision announced by
the ``decision`` webhook as ``{platform, account, decision}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..audit import AuditEvent, StoredEvent, record_many
from ..audit import events as ev
from ..clock import SYSTEM, Clock, iso, parse_iso
from ..enums import AccountAction, AccountStatus, Action, AppealOutcome, Role, SubjectKind, values
from ..errors import ConflictError, InputError, NotFoundError
from ..impersonation.findings import author_signal
from ..model import Account, Decision, Item
from ..policy import Policy
from ..policy.accounts import DAY, Strike, account_action, active_strikes, new_strike
from ..store import Tx
from ..store import accounts as rows
from ..store import audit as audit_rows
from ..store import console as console_rows
from ..store import items as item_rows
from ..store import review as review_rows
from ..store.records import Appeal, Case, NewCase, NewDecision, StoredDecision
from ..store.records_accounts import AccountRecord, StrikeRecord
from . import outbox
from .account_notices import account_decision, case_statement, lifted_statement
from .actor import Actor
from .decisions import priority_base

__all__ = ["CASE_ACTIONS", "STRIKES_SOURCE", "LADDER_ACTOR", "MAX_DURATION_DAYS", "AccountView", "account_subject",
           "get_account", "list_accounts", "removal_upheld", "item_appeal_decided", "open_manual_case",
           "impersonation_cases", "Finding", "FindingCases", "impersonation_findings",
           "decide_case", "case_notice", "submit_appeal", "decide_appeal", "CaseOpening", "case_opening"]

CASE_ACTIONS = values(AccountAction) + (Action.ALLOW.value,)  # what a moderator may decide on an account case
STRIKES_SOURCE = "strikes"
MAX_DURATION_DAYS = 3650
MANUAL, IMPERSONATION = "account:manual", "account:impersonation"
_STATUS_ACTION = {a.status: a for a in AccountAction}
ACCOUNT = SubjectKind.ACCOUNT
# Who makes the ladder's account decisions: the policy's published rule, not the moderator whose
# upheld removal happened to give the last strike ("system:" names are reserved: no person has one).
LADDER_ACTOR = Actor("system:accounts", Role.MODERATOR.value)


def account_subject(platform: str, author_id: str) -> str:
    return f"account:{platform}:{author_id}" if platform else f"account:{author_id}"


def _name(platform: str, author_id: str) -> str:
    return f"account {author_id!r}" + (f" on platform {platform!r}" if platform else "")


def _in_force(account: AccountRecord, now: float) -> AccountAction | None:
    return _STATUS_ACTION.get(account.status_at(now))


def _ensure(tx: Tx, platform: str, author: Account, *, reason: str, actor: str, when: str,
            events: list[AuditEvent]) -> AccountRecord:
    """The author's account, created (and an ``account.created`` event added to ``events``) if new."""
    assert author.id is not None
    account, created = rows.upsert_account(tx, platform, author.id, name=author.display_name or author.handle,
                                           followers=author.followers, verified=author.verified, first_seen=when)
    if created:
        events.append(AuditEvent(actor, account_subject(platform, author.id),
                                 ev.AccountCreated(platform=platform, account=author.id, reason=reason)))
    return account


def reported(tx: Tx, accounts_named: Sequence[tuple[str, str]], *, actor: str, when: str) -> list[AuditEvent]:
    """Accounts a report names, created if new (a report case on an account is decided on its
    record); returns the ``account.created`` events for the caller to record with its own."""
    events: list[AuditEvent] = []
    for platform, author_id in dict.fromkeys(accounts_named):
        # a report says nothing of the account's name, followers or badge: what is stored stays
        _account, created = rows.upsert_account(tx, platform, author_id, first_seen=when)
        if created:
            events.append(AuditEvent(actor, account_subject(platform, author_id),
                                     ev.AccountCreated(platform=platform, account=author_id, reason="reported")))
    return events


def _author_of(tx: Tx, platform: str, item_id: str, version: int) -> Account | None:
    """The author of a stored version of an item, when it names one with an id."""
    stored = item_rows.get_version(tx, platform, item_id, version)
    if stored is None:
        return None
    try:
        author = stored.content().get("author")
        found = Account.from_dict(author) if isinstance(author, dict) else None
    except InputError:  # a body that no longer parses names nobody
        return None
    return found if found is not None and found.id else None


def _policy_strikes(standing: Sequence[StrikeRecord]) -> list[Strike]:
    return [Strike(s.category, s.weight, s.created_ts, s.item_id, s.decision_id) for s in standing]


def _announce(tx: Tx, platform: str, author_id: str, decision: Decision, clock: Clock) -> None:
    outbox.publish(tx, "decision", [{"platform": platform, "account": author_id, "decision": decision.to_dict()}],
                   clock=clock)


def _record(tx: Tx, policy: Policy, actor: Actor, platform: str, decision: Decision, *, source: str,
            source_ref: str, category: str | None, when: str) -> int:
    row = NewDecision(platform=platform, decision=decision, source=source, source_ref=source_ref, actor=actor.name,
                      created_at=when, category=category, actor_id=actor.id, item_version=0, subject_kind=ACCOUNT)
    decision_id = item_rows.insert_decisions(tx, [row]).get((platform, decision.id, 0))
    if decision_id is None:
        raise ConflictError(f"{_name(platform, decision.id)} was decided by someone else a moment ago")
    return decision_id


# ---- strikes and the ladder --------------------------------------------------------------------

def removal_upheld(tx: Tx, policy: Policy, actor: Actor, *, platform: str, item_id: str, item_version: int,
                   category: str | None, decision_id: int, clock: Clock = SYSTEM) -> int | None:
    """A person upheld a removal (``decision_id``): strike the item's author and run the ladder.

    Returns the account decision the ladder made (None when it made none, or no strike was given:
    no weight for ``category``, no author id stored, or a strike already standing for this version).
    """
    now = clock.now()
    when = iso(now)
    if not category or category not in policy.accounts.strikes:
        return None
    author = _author_of(tx, platform, item_id, item_version)
    if author is None:
        return None
    events: list[AuditEvent] = []
    account = _ensure(tx, platform, author, reason="strike", actor=actor.name, when=when, events=events)
    standing = rows.strikes_of(tx, account.id, removed=False)
    strike = new_strike(policy, category, now, item_id, decision_id)
    if strike is None or any(s.item_id == item_id and s.item_version == item_version for s in standing):
        record_many(tx, events, time=when)
        return None
    strike_id = rows.insert_strike(tx, account_id=account.id, category=category, weight=float(strike.weight),
                                   item_id=item_id, item_version=item_version, decision_id=decision_id,
                                   created_at=when, created_ts=now)
    if strike_id is None:
        record_many(tx, events, time=when)
        return None
    events.append(AuditEvent(actor.name, account_subject(platform, account.author_id), ev.StrikeAdded(
        platform=platform, account=account.author_id, strike=strike_id, category=category,
        weight=float(strike.weight), item=item_id, item_version=item_version, decision=decision_id)))
    record_many(tx, events, time=when)
    return _apply_ladder(tx, policy, rows.get_account(tx, platform, account.author_id) or account,
                         trigger=decision_id, upheld_by=actor, clock=clock)


def _apply_ladder(tx: Tx, policy: Policy, account: AccountRecord, *, trigger: int, upheld_by: Actor,
                  clock: Clock) -> int | None:
    """Run the ladder after a strike ``upheld_by`` gave (upholding decision ``trigger``); an action
    it calls for is recorded in the name of :data:`LADDER_ACTOR`, the trigger and the person named
    in its audit event."""
    now = clock.now()
    when = iso(now)
    standing = rows.strikes_of(tx, account.id, removed=False)
    verdict = account_action(policy, _policy_strikes(standing), now, current=_in_force(account, now),
                             last_action_at=account.last_action_ts)
    if verdict is None:
        return None
    first = verdict.categories[0] if verdict.categories else None
    clause = policy.categories[first].clause if first in policy.categories else None
    decision = account_decision(policy, account.author_id, verdict.action.value, verdict.reasons,
                                categories=verdict.categories, clause=clause, rules=(verdict.rule,))
    decision_id = _record(tx, policy, LADDER_ACTOR, account.platform, decision, source=STRIKES_SOURCE,
                          source_ref=str(trigger), category=first, when=when)
    rows.set_status(tx, account.id, status=verdict.action.status, until=verdict.until, decision_id=decision_id,
                    action_ts=now)
    decided = ev.AccountDecided(
        platform=account.platform, account=account.author_id, decision=decision_id, action=verdict.action.value,
        source=STRIKES_SOURCE, rule=verdict.rule, clause=clause,
        until=iso(verdict.until) if verdict.until is not None else None, items=verdict.items, trigger=trigger,
        upheld_by=upheld_by.name)
    record_many(tx, [AuditEvent(LADDER_ACTOR.name, account_subject(account.platform, account.author_id), decided)],
                time=when)
    _announce(tx, account.platform, account.author_id, decision, clock)
    return decision_id


def item_appeal_decided(tx: Tx, policy: Policy, actor: Actor, appeal: Appeal, original: StoredDecision, *,
                        outcome: str, new_action: str, clock: Clock = SYSTEM) -> None:
    """An appeal on an ITEM was decided: an upheld removal strikes its author; a reversed removal
    takes back the strike it gave."""
    if original.action != Action.REMOVE:
        return
    if outcome == AppealOutcome.UPHELD:
        removal_upheld(tx, policy, actor, platform=appeal.platform, item_id=appeal.item_id,
                       item_version=original.item_version, category=original.category, decision_id=original.id,
                       clock=clock)
    elif new_action != Action.REMOVE:
        author = _author_of(tx, appeal.platform, appeal.item_id, original.item_version)
        account = rows.get_account(tx, appeal.platform, author.id) if author and author.id else None
        if account is None:
            return
        gone = [s for s in rows.strikes_of(tx, account.id, removed=False)
                if s.item_id == appeal.item_id and s.item_version == original.item_version]
        _remove(tx, actor, account, gone, reason=f"appeal {appeal.id} reversed the removal of {appeal.item_id}",
                appeal_id=appeal.id, when=iso(clock.now()))


def _remove(tx: Tx, actor: Actor, account: AccountRecord, strikes: Sequence[StrikeRecord], *, reason: str,
            appeal_id: int | None, when: str) -> int:
    rows.remove_strikes(tx, [s.id for s in strikes], removed_at=when, removed_by=actor.name, reason=reason)
    record_many(tx, [AuditEvent(actor.name, account_subject(account.platform, account.author_id), ev.StrikeRemoved(
        platform=account.platform, account=account.author_id, strike=s.id, category=s.category, item=s.item_id,
        reason=reason, appeal=appeal_id)) for s in strikes], time=when)
    return len(strikes)


# ---- account cases -----------------------------------------------------------------------------

def _open_account_case(tx: Tx, policy: Policy, account: AccountRecord, *, origin: str, category: str | None,
                       decision_id: int | None, now: float) -> int | None:
    severity = policy.categories[category].severity if category in policy.categories else 1
    new = NewCase(platform=account.platform, item_id=account.author_id, origin=origin[:60], category=category,
                  proposed_action=None,  # type: ignore[arg-type]  # a person chooses the account action
                  decision_id=decision_id, severity=severity, reach=account.followers,
                  # severity × log(e + followers): high-reach accounts first
                  priority_base=priority_base(severity, account.followers), created_at=iso(now), created_ts=now,
                  item_version=0, subject_kind=ACCOUNT)
    opened = review_rows.insert_cases(tx, [new])
    return next(iter(opened), None)


def open_manual_case(tx: Tx, policy: Policy, actor: Actor, platform: str, author_id: str, *, note: str,
                     category: str | None = None, clock: Clock = SYSTEM) -> Case:
    """A moderator opens a case on an account (origin ``account:manual``). 404 when the platform
    knows no such account (no account record, and no decided item by that author stored on it);
    409 when the account already has an open case; 422 bad note or category."""
    now = clock.now()
    when = iso(now)
    if not note.strip():
        raise InputError("field 'note' must say why the account needs review", field="note")
    if category is not None and category not in policy.categories:
        raise InputError(f"unknown category {category!r}; valid categories: {', '.join(sorted(policy.categories))}",
                         field="category")
    events: list[AuditEvent] = []
    account = rows.get_account(tx, platform, author_id)
    if account is None:
        seen = console_rows.author_history(tx, platform=platform, author_id=author_id, exclude_item="", limit=1)
        stored = item_rows.get_item(tx, platform, seen[0].item_id) if seen else None
        author = _author_of(tx, platform, stored.item_id, stored.version) if stored else None
        if author is None:
            raise NotFoundError(f"{_name(platform, author_id)} is not known: no item by this author is stored on "
                                f"{platform or 'this platform'}")
        account = _ensure(tx, platform, author, reason="case", actor=actor.name, when=when, events=events)
    busy = rows.open_cases_of(tx, platform, author_id)
    if busy:
        raise ConflictError(f"{_name(platform, author_id)} already has an open case ({busy[0].id})",
                            hint=f"Decide case {busy[0].id} instead.")
    n = rows.count_cases_of(tx, platform, author_id, origin=MANUAL) + 1  # each manual case its own origin
    case_id = _open_account_case(tx, policy, account, origin=f"{MANUAL}:{n}", category=category, decision_id=None,
                                 now=now)
    if case_id is None:
        raise ConflictError(f"{_name(platform, author_id)} already has a case opened by hand; decide it first")
    events.append(AuditEvent(actor.name, f"case:{case_id}", ev.AccountCaseOpened(
        platform=platform, account=author_id, origin=MANUAL, category=category, note=note)))
    record_many(tx, events, time=when)
    case = review_rows.get_case(tx, case_id, now=now)
    assert case is not None
    return case


def _author_impersonation(decision: Decision) -> str | None:
    """The entity the author imitates, when the decision's impersonation signal is about the author."""
    signal = author_signal(decision)  # the test ``khien scan --db`` shares
    return str(signal.details["entity"]) if signal is not None else None


def impersonation_cases(tx: Tx, policy: Policy, found: Sequence[tuple[Item, Decision, int]], *, now: float,
                        actor: str) -> list[AuditEvent]:
    """Open account cases (origin ``account:impersonation``) for engine decisions whose impersonation
    signal is about the AUTHOR; ``found`` is (item, decision, decision id) of the decisions just
    recorded. One open impersonation case per account at a time. Returns the audit events to write.

    Cheap on the worker's path: a decision without such a signal costs a scan of its signal records.
    """
    events: list[AuditEvent] = []
    for item, decision, decision_id in found:
        if item.author is None or not item.author.id or decision.category("impersonation") is None:
            continue
        entity = _author_impersonation(decision)
        if entity is None:
            continue
        _impersonation_case(tx, policy, item.platform or "", item.author,
                            origin=lambda _account, ref=decision_id: f"{IMPERSONATION}:{ref}", decision_id=decision_id,
                            entity=entity, evidence=(), now=now, actor=actor, events=events)
    return events


def _impersonation_case(tx: Tx, policy: Policy, platform: str, author: Account, *, origin: Any,
                        decision_id: int | None, entity: str, evidence: tuple[str, ...], now: float, actor: str,
                        events: list[AuditEvent]) -> int | None:
    """The account case an impersonation finding opens (the worker's and ``khien impersonation``'s):
    the account created if new, then a case unless one from an impersonation finding is still open.
    ``origin(n)`` names the case given how many such cases the account had. Returns the case id, or
    None when one is already open; the events to record are added to ``events``."""
    account = _ensure(tx, platform, author, reason="impersonation", actor=actor, when=iso(now), events=events)
    if any(c.origin.startswith(IMPERSONATION) for c in rows.open_cases_of(tx, platform, account.author_id)):
        return None
    case_id = _open_account_case(tx, policy, account, origin=origin(account), category="impersonation",
                                 decision_id=decision_id, now=now)
    if case_id is not None:
        events.append(AuditEvent(actor, f"case:{case_id}", ev.AccountCaseOpened(
            platform=platform, account=account.author_id, origin=IMPERSONATION, category="impersonation",
            entity=entity, decision=decision_id, evidence=evidence)))
    return case_id


@dataclass(frozen=True, slots=True)
class Finding:
    """An account a look-alike search flagged (``khien impersonation``): the account as the input
    line describes it (it must have an ``id``), the protected entity it imitates and the evidence,
    one line a reason (what field, what value, what it matched and why)."""

    account: Account
    entity: str
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FindingCases:
    """What :func:`impersonation_findings` did: the cases opened (ids, in input order) and the
    accounts skipped because an impersonation case on them is still open."""

    opened: tuple[int, ...]
    already_open: int


FINDING = f"{IMPERSONATION}:finding"  # cases opened from ``khien impersonation`` findings
MAX_EVIDENCE, MAX_EVIDENCE_CHARS = 20, 500  # the audit chain keeps what matched, not a dump of the input


def impersonation_findings(tx: Tx, policy: Policy, platform: str, findings: Sequence[Finding], *, actor: str,
                           clock: Clock = SYSTEM) -> FindingCases:
    """Open an account case (origin ``account:impersonation:finding:N``) on ``platform`` for each
    flagged account, with its entity and evidence in the ``account.case_opened`` event, as the worker
    does for engine decisions (:func:`impersonation_cases`): one open impersonation case per account
    at a time, priority severity × log(e + followers). The account record is created if new, else its
    name, followers and badge are updated from the finding (the platform's latest view). 422 a finding
    without an account id; an account named twice in ``findings`` gets one case."""
    now = clock.now()
    when = iso(now)
    events: list[AuditEvent] = []
    opened: list[int] = []
    already = 0

    def numbered(account: AccountRecord) -> str:
        return f"{FINDING}:{rows.count_cases_of(tx, platform, account.author_id, origin=FINDING) + 1}"

    for finding in findings:
        if not finding.account.id:
            raise InputError("a flagged account needs an 'id' to open a case on it", field="id")
        case_id = _impersonation_case(  # each finding case its own origin: numbered per account
            tx, policy, platform, finding.account, decision_id=None, entity=finding.entity,
            origin=numbered,
            evidence=tuple(e[:MAX_EVIDENCE_CHARS] for e in finding.evidence[:MAX_EVIDENCE]),
            now=now, actor=actor, events=events)
        if case_id is None:  # already open (or queued a moment ago by a concurrent run)
            already += 1
            continue
        opened.append(case_id)
    record_many(tx, events, time=when)
    return FindingCases(tuple(opened), already)


def _check_case_decision(policy: Policy, case: Case, action: str, clause: str | None,
                         duration_days: int | None) -> str | None:
    """Validate a decision on an account case; returns the category its clause names."""
    if action not in CASE_ACTIONS:
        raise InputError(f"field 'action' must be one of {', '.join(CASE_ACTIONS)} for an account case, "
                         f"found {action!r}", field="action")
    if duration_days is not None:
        if action not in (AccountAction.RESTRICT, AccountAction.SUSPEND):
            raise InputError(f"field 'duration_days' applies only to restrict and suspend, not to {action!r}",
                             field="duration_days")
        if not 1 <= duration_days <= MAX_DURATION_DAYS:
            raise InputError(f"field 'duration_days' must be between 1 and {MAX_DURATION_DAYS}, found {duration_days}",
                             field="duration_days")
    clauses = policy.clauses()
    if clause is None and action != Action.ALLOW and case.category in policy.categories:
        clause = policy.categories[case.category].clause  # the case's own category (impersonation)
    if clause is not None and clause not in clauses:
        raise InputError(f"unknown clause {clause!r}; valid clauses: {', '.join(sorted(clauses))}", field="clause")
    if clause is None and action != Action.ALLOW:
        raise InputError(f"field 'clause' is required for action '{action}': name the clause the account breaks; "
                         f"valid clauses: {', '.join(sorted(clauses))}", field="clause")
    return clauses.get(clause or "")


@dataclass(frozen=True, slots=True)
class _CaseOutcome:
    """What deciding an account case a given way would record: computed once, for the preview and
    for the decision itself, so the notice previewed is the notice sent."""

    account: AccountRecord
    category: str | None
    clause: str | None
    until: float | None
    items: tuple[str, ...]
    reasons: dict[str, str]


def _case_outcome(tx: Tx, policy: Policy, case: Case, *, action: str, clause: str | None, note: str | None,
                  duration_days: int | None, now: float) -> _CaseOutcome:
    category = _check_case_decision(policy, case, action, clause, duration_days)
    clause = policy.categories[category].clause if category else None
    account = rows.get_account(tx, case.platform, case.item_id)
    if account is None:  # an account case always has its account; say so plainly if not
        raise NotFoundError(f"{_name(case.platform, case.item_id)} of case {case.id} does not exist")
    under_review = item_rows.get_decision(tx, case.decision_id) if case.decision_id else None
    standing = rows.strikes_of(tx, account.id, removed=False)
    items = list(dict.fromkeys([s.item for s in active_strikes(policy, _policy_strikes(standing), now)]
                               + ([under_review.item_id] if under_review else [])))
    until = now + duration_days * DAY if duration_days is not None else None
    entity = _author_impersonation(under_review.decision) if under_review else None
    reasons = case_statement(policy, action, category=category, clause=clause, until=until,
                             duration_days=duration_days, items=items, entity=entity, note=note)
    return _CaseOutcome(account, category, clause, until, tuple(items), reasons)


def case_notice(tx: Tx, policy: Policy, case: Case, *, action: str, clause: str | None, note: str | None,
                duration_days: int | None, clock: Clock = SYSTEM) -> dict[str, str]:
    """The statement of reasons ``{"vi", "en"}`` that deciding the account ``case`` this way at
    ``clock.now()`` would send, word for word (the console's preview; nothing is written). The same
    422s and 404 as :func:`decide_case`."""
    return _case_outcome(tx, policy, case, action=action, clause=clause, note=note, duration_days=duration_days,
                         now=clock.now()).reasons


def decide_case(tx: Tx, policy: Policy, actor: Actor, case: Case, *, action: str, clause: str | None,
                note: str | None, duration_days: int | None, require_claim: bool, clock: Clock = SYSTEM) -> int:
    """A moderator decides an account case (the caller checked the case is open and claimed).
    Returns the account decision's id. 422 an action outside :data:`CASE_ACTIONS`, a duration on
    anything but restrict or suspend, a missing or unknown clause."""
    now = clock.now()
    when = iso(now)
    out = _case_outcome(tx, policy, case, action=action, clause=clause, note=note, duration_days=duration_days,
                        now=now)
    account, category, clause, until, items, reasons = (out.account, out.category, out.clause, out.until,
                                                        list(out.items), out.reasons)
    decision = account_decision(policy, case.item_id, action, reasons, categories=(category,) if category else (),
                                clause=clause)
    decision_id = _record(tx, policy, actor, case.platform, decision, source="case", source_ref=str(case.id),
                          category=category if action != Action.ALLOW else None, when=when)
    if not review_rows.close_case(tx, case.id, actor.name, now=now, decided_at=when, decision_id=decision_id,
                                  require_claim=require_claim):
        raise ConflictError(f"case {case.id} was decided by someone else a moment ago")
    if action != Action.ALLOW:
        rows.set_status(tx, account.id, status=AccountAction(action).status, until=until, decision_id=decision_id,
                        action_ts=now)
    record_many(tx, [AuditEvent(actor.name, account_subject(case.platform, case.item_id), ev.AccountDecided(
        platform=case.platform, account=case.item_id, decision=decision_id, action=action, source="case",
        clause=clause, until=iso(until) if until is not None else None, items=tuple(items), case=case.id))],
        time=when)
    _announce(tx, case.platform, case.item_id, decision, clock)
    return decision_id


# ---- appeals on account decisions ----------------------------------------------------------------

def submit_appeal(tx: Tx, actor: Actor, *, platform: str, author_id: str, statement: str,
                  clock: Clock = SYSTEM) -> Appeal:
    """The account holder appeals the account's latest account decision. 404 unknown account or no
    account decision; 409 the latest one takes no action, or an appeal is already open."""
    if not statement.strip():
        raise InputError("field 'statement' must say why the decision is wrong", field="statement")
    if rows.get_account(tx, platform, author_id) is None:
        raise NotFoundError(f"{_name(platform, author_id)} does not exist")
    latest = rows.account_decisions(tx, platform, author_id, limit=1)
    if not latest:
        raise NotFoundError(f"{_name(platform, author_id)} has no account decision to appeal")
    current = latest[0]
    if current.action == Action.ALLOW:
        raise ConflictError(f"{_name(platform, author_id)} is under no account action: there is nothing to appeal")
    if rows.open_appeal_of(tx, platform, author_id) is not None:
        raise ConflictError(f"{_name(platform, author_id)} already has an open appeal")
    when = iso(clock.now())
    appeal_id = review_rows.insert_appeal(tx, platform=platform, item_id=author_id, statement=statement,
                                          submitted_by=actor.name, original_decision_id=current.id,
                                          original_decider=current.decider, created_at=when)
    record_many(tx, [AuditEvent(actor.name, f"appeal:{appeal_id}", ev.AppealSubmitted(
        item=author_id, platform=platform, decision=current.id, action=current.action, category=current.category,
        automated=current.automated))], time=when)
    appeal = review_rows.get_appeal(tx, appeal_id)
    assert appeal is not None
    return appeal


def _led_to(policy: Policy, original: StoredDecision, standing: Sequence[StrikeRecord]) -> list[StrikeRecord]:
    """The standing strikes the ladder counted for ``original`` (none for a moderator's own decision)."""
    if original.source != STRIKES_SOURCE or not original.decision.rules:
        return []
    rule = next((r for r in policy.accounts.rules if r.id == original.decision.rules[0]), None)
    at = parse_iso(original.created_at)
    counted = {(s.decision_id, s.ts) for s in active_strikes(policy, _policy_strikes(standing), at)
               if rule is None or s.category in rule.categories}
    return [s for s in standing if (s.decision_id, s.created_ts) in counted]


def decide_appeal(tx: Tx, policy: Policy, actor: Actor, appeal: Appeal, original: StoredDecision, *,
                  outcome: str, note: str | None, action: str, clock: Clock = SYSTEM) -> None:
    """Decide an appeal against an account decision (the caller checked the state and the
    same-person rule). A reversal lifts the action (``action`` must be allow), removes the strikes that
    led to it and records the decision restoring the account."""
    now = clock.now()
    when = iso(now)
    account = rows.get_account(tx, appeal.platform, appeal.item_id)
    if account is None:
        raise NotFoundError(f"{_name(appeal.platform, appeal.item_id)} of appeal {appeal.id} does not exist")
    new_id = None
    new_action = original.action
    events: list[AuditEvent] = []
    if outcome == AppealOutcome.REVERSED:
        if action != Action.ALLOW:
            raise InputError(f"a reversal of an account decision lifts it: field 'action' must be 'allow', "
                             f"found {action!r}", field="action")
        gone = _led_to(policy, original, rows.strikes_of(tx, account.id, removed=False))
        decision = account_decision(policy, account.author_id, Action.ALLOW.value,
                                    lifted_statement(original.action, len(gone), note))
        new_id = _record(tx, policy, actor, account.platform, decision, source="appeal", source_ref=str(appeal.id),
                         category=None, when=when)
        new_action = Action.ALLOW.value
        _remove(tx, actor, account, gone, reason=f"appeal {appeal.id} reversed account decision {original.id}",
                appeal_id=appeal.id, when=when)
        if account.status_decision_id == original.id:
            rows.set_status(tx, account.id, status=AccountStatus.ACTIVE, until=None, decision_id=new_id,
                            action_ts=None)
        events.append(AuditEvent(actor.name, account_subject(account.platform, account.author_id), ev.AccountDecided(
            platform=account.platform, account=account.author_id, decision=new_id, action=new_action,
            source="appeal", items=tuple(s.item_id for s in gone), appeal=appeal.id)))
        _announce(tx, account.platform, account.author_id, decision, clock)
    if not review_rows.close_appeal(tx, appeal.id, outcome=outcome, decided_by=actor.name, note=note,
                                    decided_at=when, outcome_decision_id=new_id):
        raise ConflictError(f"appeal {appeal.id} was decided by someone else a moment ago")
    events.insert(0, AuditEvent(actor.name, f"appeal:{appeal.id}", ev.AppealDecided(
        item=appeal.item_id, platform=appeal.platform, subject=account_subject(appeal.platform, appeal.item_id),
        outcome=outcome, reversed=outcome == AppealOutcome.REVERSED, original_action=original.action,
        new_action=new_action, category=original.category, original_automated=original.automated, decision=new_id)))
    record_many(tx, events, time=when)
    outbox.publish(tx, "appeal", [{"platform": appeal.platform, "account": appeal.item_id, "appeal": {
        "id": appeal.id, "outcome": outcome, "reversed": outcome == AppealOutcome.REVERSED,
        "decided_by": actor.name, "decided_at": when, "original_action": original.action,
        "new_action": new_action}}], clock=clock)


# ---- reading -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CaseOpening:
    """How an account case was opened, as its ``account.case_opened`` event says: by whom, when,
    from where (``origin``), and why (the moderator's ``note`` for a case opened by hand; the
    ``entity`` and ``evidence`` of an impersonation finding)."""

    opened_by: str
    opened_at: str
    origin: str
    note: str | None
    entity: str | None
    evidence: tuple[str, ...]


def case_opening(tx: Tx, case_id: int) -> CaseOpening | None:
    """The opening of account case ``case_id`` (None when no ``account.case_opened`` event names it:
    an item case, or an event that no longer parses). ``cases`` keeps no note: the audit event is
    where a hand-opened case's note lives, written once with the case."""
    found = audit_rows.recent(tx, type=ev.AccountCaseOpened.type, subject=f"case:{case_id}", limit=1)
    event = StoredEvent.from_row(found[0], tolerant=True) if found else None
    if event is None or not isinstance(event.event, ev.AccountCaseOpened):
        return None
    opened = event.event
    return CaseOpening(opened_by=event.actor, opened_at=event.time, origin=opened.origin,
                       note=opened.note or None, entity=opened.entity, evidence=tuple(opened.evidence))


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account read at ``at``: the status in force, its strikes (active ones counted by the
    policy at ``at``), and its history on its platform only."""

    account: AccountRecord
    at: float
    strikes: tuple[StrikeRecord, ...]
    active: frozenset[int]  # ids of the strikes that count at ``at``
    decisions: tuple[StoredDecision, ...]  # account decisions, newest first
    item_decisions: tuple[console_rows.HistoryRow, ...]  # decisions on the author's items, newest first
    open_cases: tuple[Case, ...]
    appeals: tuple[Appeal, ...]

    def public(self) -> dict[str, Any]:
        a = self.account
        return a.public(self.at) | {
            "strikes": {
                "active": [s.public(active=True) for s in self.strikes if s.id in self.active],
                "weight": sum(s.weight for s in self.strikes if s.id in self.active),
                "expired": [s.public(active=False) for s in self.strikes if not s.removed and s.id not in self.active],
                "removed": [s.public(active=False) for s in self.strikes if s.removed],
            },
            "history": {
                "account_decisions": [d.summary() | {"reasons": dict(d.decision.reasons), "rules": list(d.decision.rules)}
                                      for d in self.decisions],
                "item_decisions": [{"id": h.id, "item": h.item_id, "action": h.action, "category": h.category,
                                    "automated": h.automated, "source": h.source, "created_at": h.created_at}
                                   for h in self.item_decisions],
                "open_cases": [c.public(self.at) for c in self.open_cases],
                "appeals": [p.public() for p in self.appeals],
            },
        }


def get_account(tx: Tx, policy: Policy, platform: str, author_id: str, *, clock: Clock = SYSTEM,
                history: int = 100) -> AccountView:
    """An account with its standing and history on ``platform``. 404 naming it when unknown."""
    account = rows.get_account(tx, platform, author_id)
    if account is None:
        raise NotFoundError(f"{_name(platform, author_id)} does not exist",
                            hint="An account is recorded when it gets a strike, a case or an impersonation finding.")
    now = clock.now()
    strikes = rows.strikes_of(tx, account.id)
    standing = [s for s in strikes if not s.removed]
    counted = {(s.decision_id, s.ts) for s in active_strikes(policy, _policy_strikes(standing), now)}
    active = frozenset(s.id for s in standing if (s.decision_id, s.created_ts) in counted)
    return AccountView(
        account=account, at=now, strikes=tuple(strikes), active=active,
        decisions=tuple(rows.account_decisions(tx, platform, author_id, limit=history)),
        item_decisions=tuple(console_rows.author_history(tx, platform=platform, author_id=author_id, exclude_item="",
                                                         limit=history)),
        open_cases=tuple(rows.open_cases_of(tx, platform, author_id)),
        appeals=tuple(rows.appeals_of(tx, platform, author_id, limit=history)),
    )


def list_accounts(tx: Tx, *, status: str | None = None, platform: str | None = None, limit: int = 50,
                  offset: int = 0, clock: Clock = SYSTEM) -> list[AccountRecord]:
    """Accounts by the status in force now, most followed first."""
    if status is not None and status not in values(AccountStatus):
        raise InputError(f"status must be one of {', '.join(values(AccountStatus))}, found {status!r}", field="status")
    return rows.list_accounts(tx, now=clock.now(), status=AccountStatus(status) if status else None,
                              platform=platform, limit=limit, offset=offset)
