"""Coordinated campaigns in review: record the detector's clusters, open one case per campaign,
and decide a campaign's members together.

- :func:`record_campaigns` upserts each cluster (by its stable key) and its listed members, and opens
  ONE campaign case (``cases.subject_kind`` 'campaign', ``item_id`` the key, origin ``campaign``) the
  first time a cluster is a campaign; later calls update the stored cluster and the open case's
  priority. The same clusters recorded twice change nothing. Two writers opening the same campaign's
  case at once: the unique constraint keeps one, and the second joins it (as report intake does).
- :func:`decide_campaign` applies a moderator's action to every member item stored here, each
  through the path a single case's item takes (``cases.record_item_decision`` + ``cases.item_decided``):
  each member gets its own decision, its own statement of reasons naming the campaign and carrying the
  moderator's reason, its own webhook notice and strike, and may be appealed on its own. One
  ``campaign.member_decided`` audit event per member, one ``campaign.decided`` for the case. Members
  already under the action are skipped, so re-running decides only what is left.
- :func:`preview` says how many items and distinct accounts a decision touches, and how many already
  carry the action.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..campaigns.records import Cluster
from ..clock import SYSTEM, Clock, iso, parse_iso
from ..enums import Action, CaseOrigin, CaseState, Role, SubjectKind
from ..errors import ConflictError, InputError, NotFoundError
from ..policy import Policy
from ..store import Store, Tx
from ..store import campaigns as rows
from ..store import items as item_rows
from ..store import review as review_rows
from ..store.records import Case, NewCase, StoredDecision
from ..store.records_campaigns import CampaignRecord, CampaignRef, CampaignRow, MemberRecord
from .actor import Actor
from .cases import item_decided, record_item_decision
from .decisions import human_decision, item_subject, priority_base

__all__ = ["record_campaigns", "record_in", "decide_campaign", "decide_in", "preview", "get_campaign",
           "campaign_cases", "statement_note", "CampaignRef", "CampaignRecord", "CampaignView", "MemberView",
           "Preview", "Outcome", "ACTIONS", "ORIGIN", "REASON_MAX"]

ORIGIN = CaseOrigin.CAMPAIGN.value
# What a moderator can do to a campaign's items: what they can do to one item in a case, except
# "review" (a campaign case is already the review).
ACTIONS: tuple[str, ...] = (Action.REMOVE.value, Action.LABEL.value, Action.ALLOW.value)
REASON_MAX = 2000
SCAM = "scam"  # the policy category whose removal confirms a campaign as a scam campaign


# ---- recording the detector's clusters -----------------------------------------------------------

def _row(platform: str, cluster: Cluster) -> CampaignRow:
    return CampaignRow(platform=platform, key=cluster.key, campaign=bool(cluster.campaign),
                       first_seen=float(cluster.first_seen), last_seen=float(cluster.last_seen),
                       size=int(cluster.size), accounts=tuple(cluster.accounts), signals=tuple(cluster.signals),
                       shared_entities=tuple(cluster.shared_entities),
                       timeline=tuple((float(t), int(n)) for t, n in cluster.timeline),
                       score=round(float(cluster.score), 6), sample=cluster.sample)


def _priority(row: CampaignRow) -> tuple[int, int, float]:
    """(severity, reach, priority base) of a campaign case: a higher score weighs like a graver
    category (1..5), the cluster's size like an item's reach."""
    severity = 1 + int(round(max(0.0, min(1.0, row.score)) * 4))
    return severity, row.size, priority_base(severity, row.size)


def _member(tx: Tx, platform: str, key: str, item_id: str) -> MemberRecord:
    """A new member, with its author and time from the stored item when there is one."""
    stored = item_rows.get_item(tx, platform, item_id)
    account, ts = None, None
    if stored is not None:
        try:
            content = stored.content()
        except Exception:  # noqa: BLE001 - a body that no longer parses is the worker's to quarantine
            content = {}
        author = content.get("author") or {}
        account = str(author["id"]) if author.get("id") is not None else None
        created = content.get("created_at")
        try:
            ts = parse_iso(created) if isinstance(created, str) else None
        except ValueError:
            ts = None
    return MemberRecord(platform=platform, key=key, item_id=item_id, account=account, ts=ts)


def _open_case(tx: Tx, row: CampaignRow, actor: str, now: float) -> tuple[Case, bool]:
    """The campaign's case, opened now if it has none (True); a concurrent writer's case is joined."""
    found = rows.campaign_case(tx, row.platform, row.key, origin=ORIGIN)
    if found is not None:
        return found, False
    severity, reach, base = _priority(row)
    new = NewCase(platform=row.platform, item_id=row.key, origin=ORIGIN, category=None,
                  proposed_action=Action.REVIEW.value, decision_id=None, severity=severity, reach=reach,
                  priority_base=base, created_at=iso(now), created_ts=now, item_version=0,
                  subject_kind=SubjectKind.CAMPAIGN)
    opened = review_rows.insert_cases(tx, [new])
    found = rows.campaign_case(tx, row.platform, row.key, origin=ORIGIN)
    if found is None:  # pragma: no cover - the unique constraint kept another writer's case, which we read
        raise ConflictError(f"campaign {row.key} was being opened at the same moment; record it again")
    if not opened:
        return found, False
    record_many(tx, [AuditEvent(actor, f"case:{found.id}", ev.CampaignCaseOpened(
        platform=row.platform, campaign=row.key, size=row.size, accounts=len(row.accounts),
        score=row.score, signals=row.signals))], time=iso(now))
    return found, True


def record_in(tx: Tx, platform: str, clusters: Sequence[Cluster], *, clock: Clock = SYSTEM,
              actor: str = "system:campaigns") -> list[CampaignRef]:
    """:func:`record_campaigns` in the caller's transaction."""
    now = clock.now()
    out: list[CampaignRef] = []
    for cluster in clusters:
        row = _row(platform or "", cluster)
        _stored, changed = rows.upsert_campaign(tx, row, updated_at=iso(now))
        known = rows.member_ids(tx, row.platform, row.key)
        fresh = [_member(tx, row.platform, row.key, i) for i in dict.fromkeys(cluster.members) if i not in known]
        changed = rows.add_members(tx, fresh) > 0 or changed
        case_id, opened = None, False
        if row.campaign:
            case, opened = _open_case(tx, row, actor, now)
            case_id = case.id
            if not opened and case.state == CaseState.OPEN:
                severity, reach, base = _priority(row)
                rows.reprioritise_case(tx, case.id, severity=severity, reach=reach, priority_base=base)
        out.append(CampaignRef(platform=row.platform, key=row.key, campaign=row.campaign, case_id=case_id,
                               opened=opened, changed=changed or opened))
    return out


