"""What the review services return: a store record joined with what a reader needs beside it.

Each view is frozen and holds typed records (:class:`~khien.store.records.Case`,
:class:`~khien.store.records.StoredDecision`, ...), so callers read attributes, never string keys.
``public()`` gives the JSON the HTTP API has always published for it, byte for byte (key order
included: the tests in ``tests/server`` pin it), so that shape is written once, here.

Some services return a store record as it is (``submit`` an :class:`Appeal`, ``list_requests``
:class:`LegalRequest` records); they are re-exported here so ``server/`` and ``cli/``, which never
import ``khien.store``, can name them.

A case's claim is live or not depending on *when* it is read, so case views carry the time they
were read (``at``) and answer ``holder`` for that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..clock import iso
from ..enums import CaseState, ItemStatus
from ..store.records import Appeal, Case, ItemVersion, LegalRequest, StoredDecision, StoredItem, public_item_ref

__all__ = ["CaseSummary", "CaseView", "AppealView", "LegalAction", "LegalRequestView", "ItemState",
           "QuarantinedItem", "Appeal", "LegalRequest"]


def _decision(stored: StoredDecision | None, *, provenance: bool = False) -> dict[str, Any] | None:
    return stored.public(provenance=provenance) if stored else None


# ---- cases ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A case as the queue lists it, read at ``at`` (what ``GET /v1/cases`` and a claim return)."""

    case: Case
    at: float

    @property
    def id(self) -> int:
        return self.case.id

    @property
    def holder(self) -> str | None:
        """Who holds a live claim at ``at`` (None when nobody does)."""
        return self.case.live_claimant(self.at)

    def public(self) -> dict[str, Any]:
        return self.case.public(self.at)


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case with its item's content, the decision under review and the outcome (once decided).

    ``content`` is the item JSON of the version the case judges, as received (None when the item is
    not stored); ``current_version`` is the item's version now (None when not stored): when it is
    newer than ``item_version`` the item was edited since the case opened. ``decision`` is
    published with its signal records (a reviewer explains it from them), ``outcome`` without.
    """

    case: Case
    at: float
    content: dict[str, Any] | None
    decision: StoredDecision | None
    outcome: StoredDecision | None
    current_version: int | None = None

    # The case's own fields, so a page reads ``view.state`` as it reads ``view.holder``.
    @property
    def id(self) -> int:
        return self.case.id

    @property
    def item_id(self) -> str:
        return self.case.item_id

    @property
    def platform(self) -> str:
        return self.case.platform

    @property
    def state(self) -> CaseState:
        return self.case.state

    @property
    def category(self) -> str | None:
        return self.case.category

    @property
    def proposed_action(self) -> str | None:
        return self.case.proposed_action

    @property
    def reach(self) -> int:
        return self.case.reach

    @property
    def created_at(self) -> str:
        return self.case.created_at

    @property
    def decided_by(self) -> str | None:
        return self.case.decided_by

    @property
    def legal_request_id(self) -> int | None:
        return self.case.legal_request_id

    @property
    def holder(self) -> str | None:
        """Who holds a live claim at ``at`` (None when nobody does)."""
        return self.case.live_claimant(self.at)

    @property
    def item_version(self) -> int:
        """The version of the item the case judges."""
        return self.case.item_version

    @property
    def edited_since(self) -> int | None:
        """The item's current version when it is newer than the one the case judges, else None."""
        current = self.current_version
        return current if current is not None and current > self.case.item_version else None

    @property
    def claim_expires_at(self) -> str | None:
        """When the live claim lapses (ISO time), as the API publishes it."""
        expires = self.case.claim_expires_ts
        return iso(expires) if self.holder and expires else None

    @property
    def source(self) -> str:
        """Where the case came from: ``engine`` or ``legal`` (the origin without its reference)."""
        return self.case.origin.split(":", 1)[0]

    @property
    def priority(self) -> float:
        """The priority at ``at``, rounded as the API publishes it."""
        return round(float(self.case.priority or self.case.priority_base), 4)

    @property
    def is_open(self) -> bool:
        return self.case.state == CaseState.OPEN

    def public(self) -> dict[str, Any]:
        out = self.case.public(self.at)
        out["item"]["content"] = self.content
        out["current_item_version"] = self.current_version
        out["decision"] = _decision(self.decision, provenance=True)
        out["outcome"] = _decision(self.outcome)
        return out


