"""One enumeration per concept, shared by every layer.

The API schemas, the CLI choices, the store's check constraints and the console's labels all derive
from these classes; none of them spells the values again. Members are ``str`` enums, so a stored
value (``"open"``) and a member (``CaseState.OPEN``) compare equal and serialise the same.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Action", "Role", "Mode", "ItemStatus", "CaseState", "CaseOrigin", "AppealState", "AppealOutcome",
           "LegalStatus", "Stance", "WebhookEvent", "AccountAction", "SubjectKind", "ReportSource", "ReportState",
           "AccountStatus", "Appellant", "values"]


class Action(StrEnum):
    """What a decision does to the content, mildest first (the order is the severity order)."""

    ALLOW = "allow"
    LABEL = "label"
    REVIEW = "review"
    REMOVE = "remove"

    @property
    def severity(self) -> int:
        return list(Action).index(self)


class Role(StrEnum):
    """Who may do what: ``ingest`` submits items and appeals, ``moderator`` works cases and appeals,
    ``admin`` manages keys, accounts, webhooks and legal requests (and may do everything),
    ``auditor`` reads the audit log and reports."""

    INGEST = "ingest"
    MODERATOR = "moderator"
    ADMIN = "admin"
    AUDITOR = "auditor"


class Mode(StrEnum):
    """A rule either acts (``enforce``) or only records what it would have done (``shadow``)."""

    ENFORCE = "enforce"
    SHADOW = "shadow"


class ItemStatus(StrEnum):
    """A stored item waits for the engine, has its decision, or could not be decided (quarantined)."""

    PENDING = "pending"
    DECIDED = "decided"
    FAILED = "failed"


class CaseState(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class CaseOrigin(StrEnum):
    """Why a case exists: the engine proposed it, an appeal, or a request from an authority."""

    ENGINE = "engine"
    APPEAL = "appeal"
    LEGAL = "legal"
    CAMPAIGN = "campaign"  # the campaign detector found coordinated posts (khien.review.campaigns)


class AppealState(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class AppealOutcome(StrEnum):
    UPHELD = "upheld"
    REVERSED = "reversed"


class LegalStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"


class Stance(StrEnum):
    """What a post does with the harm it mentions (the ``stance`` fact of ``intent.v1``)."""

    SOLICITS = "solicits"
    WARNS = "warns"
    ASKS = "asks"
    REPORTS = "reports"
    OTHER = "other"


class WebhookEvent(StrEnum):
    """What a webhook can subscribe to: engine and human decisions, and appeal outcomes."""

    DECISION = "decision"
    APPEAL = "appeal"
    REPORT = "report"  # a report's outcome, for the reporter's notice


class SubjectKind(StrEnum):
    """What a decision, case or report is about: one item, an account on a platform, or (a case only)
    a coordinated campaign."""

    ITEM = "item"
    ACCOUNT = "account"
    CAMPAIGN = "campaign"  # a coordinated campaign (khien.campaigns): ``item_id`` is its key


class ReportSource(StrEnum):
    """Who sent a report: a platform user, or a trusted flagger (an organisation an admin registered).
    Requests from authorities are legal requests, kept in their own ledger."""

    USER = "user"
    FLAGGER = "flagger"


class ReportState(StrEnum):
    """open → upheld (the report led to action) | rejected (no action was taken on it)."""

    OPEN = "open"
    UPHELD = "upheld"
    REJECTED = "rejected"


class AccountStatus(StrEnum):
    """Where an account stands on its platform: ``active`` or under the account action in force."""

    ACTIVE = "active"
    WARNED = "warned"
    RESTRICTED = "restricted"
    SUSPENDED = "suspended"
    BANNED = "banned"


class Appellant(StrEnum):
    """Who appeals a decision: the author of what was decided, or a reporter contesting a decision
    not to act on their report."""

    AUTHOR = "author"
    REPORTER = "reporter"


class AccountAction(StrEnum):
    """What an account decision does to an account, mildest first (the order is the severity order):
    ``warn`` (a notice, nothing else), ``restrict`` (limited features for a time), ``suspend`` (the
    account cannot be used for a time, or until a person lifts it), ``ban`` (closed, until lifted on
    appeal)."""

    WARN = "warn"
    RESTRICT = "restrict"
    SUSPEND = "suspend"
    BAN = "ban"

    @property
    def severity(self) -> int:
        return list(AccountAction).index(self)

    @property
    def status(self) -> "AccountStatus":
        """The account status this action leaves in force."""
        return AccountStatus({"warn": "warned", "restrict": "restricted", "suspend": "suspended",
                              "ban": "banned"}[self.value])


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The plain values of an enumeration, in declaration order (for messages and choices)."""
    return tuple(m.value for m in enum)