def record_campaigns(store: Store, platform: str, clusters: Sequence[Cluster], *, clock: Clock = SYSTEM,
                     actor: str = "system:campaigns") -> list[CampaignRef]:
    """Upsert each cluster (by cluster.key) and its listed members; open ONE campaign case per
    campaign (cluster.campaign true) the first time; update size/accounts/timeline/signals/score
    later. Idempotent: the same clusters recorded twice change nothing the second time."""
    with store.write() as tx:
        return record_in(tx, platform, clusters, clock=clock, actor=actor)


# ---- reading a campaign --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MemberView:
    """A member item as the campaign page shows it: its text (None when the item is not stored) and
    the decision in force on it."""

    item_id: str
    account: str | None
    ts: float | None
    text: str | None
    decision: StoredDecision | None


@dataclass(frozen=True, slots=True)
class CampaignView:
    campaign: CampaignRecord
    case: Case | None
    members: tuple[MemberView, ...]

    @property
    def stored(self) -> tuple[MemberView, ...]:
        """The members with an item row here: the ones a bulk decision can decide."""
        return tuple(m for m in self.members if m.text is not None)


def _load(tx: Tx, platform: str, key: str) -> CampaignRecord:
    found = rows.get_campaign(tx, platform, key)
    if found is None:
        raise NotFoundError(f"campaign {key!r}{' on ' + platform if platform else ''} does not exist")
    return found