# ---- appeals -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AppealView:
    """An appeal with the decision it contests (``decision``) and the one replacing it (``new_decision``)."""

    appeal: Appeal
    decision: StoredDecision | None
    new_decision: StoredDecision | None

    @property
    def id(self) -> int:
        return self.appeal.id

    def public(self) -> dict[str, Any]:
        return self.appeal.public() | {"decision": _decision(self.decision, provenance=True),
                                       "new_decision": _decision(self.new_decision)}


# ---- legal requests ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LegalAction:
    """One item of a legal request: its case, and the action decided on it (None while open)."""

    case: Case
    outcome: StoredDecision | None

    @property
    def action(self) -> str | None:
        return self.outcome.action if self.outcome else None

    def public(self) -> dict[str, Any]:
        c = self.case
        return {"case": c.id, "item": public_item_ref(c.platform, c.item_id), "state": c.state.value,
                "action": self.action, "decided_by": c.decided_by, "decided_at": c.decided_at}


@dataclass(frozen=True, slots=True)
class LegalRequestView:
    """A ledger entry and, per item, what was done (``actions``)."""

    request: LegalRequest
    actions: tuple[LegalAction, ...]

    @property
    def id(self) -> int:
        return self.request.id

    def public(self) -> dict[str, Any]:
        return self.request.public() | {"actions": [a.public() for a in self.actions]}


# ---- items ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ItemState:
    """An item as stored, one of its versions and the decision in force on that version (None while
    it is pending or quarantined), and the list of its versions with their decisions.

    ``shown`` is the version asked for when it is not the current one (None: the current one, whose
    text is ``stored.body``); ``versions`` lists every version, oldest first, with its decision.
    """

    stored: StoredItem
    decision: StoredDecision | None
    shown: ItemVersion | None = None
    versions: tuple[tuple[ItemVersion, StoredDecision | None], ...] = ()

    @property
    def status(self) -> ItemStatus:
        return self.stored.status

    @property
    def version(self) -> int:
        """The version whose text and decision this state shows."""
        return self.shown.version if self.shown is not None else self.stored.version

    @property
    def content(self) -> dict[str, Any] | str:
        """The item JSON; a body that no longer parses is given as the text it is."""
        source = self.shown if self.shown is not None else self.stored
        try:
            return source.content()
        except Exception:  # noqa: BLE001 - a quarantined body is shown as the text it is
            return source.body or ""

    def public(self, *, dsa: bool = False) -> dict[str, Any]:
        """As ``GET /v1/items/{id}`` publishes it; a quarantined item also shows ``error`` and ``attempts``.

        ``received_at``, ``item`` and ``decision`` are those of ``version`` (the current one unless
        another was asked for); ``versions`` lists them all with a summary of each one's decision.
        """
        s = self.stored
        out: dict[str, Any] = {
            "id": s.item_id,
            "platform": s.platform or None,
            "status": s.status.value,
            "received_at": self.shown.received_at if self.shown is not None else s.received_at,
            "version": self.version,
            "item": self.content,
            "decision": self.decision.public(dsa=dsa) if self.decision else None,
            "versions": [{"version": v.version, "received_at": v.received_at, "content_hash": v.content_hash,
                          "decision": d.summary() if d else None} for v, d in self.versions],
        }
        if s.status == ItemStatus.FAILED:
            out |= {"error": s.error, "attempts": s.attempts}
        return out


@dataclass(frozen=True, slots=True)
class QuarantinedItem:
    """An item the worker could not decide, as ``GET /v1/items?status=failed`` lists it."""

    stored: StoredItem

    def public(self) -> dict[str, Any]:
        s = self.stored
        return {"id": s.item_id, "platform": s.platform or None, "status": s.status.value,
                "received_at": s.received_at, "error": s.error, "attempts": s.attempts}
