"""Typed records: what the store returns, and the typed inputs its insert functions take.

Every record is frozen and built from one row by ``from_row``; a stored decision's JSON is parsed
once, there (``StoredDecision.decision``), never again by its readers. The ``public`` methods give
the JSON shape the HTTP API and the console have always published, so that shape is written once.

A claim on a case is live while its holder is named and its expiry is in the future;
:func:`claim_is_live` is the Python side of the SQL expression ``review.live_claim(now)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

import orjson

from ..clock import iso
from ..enums import AppealOutcome, AppealState, CaseState, ItemStatus, LegalStatus, SubjectKind
from ..errors import InputError
from ..model import Decision, Item

__all__ = [
    "ItemKey", "NewItem", "StoredItem", "ItemHead", "ItemVersion", "StoredDecision", "NewDecision", "Case", "NewCase",
    "Appeal", "LegalRequest", "claim_is_live", "public_item_ref",
]


def _m(row: Any) -> Mapping[str, Any]:
    """A SQLAlchemy row as a mapping (plain mappings pass through, for tests)."""
    return row._mapping if hasattr(row, "_mapping") else row


def public_item_ref(platform: str, item_id: str) -> dict[str, Any]:
    """``{"id", "platform"}`` as the API writes an item reference (``platform`` is None when empty)."""
    return {"id": item_id, "platform": platform or None}


def claim_is_live(claimed_by: str | None, expires_ts: float | None, now: float) -> bool:
    """Whether a claim holds at ``now``: the Python twin of ``store.review.live_claim(now)``."""
    return bool(claimed_by) and expires_ts is not None and expires_ts > now


@dataclass(frozen=True, slots=True)
class ItemKey:
    platform: str
    item_id: str


# ---- items and decisions -------------------------------------------------------------------------

def _parse_body(body: str, item_id: str) -> dict[str, Any]:
    """A stored item JSON; :class:`InputError` when it no longer parses."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"the stored body of item {item_id!r} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"the stored body of item {item_id!r} is not an object")
    return data


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item to insert: its key, the item JSON as text, its content hash (``khien.review.versions``)
    and the status it starts in. ``version`` is the version this text is (1 for a new item)."""

    platform: str
    item_id: str
    body: str
    status: ItemStatus
    reach: int
    received_at: str
    content_hash: str
    version: int = 1

    def row(self) -> dict[str, Any]:
        return {"platform": self.platform, "item_id": self.item_id, "body": self.body, "status": self.status.value,
                "reach": self.reach, "received_at": self.received_at, "content_hash": self.content_hash,
                "version": self.version}

    def version_row(self) -> dict[str, Any]:
        """The ``item_versions`` row that keeps this text for ever."""
        return {"platform": self.platform, "item_id": self.item_id, "version": self.version, "body": self.body,
                "content_hash": self.content_hash, "received_at": self.received_at}


@dataclass(frozen=True, slots=True)
class StoredItem(NewItem):
    """An item as received: a :class:`NewItem` with its row number, and the error and attempts of a
    quarantined one. ``body`` stays text: a body that no longer parses is the worker's to quarantine,
    so parsing happens in :meth:`item` / :meth:`content`, where the error can be caught."""

    pk: int = 0
    error: str | None = None
    attempts: int = 0

    @classmethod
    def from_row(cls, row: Any) -> "StoredItem":
        m = _m(row)
        return cls(pk=m["pk"], platform=m["platform"], item_id=m["item_id"], body=m["body"],
                   status=ItemStatus(m["status"]), reach=int(m["reach"] or 0), received_at=m["received_at"],
                   content_hash=m.get("content_hash") or "", version=int(m.get("version") or 1),
                   error=m.get("error"), attempts=int(m.get("attempts") or 0))

    def content(self) -> dict[str, Any]:
        """The item JSON as stored; :class:`InputError` when it no longer parses."""
        return _parse_body(self.body, self.item_id)

    def item(self) -> Item:
        return Item.from_dict(self.content())


@dataclass(frozen=True, slots=True)
class ItemHead:
    """What storing a resent item needs to know of the stored one, without its body: its row, its
    current version and that version's content hash, its status and reach."""

    pk: int
    platform: str
    item_id: str
    version: int
    content_hash: str
    status: ItemStatus
    reach: int

    @classmethod
    def from_row(cls, row: Any) -> "ItemHead":
        m = _m(row)
        return cls(pk=m["pk"], platform=m["platform"], item_id=m["item_id"], version=int(m["version"]),
                   content_hash=m["content_hash"], status=ItemStatus(m["status"]), reach=int(m["reach"] or 0))


