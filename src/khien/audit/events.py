"""Every audit event Khiên writes, declared once with its typed payload.

An event class's fields *are* its payload (stored as canonical JSON in the hash chain); the audit
subject (``case:12``, ``item:fb:123``) travels beside it in :class:`khien.audit.AuditEvent`. Writers
build these classes, never a free string type with a free dict, and readers (the transparency
report, the console's audit page) parse stored rows back into them with :func:`parse`, so renaming
a payload field is a change the type checker and the tests see.

``READ_BY`` says which readers use an event; an event read by nobody is declared ``stored_only``
(kept for the record and for auditors, deliberately not counted anywhere).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from ..errors import KhienError
from ..strict import parse as parse_config

__all__ = [
    "Event", "EVENTS", "parse", "AuditPayloadError",
    "ItemsReceived", "ItemFailed", "ItemRetried", "ItemEdited", "DecisionAutomated", "CaseOpened", "CaseClaimed",
    "CaseDecided",
    "AppealSubmitted", "AppealDecided", "LegalRequestCreated", "LegalRequestAction", "LegalRequestCompleted",
    "KeyCreated", "KeyRevoked", "UserCreated", "UserPasswordSet", "UserPasswordReset", "UserDisabled", "UserEnabled",
    "WebhookCreated", "WebhookDeleted", "WebhookReplayed", "WebhookDeadLetter", "AuditCheckpointed",
]


class AuditPayloadError(KhienError):
    """A stored event does not match its declaration (or its type is not declared)."""

    code = "khien.audit"


EVENTS: dict[str, type["Event"]] = {}


@dataclass(frozen=True)
class Event:
    """Base of every declared event. Subclasses set ``type`` and, if nobody reads them, ``stored_only``."""

    type: ClassVar[str] = ""
    stored_only: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        name = cls.__dict__.get("type")
        if name:
            if name in EVENTS and EVENTS[name].__qualname__ != cls.__qualname__:
                raise TypeError(f"audit event type {name!r} is declared twice")
            EVENTS[name] = cls

    def payload(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def parse(type: str, payload: Mapping[str, Any]) -> Event:
    """A stored (type, payload) as its declared event; unknown types and payload fields are refused."""
    cls = EVENTS.get(type)
    if cls is None:
        raise AuditPayloadError(f"audit event type {type!r} is not declared in khien.audit.events")
    return parse_config(cls, payload, type, error=AuditPayloadError)


# ---- items and engine decisions ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ItemsReceived(Event):
    type: ClassVar[str] = "items.received"
    stored_only: ClassVar[bool] = True
    count: int
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ItemFailed(Event):
    """The worker could not decide a stored item; it is quarantined (status ``failed``) until retried."""

    type: ClassVar[str] = "item.failed"
    stored_only: ClassVar[bool] = True
    error: str
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class ItemRetried(Event):
    type: ClassVar[str] = "item.retried"
    stored_only: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class ItemEdited(Event):
    """An item was sent again with other content: ``version`` is stored beside ``previous_version``
    (whose text, decisions and cases are kept), and is decided in its turn."""

    type: ClassVar[str] = "item.edited"
    stored_only: ClassVar[bool] = True
    version: int
    previous_version: int
    content_hash: str


@dataclass(frozen=True, slots=True)
class DecisionAutomated(Event):
    type: ClassVar[str] = "decision.automated"
    decision: int
    action: str
    category: str | None
    categories: tuple[str, ...]
    rules: tuple[str, ...]
    policy: str
    automated: bool = True
    item_version: int = 1  # the version of the item decided; events written before versions are all 1


# ---- cases -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CaseOpened(Event):
    type: ClassVar[str] = "case.opened"
    stored_only: ClassVar[bool] = True
    item: str
    platform: str
    category: str | None
    proposed_action: str
    origin: str


@dataclass(frozen=True, slots=True)
class CaseClaimed(Event):
    type: ClassVar[str] = "case.claimed"
    stored_only: ClassVar[bool] = True
    expires_at: str


@dataclass(frozen=True, slots=True)
class CaseDecided(Event):
    type: ClassVar[str] = "case.decided"
    item: str
    platform: str
    subject: str
    decision: int
    action: str
    clause: str | None
    category: str | None
    proposed_action: str | None
    automated: bool = False
    legal_request: int | None = None
    item_version: int = 1  # the version of the item the case judged; events written before versions are all 1


# ---- appeals -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AppealSubmitted(Event):
    type: ClassVar[str] = "appeal.submitted"
    item: str
    platform: str
    decision: int
    action: str
    category: str | None
    automated: bool


@dataclass(frozen=True, slots=True)
class AppealDecided(Event):
    type: ClassVar[str] = "appeal.decided"
    item: str
    platform: str
    subject: str
    outcome: str
    reversed: bool
    original_action: str
    new_action: str
    category: str | None
    original_automated: bool
    decision: int | None = None


# ---- requests from authorities -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LegalRequestCreated(Event):
    type: ClassVar[str] = "legal_request.created"
    authority: str
    legal_basis: str
    requested_action: str
    deadline: str | None
    reference: str | None
    items: int
    cases: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class LegalRequestAction(Event):
    type: ClassVar[str] = "legal_request.action"
    case: int
    action: str
    requested_action: str
    complied: bool


@dataclass(frozen=True, slots=True)
class LegalRequestCompleted(Event):
    type: ClassVar[str] = "legal_request.completed"


# ---- access: API keys and console accounts ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class KeyCreated(Event):
    type: ClassVar[str] = "key.created"
    stored_only: ClassVar[bool] = True
    name: str
    role: str
    prefix: str


@dataclass(frozen=True, slots=True)
class KeyRevoked(Event):
    type: ClassVar[str] = "key.revoked"
    stored_only: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class UserCreated(Event):
    type: ClassVar[str] = "user.created"
    stored_only: ClassVar[bool] = True
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class UserPasswordSet(Event):
    type: ClassVar[str] = "user.password_set"
    stored_only: ClassVar[bool] = True
    name: str


@dataclass(frozen=True, slots=True)
class UserPasswordReset(Event):
    """An admin set a new password; ``sessions_ended`` sessions of the account were closed."""

    type: ClassVar[str] = "user.password_reset"
    stored_only: ClassVar[bool] = True
    name: str
    sessions_ended: int


@dataclass(frozen=True, slots=True)
class UserDisabled(Event):
    """An admin disabled the account; ``sessions_ended`` sessions were closed at once."""

    type: ClassVar[str] = "user.disabled"
    stored_only: ClassVar[bool] = True
    name: str
    sessions_ended: int


@dataclass(frozen=True, slots=True)
class UserEnabled(Event):
    type: ClassVar[str] = "user.enabled"
    stored_only: ClassVar[bool] = True
    name: str


# ---- webhooks ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class WebhookCreated(Event):
    type: ClassVar[str] = "webhook.created"
    stored_only: ClassVar[bool] = True
    url: str
    events: str


@dataclass(frozen=True, slots=True)
class WebhookDeleted(Event):
    type: ClassVar[str] = "webhook.deleted"
    stored_only: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class WebhookReplayed(Event):
    type: ClassVar[str] = "webhook.replayed"
    stored_only: ClassVar[bool] = True
    delivery: int


@dataclass(frozen=True, slots=True)
class WebhookDeadLetter(Event):
    type: ClassVar[str] = "webhook.dead_letter"
    stored_only: ClassVar[bool] = True
    webhook: int
    event: str
    attempts: int
    error: str


# ---- the audit log itself ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AuditCheckpointed(Event):
    """A signed checkpoint of the chain head was made (``khien audit checkpoint``); a copy of what was signed.

    The copy kept outside the database (a file, a webhook) is what ``khien audit verify --checkpoint``
    trusts; this one lets the transparency report name the latest checkpoint.
    """

    type: ClassVar[str] = "audit.checkpoint"
    seq: int
    hash: str
    signed_at: str
    events: int
    digest: str
    public_key: str
    signature: str


# ---- accounts: strikes, account decisions and account cases (issue 12) -------------------------
# Read by nobody yet: the transparency report's "accounts actioned by type" is the lead's to add.

__all__ += ["AccountCreated", "StrikeAdded", "StrikeRemoved", "AccountDecided", "AccountCaseOpened"]


@dataclass(frozen=True, slots=True)
class AccountCreated(Event):
    """An account record was created because something needed it (a strike, a case, a finding)."""

    type: ClassVar[str] = "account.created"
    stored_only: ClassVar[bool] = True
    platform: str
    account: str
    reason: str


@dataclass(frozen=True, slots=True)
class StrikeAdded(Event):
    """A person upheld a removal: the author's account gets a strike (``decision`` upheld the removal)."""

    type: ClassVar[str] = "strike.added"
    stored_only: ClassVar[bool] = True
    platform: str
    account: str
    strike: int
    category: str
    weight: float
    item: str
    item_version: int
    decision: int | None