def get_campaign(tx: Tx, platform: str, key: str, *, clock: Clock = SYSTEM) -> CampaignView:
    """A stored campaign with its case and members (each member's stored text and decision in force).
    404 unknown campaign."""
    campaign = _load(tx, platform, key)
    members = []
    for m in rows.members_of(tx, platform, key):
        stored = item_rows.get_item(tx, platform, m.item_id)
        text, account = None, m.account
        if stored is not None:
            try:
                content = stored.content()
            except Exception:  # noqa: BLE001 - an unparsable body shows as stored without text
                content = {}
            text = str(content.get("text", ""))
            author = content.get("author") or {}
            account = account or (str(author["id"]) if author.get("id") is not None else None)
        members.append(MemberView(item_id=m.item_id, account=account, ts=m.ts, text=text,
                                  decision=item_rows.latest_decision(tx, platform, m.item_id) if stored else None))
    return CampaignView(campaign=campaign, case=rows.campaign_case(tx, platform, key, origin=ORIGIN),
                        members=tuple(members))


def campaign_cases(tx: Tx, found: Sequence[tuple[int, str, str]]) -> dict[int, CampaignRecord]:
    """The campaign each of ``found`` ((case id, platform, item id) of queue rows) is about, by case
    id; rows that are not campaign cases are absent (their item id is not a stored key)."""
    out: dict[int, CampaignRecord] = {}
    for case_id, platform, item_id in found:
        if not item_id.startswith("cmp-"):
            continue
        campaign = rows.get_campaign(tx, platform, item_id)
        if campaign is not None:
            out[case_id] = campaign
    return out


# ---- the bulk decision ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Preview:
    """What deciding a campaign with ``action`` touches: member items stored here, their distinct
    accounts, how many already carry the action by a person's decision (skipped), and members not stored (not decided)."""

    action: str
    items: int
    accounts: int
    already: int
    missing: int

    @property
    def to_decide(self) -> int:
        return self.items - self.already


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a bulk decision did: the case, the new decisions by member item, the members skipped."""

    platform: str
    key: str
    case_id: int
    action: str
    decided: tuple[tuple[str, int], ...]  # (item id, decision id)
    skipped: tuple[str, ...]
    accounts: int
    confirmed_scam: bool = False  # a removal under the scam clause: the engine's stage should know


def _check(action: str, reason: str) -> str:
    if action not in ACTIONS:
        raise InputError(f"field 'action' must be one of {', '.join(ACTIONS)}, found {action!r}", field="action")
    reason = (reason or "").strip()
    if not reason:
        raise InputError("field 'reason' is required: say why every member of the campaign gets this decision "
                         "(each member's statement of reasons carries it)", field="reason")
    if len(reason) > REASON_MAX:
        raise InputError(f"field 'reason' must be at most {REASON_MAX} characters", field="reason")
    return reason


def _targets(view: CampaignView, action: str) -> tuple[list[MemberView], list[MemberView]]:
    """(to decide, already under ``action``) among the stored members. Only a person's decision counts
    as already decided: a member the engine removed on its own still gets the moderator's decision
    (the statement naming the campaign, the strike an upheld removal gives)."""
    todo, done = [], []
    for m in view.stored:
        d = m.decision
        (done if d is not None and d.action == action and not d.automated else todo).append(m)
    return todo, done


def preview(tx: Tx, platform: str, key: str, action: str) -> Preview:
    """How many items and distinct accounts deciding the campaign with ``action`` touches, and how many
    already carry it. 404 unknown campaign, 400 unknown action."""
    if action not in ACTIONS:
        raise InputError(f"field 'action' must be one of {', '.join(ACTIONS)}, found {action!r}", field="action")
    view = get_campaign(tx, platform, key)
    _todo, done = _targets(view, action)
    return Preview(action=action, items=len(view.stored),
                   accounts=len({m.account for m in view.stored if m.account}), already=len(done),
                   missing=len(view.members) - len(view.stored))


def statement_note(key: str, reason: str) -> str:
    """The note each member's statement of reasons carries: the campaign's name and the moderator's reason."""
    return f"Bài viết thuộc chiến dịch phối hợp {key} (coordinated campaign {key}). {reason}"


