"""Items in, engine decisions recorded: the path of ``POST /v1/moderate``, ``POST /v1/items`` and the worker.

An engine decision is recorded at most once per (platform, item id, item version, policy version):
the ``decisions`` table has that uniqueness, and everything that follows a decision (its case, its
audit event, its webhook) is written only for rows that insert actually added, in the same
transaction. A worker that dies half-way and re-runs a batch therefore changes nothing twice.

Edits are versions (:mod:`khien.review.versions`): an item sent again with other content is stored
as its next version and decided again; every decision names the stored version whose text it is
about, so no decision is ever recorded against text that is not stored.

Items the worker cannot decide (the engine raises on them, their stored body no longer parses, or
writing their decision fails) are quarantined: status ``failed`` with the error, an ``item.failed``
audit event, and the rest of the batch is decided. An admin lists them and retries them
(:func:`failed_items`, :func:`retry`); nothing is retried for ever on its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..audit import AuditEvent, record_many
from ..audit import events as ev
from ..clock import SYSTEM, Clock, iso
from ..engine import Engine
from ..errors import ConflictError, NotFoundError
from ..enums import Action, CaseOrigin, ItemStatus
from ..model import Decision, Item
from ..policy import Policy
from ..store import Store, Tx
from ..store import items as item_rows
from ..store import review as review_rows
from ..store.db import StoreError
from ..store.records import NewCase, StoredItem
from . import accounts, lifecycle, outbox
from . import campaigns as campaign_cases
from .leases import LeaseKeeper
from .actor import Actor
from .decisions import item_subject, new_decision, priority_base
from .versions import MAX_REACH, Outcome, store_items

CAMPAIGN_FACT = "campaign"  # the campaign.member signal's fact naming the campaign (its key)
from .views import ItemState, QuarantinedItem

__all__ = ["CampaignLookup", "campaign_lookup", "key_of", "moderate", "moderate_many", "ingest", "record_engine_decisions", "decide_pending",
           "item_state", "failed_items", "retry", "IngestResult", "Moderated", "ItemState", "QuarantinedItem",
           "CASE_ACTIONS", "ENGINE_ACTOR", "MAX_ERROR_CHARS", "worker_id", "DEFAULT_LEASE_S"]

log = logging.getLogger("khien.worker")

CASE_ACTIONS = (Action.REVIEW, Action.REMOVE)  # what a person must look at (review) or may want to check (remove)
MAX_ERROR_CHARS = 2000  # a quarantined item keeps this much of its error
ENGINE_ACTOR = "system:engine"


def key_of(item: Item) -> tuple[str, str]:
    return (item.platform or "", item.id)


def record_engine_decisions(tx: Tx, policy: Policy, pairs: Sequence[tuple[Item, Decision]], *,
                            versions: Sequence[int] | None = None, clock: Clock = SYSTEM,
                            campaigns: CampaignLookup | None = None) -> set[tuple[str, str, int]]:
    """Record engine decisions (skipping any already recorded), open their cases, audit and announce them.

    ``versions`` gives, for each pair, the stored version of the item whose text was decided; when
    omitted, each item's current version is read (one query). ``campaigns`` (``engine.campaign``)
    looks up the campaigns the decisions name (``campaign.member``): each is recorded with its
    members, and a campaign case opened once (:func:`khien.review.campaigns.record_in`). Returns the
    (platform, item id, version) keys whose decision this call added.
    """
    now = clock.now()
    when = iso(now)
    if versions is None:
        heads = item_rows.item_heads(tx, list(dict.fromkeys(key_of(i) for i, _ in pairs)))
        versions = [heads[key_of(i)].version if key_of(i) in heads else 1 for i, _ in pairs]
    rows = [new_decision(policy, d, key_of(i)[0], item_version=v, source="engine", actor=None, created_at=when)
            for (i, d), v in zip(pairs, versions)]
    new_ids = item_rows.insert_decisions(tx, rows)
    if not new_ids:
        return set()
    events: list[AuditEvent] = []
    new_cases: list[NewCase] = []
    announced: list[dict[str, Any]] = []
    announce = outbox.wants(tx, "decision")
    for (item, decision), row in zip(pairs, rows):
        key = key_of(item)
        versioned = (*key, row.item_version)
        if versioned not in new_ids:
            continue
        category = row.category
        events.append(AuditEvent(ENGINE_ACTOR, item_subject(*key), ev.DecisionAutomated(
            decision=new_ids[versioned], action=decision.action, category=category,
            categories=tuple(c.name for c in decision.categories), rules=tuple(decision.rules),
            policy=decision.policy, item_version=row.item_version,
        )))
        if announce:
            announced.append({"platform": key[0], "item": key[1], "decision": decision.to_dict()})
        if decision.action in CASE_ACTIONS:
            severity = policy.categories[category].severity if category in policy.categories else 1
            new_cases.append(NewCase(
                platform=key[0], item_id=key[1], origin=f"{CaseOrigin.ENGINE.value}:{decision.policy}",
                category=category, proposed_action=decision.action, decision_id=new_ids[versioned],
                severity=severity, reach=min(item.reach_total, MAX_REACH),
                # a rule's `priority` (e.g. campaign.member) raises the case whichever rule set the action
                priority_base=priority_base(severity, item.reach_total) * policy.priority_factor(decision.rules),
                created_at=when, created_ts=now, item_version=row.item_version,
            ))
    # an impersonation signal about the AUTHOR opens an account case (cheap: a scan of signal records)
    events += accounts.impersonation_cases(
        tx, policy, [(item, decision, new_ids[(*key_of(item), row.item_version)]) for (item, decision), row
                     in zip(pairs, rows) if (*key_of(item), row.item_version) in new_ids],
        now=now, actor=ENGINE_ACTOR)
    for case_id, case in review_rows.insert_cases(tx, new_cases).items():
        events.append(AuditEvent(ENGINE_ACTOR, f"case:{case_id}", ev.CaseOpened(
            item=case.item_id, platform=case.platform, category=case.category,
            proposed_action=case.proposed_action, origin=case.origin,
        )))
    record_many(tx, events, time=when)
    outbox.publish(tx, "decision", announced, clock=clock)
    if campaigns is not None:
        _record_campaigns(tx, pairs, campaigns, clock)
    return set(new_ids)


CampaignLookup = Callable[[str], Any]  # campaign key -> its Cluster, or None


def campaign_lookup(engine: Any) -> CampaignLookup | None:
    """``engine.campaign`` when the engine has one (an engine-like wrapper may not)."""
    return getattr(engine, "campaign", None)


def _record_campaigns(tx: Tx, pairs: Sequence[tuple[Item, Decision]], lookup: CampaignLookup, clock: Clock) -> None:
    """Record the campaigns these decisions name, per platform, as the engine's stage last saw them."""
    named: dict[str, dict[str, Any]] = {}  # platform -> key -> cluster
    for item, decision in pairs:
        fact = decision.facts.get(CAMPAIGN_FACT)
        key = fact.get("label") if isinstance(fact, dict) else None
        if isinstance(key, str):
            cluster = lookup(key)
            if cluster is not None:
                named.setdefault(key_of(item)[0], {})[key] = cluster
    for platform, clusters in named.items():
        campaign_cases.record_in(tx, platform, list(clusters.values()), clock=clock)