@dataclass(frozen=True, slots=True)
class StrikeRemoved(Event):
    """A strike stopped counting: its removal or the account action it led to was reversed."""

    type: ClassVar[str] = "strike.removed"
    stored_only: ClassVar[bool] = True
    platform: str
    account: str
    strike: int
    category: str
    item: str
    reason: str
    appeal: int | None = None


@dataclass(frozen=True, slots=True)
class AccountDecided(Event):
    """An account decision: ``action`` (warn, restrict, suspend, ban, or allow = none / lifted),
    the ladder ``rule`` or the ``clause`` it rests on, until when, and where it came from
    (``source`` strikes | case | appeal, with ``case`` or ``appeal``).

    A ladder decision (source ``strikes``) is recorded by ``system:accounts``, the policy's rule;
    ``trigger`` is the decision whose upheld removal gave the last strike and ``upheld_by`` the
    person who upheld it (None in events written before they were recorded)."""

    type: ClassVar[str] = "account.decided"
    platform: str
    account: str
    decision: int
    action: str
    source: str
    rule: str | None = None
    clause: str | None = None
    until: str | None = None
    items: tuple[str, ...] = ()
    case: int | None = None
    appeal: int | None = None
    trigger: int | None = None
    upheld_by: str | None = None


@dataclass(frozen=True, slots=True)
class AccountCaseOpened(Event):
    """An account case was opened: by hand (``account:manual``) or from an impersonation finding
    (an engine decision's, or ``khien impersonation --db``'s, with its ``evidence``)."""

    type: ClassVar[str] = "account.case_opened"
    stored_only: ClassVar[bool] = True
    platform: str
    account: str
    origin: str
    category: str | None
    entity: str | None = None
    decision: int | None = None
    note: str | None = None
    # what matched, one line a reason (``khien impersonation --db``); empty for older events
    evidence: tuple[str, ...] = ()