def decide_in(tx: Tx, policy: Policy, key: str, action: str, reason: str, moderator: Actor, *,
              clause: str | None = None, platform: str = "", clock: Clock = SYSTEM) -> Outcome:
    """:func:`decide_campaign` in the caller's transaction."""
    reason = _check(action, reason)
    human_decision(policy, key, action, clause, None, None)  # a bad clause is refused even with nothing to decide
    now = clock.now()
    when = iso(now)
    view = get_campaign(tx, platform, key, clock=clock)
    case = view.case
    if case is None:
        raise NotFoundError(f"campaign {key!r} has no case (the detector did not find coordination in it)")
    holds = case.live_claimant(now) == moderator.name
    if case.state == CaseState.OPEN and not holds and moderator.role != Role.ADMIN:
        holder = case.live_claimant(now)
        raise ConflictError(f"case {case.id} must be claimed by you before you decide it"
                            + (f"; it is claimed by {holder}" if holder else ""),
                            hint=f"POST /v1/cases/{case.id}/claim first.")
    note = statement_note(key, reason)
    todo, done = _targets(view, action)
    decided: list[tuple[str, int]] = []
    accounts: set[str] = set()
    events: list[AuditEvent] = []
    for member in todo:
        stored = item_rows.get_item(tx, platform, member.item_id)
        if stored is None:  # pragma: no cover - read in this same transaction
            continue
        content = stored.content()
        made = record_item_decision(
            tx, policy, moderator, platform=platform, item_id=member.item_id, item_version=stored.version,
            action=action, clause=clause, note=note,
            original=member.decision.decision if member.decision else None,
            created_at=content.get("created_at"), source_type="SOURCE_VOLUNTARY", source="campaign",
            source_ref=f"{case.id}:{action}", clock=clock)
        if made is None:  # this member already got this campaign's decision (a concurrent run)
            continue
        item_decided(tx, policy, moderator, made, clock=clock)
        decided.append((member.item_id, made.id))
        if member.account:
            accounts.add(member.account)
        events.append(AuditEvent(moderator.name, item_subject(platform, member.item_id), ev.CampaignMemberDecided(
            platform=platform, item=member.item_id, campaign=key, case=case.id, decision=made.id, action=action,
            clause=made.decision.clause, category=made.category, item_version=stored.version)))
    if case.state == CaseState.OPEN and not rows.close_campaign_case(
            tx, case.id, moderator.name, decided_at=when, decision_id=decided[0][1] if decided else None,
            require_claim=holds, now=now):
        raise ConflictError(f"case {case.id} was decided by someone else a moment ago")
    clause_used = None if action == Action.ALLOW else clause
    events.append(AuditEvent(moderator.name, f"case:{case.id}", ev.CampaignDecided(
        platform=platform, campaign=key, action=action, clause=clause_used, decided=len(decided),
        skipped=len(done), accounts=len(accounts))))
    record_many(tx, events, time=when)
    confirmed = action == Action.REMOVE and bool(decided) and policy.clauses().get(clause or "") == SCAM
    if confirmed:
        rows.mark_confirmed_scam(tx, platform, key, updated_at=when)
    return Outcome(platform=platform, key=key, case_id=case.id, action=action, decided=tuple(decided),
                   confirmed_scam=confirmed,
                   skipped=tuple(m.item_id for m in done), accounts=len(accounts))


def decide_campaign(store: Store, key: str, action: str, reason: str, moderator: Actor, clock: Clock = SYSTEM, *,
                    policy: Policy, clause: str | None = None, platform: str = "") -> Outcome:
    """Apply ``action`` (remove, label, allow) to every member item of campaign ``key`` stored here,
    each as its own decision (see the module). ``reason`` is required; ``clause`` as for one item
    (required unless allow). The campaign case closes (the moderator must hold its claim, admins
    excepted); re-running skips members already under the action. One transaction."""
    with store.write() as tx:
        return decide_in(tx, policy, key, action, reason, moderator, clause=clause, platform=platform, clock=clock)