@dataclass(frozen=True, slots=True)
class ItemVersion:
    """A row of ``item_versions``: one text an item had. ``body`` is None when it was not read
    (listing an item's versions reads only their hashes and times)."""

    platform: str
    item_id: str
    version: int
    content_hash: str
    received_at: str
    body: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> "ItemVersion":
        m = _m(row)
        return cls(platform=m["platform"], item_id=m["item_id"], version=int(m["version"]),
                   content_hash=m["content_hash"], received_at=m["received_at"], body=m.get("body"))

    def content(self) -> dict[str, Any]:
        """The item JSON of this version; :class:`InputError` when it was not read or no longer parses."""
        if self.body is None:
            raise InputError(f"version {self.version} of item {self.item_id!r} was read without its text")
        return _parse_body(self.body, self.item_id)


@dataclass(frozen=True, slots=True)
class StoredDecision:
    """A row of ``decisions`` with its body parsed once into a :class:`Decision`."""

    id: int
    platform: str
    item_id: str
    policy: str
    source: str  # engine | case | appeal
    source_ref: str
    action: str
    category: str | None
    automated: bool
    actor: str | None
    created_at: str
    decision: Decision
    actor_id: str | None = None  # the decider's stable id (``user:3``); None for the engine and older rows
    item_version: int = 1  # the version of the item whose text was decided (0 for an account)
    subject_kind: SubjectKind = SubjectKind.ITEM  # an account decision names the author id in item_id

    @classmethod
    def from_row(cls, row: Any) -> "StoredDecision":
        m = _m(row)
        return cls(id=m["id"], platform=m["platform"], item_id=m["item_id"], policy=m["policy"],
                   source=m["source"], source_ref=m["source_ref"], action=m["action"], category=m["category"],
                   automated=bool(m["automated"]), actor=m["actor"], created_at=m["created_at"],
                   decision=Decision.from_dict(orjson.loads(m["body"])), actor_id=m.get("actor_id"),
                   item_version=int(m["item_version"] if m.get("item_version") is not None else 1),
                   subject_kind=SubjectKind(m.get("subject_kind") or SubjectKind.ITEM))

    @property
    def decider(self) -> str | None:
        """The person who made the decision; None when the engine did."""
        return None if self.automated else self.actor

    def public(self, *, dsa: bool = False, provenance: bool = False) -> dict[str, Any]:
        """The decision as ``khien scan`` writes it (DSA fields and signal records only on request)."""
        return self.decision.to_dict(dsa=dsa, provenance=provenance)

    def summary(self) -> dict[str, Any]:
        """The decision in a line of an item's version history (``GET /v1/items/{id}``)."""
        return {"id": self.id, "action": self.action, "category": self.category, "source": self.source,
                "automated": self.automated, "policy": self.policy, "created_at": self.created_at}


@dataclass(frozen=True, slots=True)
class NewDecision:
    """A decision to insert; ``category`` is the one its clause names (None for allow)."""

    platform: str
    decision: Decision
    source: str
    source_ref: str
    actor: str | None
    created_at: str
    category: str | None
    actor_id: str | None = None  # the stable id of ``actor`` (``khien.review.actor.Actor.id``)
    item_version: int = 1  # the stored version of the item whose text this decision is about
    subject_kind: SubjectKind = SubjectKind.ITEM  # account: ``decision.id`` is the author id, version 0

    def row(self) -> dict[str, Any]:
        d = self.decision
        return {"platform": self.platform, "item_id": d.id, "item_version": self.item_version, "policy": d.policy,
                "subject_kind": self.subject_kind.value,
                "source": self.source,
                "source_ref": self.source_ref, "action": d.action, "category": self.category,
                "automated": d.automated, "actor": self.actor, "actor_id": self.actor_id,
                "body": orjson.dumps(d.to_dict(dsa=True, provenance=True)).decode(), "created_at": self.created_at}


