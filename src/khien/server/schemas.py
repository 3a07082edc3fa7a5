"""Request bodies of the API, and the JSON Schema of an item (generated from the table ``Item.from_dict``
validates against, so the published schema and the parser cannot drift apart)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..enums import Action as ActionEnum
from ..enums import AccountAction, AppealOutcome, AppealState, CaseState, Role, values
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
    events: list[Literal["decision", "appeal"]] = Field(default_factory=lambda: ["decision", "appeal"], min_length=1)