@dataclass(frozen=True, slots=True)
class Moderated:
    """The answer to one item sent to ``POST /v1/moderate``: the decision in force on the version
    its content is, whether this call made that decision, and the version (``Khien-Item-Version``)."""

    decision: Decision
    created: bool
    version: int


def moderate_many(tx: Tx, policy: Policy, pairs: Sequence[tuple[Item, Decision]], *,
                  clock: Clock = SYSTEM, campaigns: CampaignLookup | None = None) -> list[Moderated]:
    """Record engine decisions made now for items sent to ``POST /v1/moderate``, in one transaction.

    Each item is stored first (:func:`khien.review.versions.store_items`): new (version 1), a new
    version of a stored item (other content), or a replay of its current version. A new item or a
    new version takes this decision, against that version, in this transaction. A replay gets the
    decision in force on that version; when it has none (stored by ``POST /v1/items``, not decided
    yet) it takes this decision, since the content decided is the content stored. The same content
    twice in one call gets one decision; the same id with two contents gets two versions.
    ``campaigns``: see :func:`record_engine_decisions`.
    """
    when = iso(clock.now())
    stored, edits = store_items(tx, [item for item, _ in pairs], ItemStatus.DECIDED, when)
    replays = [s.versioned for s in stored if s.outcome == Outcome.REPLAY]
    current = item_rows.decisions_in_force(tx, list(dict.fromkeys(replays)))
    first: dict[tuple[str, str, int], int] = {}
    for n, s in enumerate(stored):
        if s.versioned not in current:
            first.setdefault(s.versioned, n)
    if edits:
        record_many(tx, edits, time=when)
    added = record_engine_decisions(tx, policy, [pairs[n] for n in first.values()],
                                    versions=[stored[n].version for n in first.values()], clock=clock,
                                    campaigns=campaigns)
    # replays of items stored by POST /v1/items and still pending: decided now, on the version read
    item_rows.mark_decided(tx, [(stored[n].pk, stored[n].version) for n in first.values()
                                if stored[n].outcome == Outcome.REPLAY and stored[n].pk is not None])
    out: list[Moderated] = []
    for n, s in enumerate(stored):
        if s.versioned in current:
            out.append(Moderated(current[s.versioned].decision, False, s.version))
        else:
            n0 = first[s.versioned]
            out.append(Moderated(pairs[n0][1], n0 == n and s.versioned in added, s.version))
    return out