# ---- cases ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NewCase:
    platform: str
    item_id: str
    origin: str  # 'engine:<policy>' | 'legal:<id>'
    category: str | None
    proposed_action: str
    decision_id: int | None
    severity: int
    reach: int
    priority_base: float
    created_at: str
    created_ts: float
    legal_request_id: int | None = None
    item_version: int = 1  # the version of the item the case judges (0 for an account case)
    subject_kind: SubjectKind = SubjectKind.ITEM  # account: ``item_id`` is the author id
    reporters: int = 0  # distinct reporters grouped in a report case

    def row(self) -> dict[str, Any]:
        return asdict(self) | {"state": CaseState.OPEN.value, "subject_kind": self.subject_kind.value}


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    platform: str
    item_id: str
    origin: str
    category: str | None
    proposed_action: str | None
    decision_id: int | None
    legal_request_id: int | None
    severity: int
    reach: int
    priority_base: float
    state: CaseState
    created_at: str
    created_ts: float
    claimed_by: str | None
    claim_expires_ts: float | None
    decided_by: str | None
    decided_at: str | None
    outcome_decision_id: int | None
    priority: float | None = None  # severity × log(reach) × age factor at the time of the query
    item_version: int = 1  # the version of the item the case judges (0 for an account case)
    subject_kind: SubjectKind = SubjectKind.ITEM
    reporters: int = 0  # distinct reporters grouped in a report case

    @classmethod
    def from_row(cls, row: Any) -> "Case":
        m = _m(row)
        return cls(
            id=m["id"], platform=m["platform"], item_id=m["item_id"], origin=m["origin"], category=m["category"],
            proposed_action=m["proposed_action"], decision_id=m["decision_id"],
            legal_request_id=m["legal_request_id"], severity=m["severity"], reach=m["reach"],
            priority_base=m["priority_base"], state=CaseState(m["state"]), created_at=m["created_at"],
            created_ts=m["created_ts"], claimed_by=m["claimed_by"], claim_expires_ts=m["claim_expires_ts"],
            decided_by=m["decided_by"], decided_at=m["decided_at"], outcome_decision_id=m["outcome_decision_id"],
            priority=m.get("priority"),
            item_version=int(m["item_version"] if m.get("item_version") is not None else 1),
            subject_kind=SubjectKind(m.get("subject_kind") or SubjectKind.ITEM), reporters=int(m.get("reporters") or 0),
        )

    def live_claimant(self, now: float) -> str | None:
        """Who holds a live claim on the case at ``now`` (None when nobody does)."""
        return self.claimed_by if claim_is_live(self.claimed_by, self.claim_expires_ts, now) else None

    def public(self, now: float) -> dict[str, Any]:
        """The case as the API publishes it (without its item content and decisions)."""
        claimed = self.live_claimant(now)
        return {
            "id": self.id,
            "item": public_item_ref(self.platform, self.item_id),
            "item_version": self.item_version,
            "state": self.state.value,
            "origin": self.origin.split(":", 1)[0],
            "category": self.category,
            "proposed_action": self.proposed_action,
            "severity": self.severity,
            "reach": self.reach,
            "priority": round(float(self.priority or self.priority_base), 4),
            "created_at": self.created_at,
            "claimed_by": claimed,
            "claim_expires_at": iso(self.claim_expires_ts) if claimed and self.claim_expires_ts else None,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "legal_request": self.legal_request_id,
        }


# ---- appeals -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Appeal:
    id: int
    platform: str
    item_id: str
    statement: str
    submitted_by: str
    state: AppealState
    original_decision_id: int
    original_decider: str | None  # None when the engine decided
    created_at: str
    outcome: AppealOutcome | None
    decided_by: str | None
    note: str | None
    decided_at: str | None
    outcome_decision_id: int | None

    @classmethod
    def from_row(cls, row: Any) -> "Appeal":
        m = _m(row)
        return cls(
            id=m["id"], platform=m["platform"], item_id=m["item_id"], statement=m["statement"],
            submitted_by=m["submitted_by"], state=AppealState(m["state"]),
            original_decision_id=m["original_decision_id"], original_decider=m["original_decider"],
            created_at=m["created_at"], outcome=AppealOutcome(m["outcome"]) if m["outcome"] else None,
            decided_by=m["decided_by"], note=m["note"], decided_at=m["decided_at"],
            outcome_decision_id=m["outcome_decision_id"],
        )

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "item": public_item_ref(self.platform, self.item_id),
            "statement": self.statement,
            "state": self.state.value,
            "submitted_by": self.submitted_by,
            "created_at": self.created_at,
            "original_decision": self.original_decision_id,
            "original_decider": self.original_decider,
            "outcome": self.outcome.value if self.outcome else None,
            "reversed": self.outcome == AppealOutcome.REVERSED if self.outcome else None,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "note": self.note,
        }


# ---- requests from authorities -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LegalRequest:
    id: int
    authority: str
    legal_basis: str
    requested_action: str
    deadline: str
    items: tuple[ItemKey, ...]
    reference: str | None
    created_by: str
    created_at: str
    status: LegalStatus

    @classmethod
    def from_row(cls, row: Any) -> "LegalRequest":
        m = _m(row)
        keys = tuple(ItemKey(e.get("platform") or "", e["id"]) for e in orjson.loads(m["items"]))
        return cls(id=m["id"], authority=m["authority"], legal_basis=m["legal_basis"],
                   requested_action=m["requested_action"], deadline=m["deadline"], items=keys,
                   reference=m["reference"], created_by=m["created_by"], created_at=m["created_at"],
                   status=LegalStatus(m["status"]))

    @staticmethod
    def items_json(keys: tuple[ItemKey, ...] | list[ItemKey]) -> str:
        """How the ``items`` column stores the request's items."""
        return orjson.dumps([public_item_ref(k.platform, k.item_id) for k in keys]).decode()

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id, "authority": self.authority, "legal_basis": self.legal_basis,
            "requested_action": self.requested_action, "deadline": self.deadline, "reference": self.reference,
            "items": [public_item_ref(k.platform, k.item_id) for k in self.items], "created_by": self.created_by,
            "created_at": self.created_at, "status": self.status.value,
        }