# ---- user reports, trusted flaggers, mass reporting (issue 12) -----------------------------------
# Counts and ids only: a report's statement and evidence stay in the reports table, never in the chain.

__all__ += ["ReportsReceived", "ReportAnswered", "ReporterLimited", "FlaggerAdded", "FlaggerRemoved",
            "RingDetected"]


@dataclass(frozen=True, slots=True)
class ReportsReceived(Event):
    """One request's reports were stored (subject ``reports:<first id>``)."""

    type: ClassVar[str] = "report.received"
    count: int
    users: int
    flaggers: int
    suspicious: int
    categories: tuple[str, ...]  # distinct categories, sorted
    cases: tuple[int, ...]  # the report cases they were grouped into
    by_category: dict[str, int] = dataclasses.field(default_factory=dict)  # reports per category


@dataclass(frozen=True, slots=True)
class ReportAnswered(Event):
    """A report got its outcome (subject ``report:<id>``); again when a reporter's appeal is decided."""

    type: ClassVar[str] = "report.answered"
    case: int | None
    state: str  # upheld | rejected
    source: str
    category: str
    suspicious: bool
    decision: int | None
    appeal: int | None = None
    waited_s: float | None = None  # from the report to this answer: the transparency report's time to action


@dataclass(frozen=True, slots=True)
class ReporterLimited(Event):
    """A reporter whose reports were repeatedly rejected is limited (subject ``reporter:<platform>:<id>``)."""

    type: ClassVar[str] = "report.reporter_limited"
    stored_only: ClassVar[bool] = True
    until: str
    answered: int
    rejected: int


