"""Request bodies of the API, and the JSON Schema of an item (which ``Item.from_dict`` parses)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ITEM_SCHEMA", "BATCH_SCHEMA", "CaseDecisionIn", "AppealIn", "AppealDecisionIn", "ItemRef",
           "LegalRequestIn", "KeyIn", "WebhookIn", "MAX_ID", "MAX_PLATFORM"]

MAX_ID = 300
MAX_PLATFORM = 100
Action = Literal["allow", "label", "review", "remove"]

_ACCOUNT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"}, "display_name": {"type": "string"}, "handle": {"type": "string"},
        "verified": {"type": "boolean"}, "followers": {"type": "integer", "minimum": 0},
        "created_at": {"type": "string"}, "bio": {"type": "string"}, "url": {"type": "string"},
        "avatar": {"type": "string"},
    },
}

ITEM_SCHEMA = {
    "title": "Item",
    "description": "One piece of content, the same JSON object a line of `khien scan` input holds.",
    "type": "object",
    "required": ["id", "text"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": MAX_ID},
        "text": {"type": "string"},
        "author": _ACCOUNT_SCHEMA,
        "url": {"type": "string"},
        "created_at": {"type": "string"},
        "platform": {"type": "string", "maxLength": MAX_PLATFORM},
        "reach": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "media": {"type": "array", "items": {"type": "string"}},
    },
    "example": {"id": "post-1", "platform": "forum", "text": "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678",
                "reach": {"views": 1200}},
}

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
    action: Action
    clause: str | None = Field(None, max_length=20, description="The policy clause the content breaks, e.g. '2.1'.")
    note: str | None = Field(None, max_length=4000)


class AppealIn(_Body):
    item: str = Field(..., min_length=1, max_length=MAX_ID, description="The id of the item whose decision is appealed.")
    platform: str | None = Field(None, max_length=MAX_PLATFORM)
    statement: str = Field(..., min_length=1, max_length=10_000, description="The user's own words: why it is wrong.")


class AppealDecisionIn(_Body):
    outcome: Literal["upheld", "reversed"]
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
    requested_action: Literal["label", "review", "remove"]
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
    role: Literal["ingest", "moderator", "admin", "auditor"]
    name: str | None = Field(None, min_length=1, max_length=200)


class WebhookIn(_Body):
    url: str = Field(..., min_length=8, max_length=2000, pattern=r"^https?://[^\s]+$")
    secret: str | None = Field(None, min_length=16, max_length=200)
    events: list[Literal["decision", "appeal"]] = Field(default_factory=lambda: ["decision", "appeal"], min_length=1)
