"""Request bodies of the API, and the JSON Schema of an item (generated from the table ``Item.from_dict``
validates against, so the published schema and the parser cannot drift apart)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..enums import Action as ActionEnum
from ..enums import AccountAction, AppealOutcome, AppealState, CaseState, Role, WebhookEvent, values
from ..model import MAX_ID, MAX_PLATFORM, item_json_schema

__all__ = ["ITEM_SCHEMA", "BATCH_SCHEMA", "CaseDecisionIn", "AppealIn", "AppealDecisionIn", "ItemRef",
           "LegalRequestIn", "KeyIn", "WebhookIn", "MAX_ID", "MAX_PLATFORM", "CaseStateFilter", "AppealStateFilter"]

# Choices derived from khien.enums (a tuple subscript spells Literal["allow", "label", ...]).
Action = Literal[values(ActionEnum)]  # type: ignore[valid-type]
CaseAction = Literal[tuple(dict.fromkeys(values(ActionEnum) + values(AccountAction)))]  # type: ignore[valid-type]
Requestable = Literal[tuple(a for a in values(ActionEnum) if a != ActionEnum.ALLOW)]  # type: ignore[valid-type]
Outcome = Literal[values(AppealOutcome)]  # type: ignore[valid-type]
RoleName = Literal[values(Role)]  # type: ignore[valid-type]
CaseStateFilter = Literal[values(CaseState) + ("all",)]  # type: ignore[valid-type]
AppealStateFilter = Literal[values(AppealState) + ("all",)]  # type: ignore[valid-type]

# One declaration: the parser's field table in ``khien.model`` generates the published schema.
ITEM_SCHEMA = item_json_schema()

BATCH_SCHEMA = {
    "title": "ItemBatch",
    "type": "object",
    "required": ["items"],
    "additionalProperties": False,
    "properties": {"items": {"type": "array", "minItems": 1, "items": ITEM_SCHEMA}},
}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class CaseDecisionIn(_Body):
    action: CaseAction = Field(..., description="An item case: allow, label, review or remove. An account case: "
                                                "warn, restrict, suspend, ban, or allow (no action).")
    clause: str | None = Field(None, max_length=20, description="The policy clause the content breaks, e.g. '2.1'.")
    note: str | None = Field(None, max_length=4000)
    duration_days: int | None = Field(None, ge=1, le=3650,
                                      description="An account case decided restrict or suspend: for how many days "
                                                  "(none: until a moderator lifts it).")


class AppealIn(_Body):
    item: str | None = Field(None, min_length=1, max_length=MAX_ID,
                             description="The id of the item whose decision is appealed.")
    account: str | None = Field(None, min_length=1, max_length=MAX_ID,
                                description="Instead of an item: the author id of the account whose account "
                                            "decision is appealed (on ``platform``).")
    platform: str | None = Field(None, max_length=MAX_PLATFORM)
    statement: str = Field(..., min_length=1, max_length=10_000, description="The user's own words: why it is wrong.")


class AppealDecisionIn(_Body):
    outcome: Outcome
    note: str | None = Field(None, max_length=4000)
    action: Action = Field("allow", description="For a reversal: the action that replaces the one appealed.")
    clause: str | None = Field(None, max_length=20)


class ItemRef(_Body):
    id: str = Field(..., min_length=1, max_length=MAX_ID)
    platform: str | None = Field(None, max_length=MAX_PLATFORM)


class LegalRequestIn(_Body):
    authority: str = Field(..., min_length=1, max_length=300)
    legal_basis: str = Field(..., min_length=1, max_length=10_000)
    items: list[ItemRef] = Field(..., min_length=1, max_length=1000)
    requested_action: Requestable
    deadline: str = Field(..., min_length=10, max_length=40, description="ISO-8601 date or date-time.")
    reference: str | None = Field(None, max_length=200)

    @field_validator("deadline")
    @classmethod
    def _iso(cls, value: str) -> str:
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError("must be an ISO-8601 date or date-time, e.g. 2026-12-31") from None
        return value


class KeyIn(_Body):
    role: RoleName
    name: str | None = Field(None, min_length=1, max_length=200)


class WebhookIn(_Body):
    url: str = Field(..., min_length=8, max_length=2000, pattern=r"^https?://[^\s]+$")
    secret: str | None = Field(None, min_length=16, max_length=200)
    # "report" (a report's outcome, issue 12) is only sent when asked for: the default stays what it was
    events: list[Literal[values(WebhookEvent)]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: ["decision", "appeal"], min_length=1)


# ---- user reports and trusted flaggers (issue 12) ------------------------------------------------
# Parsed by khien.reports.intake.parse_report (field errors name the report: reports[3].category);
# these schemas document the bodies.

__all__ += ["REPORT_SCHEMA", "REPORTS_SCHEMA", "ContestIn", "FlaggerIn", "ReportStateFilter"]

ReportStateFilter = Literal["open", "upheld", "rejected", "all"]

REPORT_SCHEMA = {
    "title": "Report",
    "type": "object",
    "required": ["subject", "category"],
    "additionalProperties": False,
    "description": "Exactly one of `reporter` (a platform user) or `flagger` (a trusted flagger's name). An item "
                   "report needs the item stored first (404 otherwise); an account is (platform, author id) and "
                   "needs nothing stored.",
    "properties": {
        "platform": {"type": "string", "maxLength": MAX_PLATFORM},
        "reporter": {"type": "object", "additionalProperties": False, "required": ["id"], "properties": {
            "id": {"type": "string", "minLength": 1, "maxLength": MAX_ID},
            "created_at": {"type": "string", "description": "When the reporting account was created (ISO 8601)."}}},
        "flagger": {"type": "string", "maxLength": 100},
        "subject": {"type": "object", "minProperties": 1, "maxProperties": 1, "properties": {
            "item": {"type": "string", "maxLength": MAX_ID}, "account": {"type": "string", "maxLength": MAX_ID}}},
        "category": {"type": "string", "description": "A policy category (scam, harassment, ...)."},
        "statement": {"type": "string", "maxLength": 2000},
        "evidence": {"type": "array", "maxItems": 10,
                     "items": {"type": "string", "format": "uri", "maxLength": 2000}},
    },
}

REPORTS_SCHEMA = {"oneOf": [REPORT_SCHEMA, {
    "title": "ReportBatch", "type": "object", "required": ["reports"], "additionalProperties": False,
    "properties": {"reports": {"type": "array", "minItems": 1, "maxItems": 1000, "items": REPORT_SCHEMA}}}]}


class ContestIn(_Body):
    statement: str = Field(..., min_length=1, max_length=2000,
                           description="The reporter's words: why the decision not to act is wrong.")


class FlaggerIn(_Body):
    name: str = Field(..., min_length=1, max_length=100)
    organisation: str = Field(..., min_length=1, max_length=300)
    respond_hours: int = Field(..., ge=1, le=24 * 90, description="Hours within which its reports are answered.")
    contact: str | None = Field(None, max_length=300)