@dataclass(frozen=True, slots=True)
class FlaggerAdded(Event):
    type: ClassVar[str] = "flagger.added"
    stored_only: ClassVar[bool] = True
    name: str
    organisation: str
    respond_hours: int


@dataclass(frozen=True, slots=True)
class FlaggerRemoved(Event):
    type: ClassVar[str] = "flagger.removed"
    stored_only: ClassVar[bool] = True
    name: str


@dataclass(frozen=True, slots=True)
class RingDetected(Event):
    """The mass-report detector named a ring (subject ``ring:<id>``); written once per ring per process."""

    type: ClassVar[str] = "report.ring_detected"
    target: str
    reports: int  # reports of this request marked for the ring (re-labels included)


# ---- fact-checks (issue 15) ----------------------------------------------------------------------
# Counts, ids and publisher names only: the claims themselves stay in the fact_checks table.

__all__ += ["FactChecksImported", "FactCheckRetired", "ClaimPublisherTrusted", "ClaimPublisherUntrusted"]


@dataclass(frozen=True, slots=True)
class FactChecksImported(Event):
    """A file of fact-checks was imported (subject ``fact_checks:<source file name>``)."""

    type: ClassVar[str] = "claims.imported"
    stored_only: ClassVar[bool] = True
    added: int
    updated: int
    unchanged: int
    refused: int  # records that could not be read
    publishers: tuple[str, ...]  # distinct publishers of the records read, sorted


@dataclass(frozen=True, slots=True)
class FactCheckRetired(Event):
    """A fact-check leaves matching (subject ``fact_check:<id>``)."""

    type: ClassVar[str] = "claims.retired"
    stored_only: ClassVar[bool] = True
    publisher: str


@dataclass(frozen=True, slots=True)
class ClaimPublisherTrusted(Event):
    """A platform trusts a fact-check publisher (subject ``claim_publisher:<id>``)."""

    type: ClassVar[str] = "claims.publisher_trusted"
    stored_only: ClassVar[bool] = True
    name: str


@dataclass(frozen=True, slots=True)
class ClaimPublisherUntrusted(Event):
    type: ClassVar[str] = "claims.publisher_untrusted"
    stored_only: ClassVar[bool] = True
    name: str


# ---- coordinated campaigns (issue 14) ------------------------------------------------------------
# Keys, counts and ids only: member texts stay in the items table, never in the chain.

__all__ += ["CampaignCaseOpened", "CampaignMemberDecided", "CampaignDecided"]


@dataclass(frozen=True, slots=True)
class CampaignCaseOpened(Event):
    """A campaign case was opened for a cluster the detector found (subject ``case:<id>``)."""

    type: ClassVar[str] = "campaign.case_opened"
    stored_only: ClassVar[bool] = True
    platform: str
    campaign: str  # the cluster's key, cmp-<12 hex>
    size: int
    accounts: int
    score: float
    signals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CampaignMemberDecided(Event):
    """A bulk decision on a campaign decided one member item (subject ``item:<platform>:<id>``):
    one event per member, each with its own decision and statement of reasons."""

    type: ClassVar[str] = "campaign.member_decided"
    platform: str
    item: str
    campaign: str
    case: int  # the campaign case
    decision: int
    action: str
    clause: str | None
    category: str | None
    item_version: int


@dataclass(frozen=True, slots=True)
class CampaignDecided(Event):
    """A moderator's bulk decision on a campaign case (subject ``case:<id>``): what it did to how many."""

    type: ClassVar[str] = "campaign.decided"
    stored_only: ClassVar[bool] = True
    platform: str
    campaign: str
    action: str
    clause: str | None
    decided: int  # members decided by this call
    skipped: int  # members already under this action
    accounts: int  # distinct accounts among the decided members


__all__ += ["ClaimVerdictGiven"]


@dataclass(frozen=True, slots=True)
class ClaimVerdictGiven(Event):
    """A moderator confirmed or rejected a candidate fact-check of a case (subject ``case:<id>``)."""

    type: ClassVar[str] = "claims.verdict"
    stored_only: ClassVar[bool] = True
    factcheck_id: str
    verdict: str  # confirmed | rejected