def moderate(store: Store, engine: Engine, item: Item, actor: Actor, *, clock: Clock = SYSTEM) -> Moderated:
    """Decide one item now. The same (platform, id) and content again returns the decision in force
    on that version, unchanged; other content is a new version, decided now."""
    decision = engine.decide(item)
    with store.write() as tx:
        return moderate_many(tx, engine.policy, [(item, decision)], clock=clock, campaigns=campaign_lookup(engine))[0]


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What a batch did: how many items were new, how many were new versions of stored items
    (``edited``), and how many repeated the current version of an item (``duplicates``)."""

    accepted: int
    duplicates: int
    edited: int = 0

    def public(self) -> dict[str, int]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "edited": self.edited}


def ingest(tx: Tx, items: Sequence[Item], actor: Actor, *, clock: Clock = SYSTEM) -> IngestResult:
    """Store a batch for the worker: new items, and new versions of stored items whose content
    changed (those go back to ``pending``); the current content again is a duplicate.

    ``public()`` of the result is the API's response body (``{"accepted", "duplicates", "edited"}``).
    """
    when = iso(clock.now())
    stored, events = store_items(tx, items, ItemStatus.PENDING, when, actor=actor.name)
    new = [s.key for s in stored if s.outcome == Outcome.NEW]
    if new:
        events.insert(0, AuditEvent(actor.name, f"batch:{len(new)}", ev.ItemsReceived(
            count=len(new), items=tuple(sorted(f"{p}:{i}" if p else i for p, i in new)),
        )))
    if events:
        record_many(tx, events, time=when)
    edited = len(stored) - len(new) - sum(s.outcome == Outcome.REPLAY for s in stored)
    return IngestResult(len(new), len(items) - len(new) - edited, edited)


# ---- the worker's path, with quarantine ----------------------------------------------------------

def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def _decide_isolating(engine: Engine, batch: Sequence[tuple[StoredItem, Item]],
                      failures: dict[int, str]) -> list[tuple[StoredItem, Item, Decision]]:
    """Decide a batch; when the engine raises, halve the batch until the item(s) that raise are alone.

    A poisoned item costs about log2(batch) extra engine calls; the others are decided as usual.
    """
    if not batch:
        return []
    try:
        decisions = engine.decide_batch([item for _, item in batch])
    except Exception as exc:  # noqa: BLE001 - any engine error on an item quarantines that item
        if len(batch) == 1:
            failures[batch[0][0].pk] = _describe(exc)
            return []
        mid = len(batch) // 2
        return _decide_isolating(engine, batch[:mid], failures) + _decide_isolating(engine, batch[mid:], failures)
    return [(stored, item, d) for (stored, item), d in zip(batch, decisions)]


def _quarantine(tx: Tx, stored: StoredItem, error: str, when: str) -> None:
    lifecycle.move(lifecycle.ITEM_MOVES, f"item {stored.item_id!r}", stored.status, "fail")
    attempts = item_rows.mark_failed(tx, stored.pk, error, version=stored.version)
    if attempts is None:  # decided meanwhile (by POST /v1/moderate), or edited: nothing to quarantine
        return
    log.warning("item %s quarantined: %s", item_subject(stored.platform, stored.item_id), error)
    record_many(tx, [AuditEvent(ENGINE_ACTOR, item_subject(stored.platform, stored.item_id),
                                ev.ItemFailed(error=error, attempts=attempts))], time=when)


def _write(store: Store, policy: Policy, decided: Sequence[tuple[StoredItem, Item, Decision]],
           failed: Sequence[tuple[StoredItem, str]], clock: Clock, campaigns: CampaignLookup | None = None) -> None:
    with store.write() as tx:
        # each decision is about the version the worker read; the item is marked decided only where
        # that is still its current version (an edit that arrived meanwhile stays pending)
        record_engine_decisions(tx, policy, [(item, d) for _, item, d in decided],
                                versions=[stored.version for stored, _, _ in decided], clock=clock,
                                campaigns=campaigns)
        item_rows.mark_decided(tx, [(stored.pk, stored.version) for stored, _, _ in decided])
        when = iso(clock.now())
        for stored, error in failed:
            _quarantine(tx, stored, error, when)


DEFAULT_LEASE_S = 300.0


def worker_id() -> str:
    """A name for this worker unique across hosts and restarts: ``host:pid:random``."""
    import os
    import socket
    import uuid

    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def decide_pending(store: Store, engine: Engine, limit: int = 500, *, max_bytes: int | None = None,
                   clock: Clock = SYSTEM, owner: str | None = None, lease_s: float = DEFAULT_LEASE_S) -> int:
    """Decide up to ``limit`` waiting items; returns how many were handled (decided or quarantined).

    The batch is first leased to ``owner`` (default: a fresh :func:`worker_id`) for ``lease_s``
    seconds of ``clock`` in its own write transaction, so several workers, in one process or many,
    on one host or many, take disjoint batches; items whose lease expired (their worker was killed)
    are claimed again. The lease is renewed every third of ``lease_s`` while the batch is decided
    (:class:`~khien.review.leases.LeaseKeeper`), so a slow batch is not taken over by another
    worker while its own is alive.

    ``max_bytes`` also bounds the batch by the size of the stored item JSON (the setting
    ``worker_batch_bytes``), so the worker's memory follows the bytes it decides, not the count;
    a batch always holds at least one item, however large.

    Reading, deciding and writing are separate steps on purpose: the engine runs outside any
    transaction, and the write is idempotent, so a crash anywhere leaves nothing half-done. When
    the batch's write fails, each item is written alone and an item whose own write fails is
    quarantined, so one bad item never blocks the others. A database that cannot be reached
    (:class:`StoreError`) quarantines nothing: the error goes up and the worker tries again later.
    """
    owner = owner or worker_id()
    with store.write() as tx:
        pending = item_rows.claim_pending(tx, owner, limit, now=clock.now(), lease_s=lease_s, max_bytes=max_bytes)
    if not pending:
        return 0
    with LeaseKeeper(store, owner, [stored.pk for stored in pending], lease_s=lease_s, clock=clock):
        _decide_and_write(store, engine, pending, clock)
    return len(pending)


def _decide_and_write(store: Store, engine: Engine, pending: Sequence[StoredItem], clock: Clock) -> None:
    failures: dict[int, str] = {}
    parsed: list[tuple[StoredItem, Item]] = []
    for stored in pending:
        try:
            parsed.append((stored, stored.item()))
        except Exception as exc:  # noqa: BLE001 - a body that no longer parses is this item's problem only
            failures[stored.pk] = _describe(exc)
    decided = _decide_isolating(engine, parsed, failures)
    failed = [(stored, failures[stored.pk]) for stored in pending if stored.pk in failures]
    try:
        _write(store, engine.policy, decided, failed, clock, campaign_lookup(engine))
    except StoreError:
        raise
    except Exception:  # noqa: BLE001 - find the item(s) whose write fails, one transaction each
        for one in decided:
            try:
                _write(store, engine.policy, [one], [], clock, campaign_lookup(engine))
            except StoreError:
                raise
            except Exception as exc:  # noqa: BLE001
                _write(store, engine.policy, [], [(one[0], _describe(exc))], clock)
        for stored, error in failed:
            _write(store, engine.policy, [], [(stored, error)], clock)


# ---- reading items, and the admin's retry --------------------------------------------------------

def item_state(tx: Tx, platform: str, item_id: str, version: int | None = None) -> ItemState | None:
    """An item as stored: its current version (or version ``version``), the decision in force on
    that version, and the list of its versions, each with its decision (None when the item is not
    stored; 404 naming the version when the item has no such version).

    ``public(dsa=...)`` of the result is what ``GET /v1/items/{id}`` publishes.
    """
    stored = item_rows.get_item(tx, platform, item_id)
    if stored is None:
        return None
    shown = None
    if version is not None and version != stored.version:
        shown = item_rows.get_version(tx, platform, item_id, version)
        if shown is None:
            raise NotFoundError(f"item {item_id!r}{' on ' + platform if platform else ''} has no version {version}; "
                                f"its versions are 1 to {stored.version}")
    by_version = item_rows.decisions_by_version(tx, platform, item_id)
    history = tuple((v, by_version.get(v.version)) for v in item_rows.list_versions(tx, platform, item_id))
    number = shown.version if shown is not None else stored.version
    return ItemState(stored, by_version.get(number), shown=shown, versions=history)


def failed_items(tx: Tx, *, limit: int = 50, offset: int = 0) -> list[QuarantinedItem]:
    """Quarantined items, oldest first, as ``GET /v1/items?status=failed`` lists them."""
    return [QuarantinedItem(s) for s in item_rows.list_items(tx, status=ItemStatus.FAILED, limit=limit, offset=offset)]


def retry(tx: Tx, actor: Actor, platform: str, item_id: str, *, clock: Clock = SYSTEM) -> ItemState:
    """failed → pending: the worker decides the item again. 404 unknown item, 409 item not failed."""
    stored = item_rows.get_item(tx, platform, item_id)
    what = f"item {item_id!r}{' on ' + platform if platform else ''}"
    if stored is None:
        raise NotFoundError(f"{what} is not stored")
    target = lifecycle.move(lifecycle.ITEM_MOVES, what, stored.status, "retry")
    if not item_rows.set_status(tx, stored.pk, old=stored.status, new=target):
        raise ConflictError(f"{what} changed a moment ago; read it again")
    record_many(tx, [AuditEvent(actor.name, item_subject(platform, item_id), ev.ItemRetried())],
                time=iso(clock.now()))
    state = item_state(tx, platform, item_id)
    assert state is not None
    return state
