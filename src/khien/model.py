"""The data Khiên passes between its stages: items in, signals in the middle, decisions out.

All types are frozen. Offsets are code-point offsets into the item's original ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .enums import Action, values
from .errors import InputError

__all__ = [
    "Account",
    "Item",
    "Evidence",
    "Signal",
    "CategoryFinding",
    "SignalRecord",
    "Decision",
    "ACTIONS",
    "ACTION_SEVERITY",
    "ITEM_FIELDS",
    "ACCOUNT_FIELDS",
    "MAX_ID",
    "MAX_PLATFORM",
    "MAX_TEXT_CHARS",
    "TextTooLong",
    "item_json_schema",
]

ACTIONS = values(Action)  # mildest first; the enum is the one declaration
ACTION_SEVERITY = {name: rank for rank, name in enumerate(ACTIONS)}

MAX_ID = 300  # longest item id the service stores (the HTTP API refuses longer ones)
MAX_PLATFORM = 100
# Longest text decided by default (the setting ``max_text_chars`` overrides it): engine time and
# memory grow with the text, so an unbounded text is an unbounded request.
MAX_TEXT_CHARS = 100_000


class TextTooLong(InputError):
    """An item's text over the configured limit: 413 in the API, a line error in ``khien scan``."""

    code = "khien.input.too_large"
    status = 413

# The fields of an author and of an item, declared once: ``Account.from_dict`` and ``Item.from_dict``
# validate against these tables, and :func:`item_json_schema` publishes them as the API's JSON Schema.
# Length limits, minimums and unknown fields are enforced when parsing strictly (the HTTP API); files
# read by ``khien scan`` may carry extra columns.
ACCOUNT_FIELDS: Mapping[str, Mapping[str, Any]] = {
    "id": {"type": "string"}, "display_name": {"type": "string"}, "handle": {"type": "string"},
    "verified": {"type": "boolean"}, "followers": {"type": "integer", "minimum": 0},
    "created_at": {"type": "string"}, "bio": {"type": "string"}, "url": {"type": "string"},
    "avatar": {"type": "string"},
}
ITEM_FIELDS: Mapping[str, Mapping[str, Any]] = {
    "id": {"type": "string", "minLength": 1, "maxLength": MAX_ID},
    "text": {"type": "string"},
    "author": {"type": "object", "additionalProperties": False, "properties": ACCOUNT_FIELDS},
    "url": {"type": "string"},
    "created_at": {"type": "string"},
    "platform": {"type": "string", "maxLength": MAX_PLATFORM},
    "reach": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
    "media": {"type": "array", "items": {"type": "string"}},
}
ITEM_REQUIRED = ("id", "text")
_ITEM_FIELDS = frozenset(ITEM_FIELDS)
_ACCOUNT_FIELDS = tuple(ACCOUNT_FIELDS)
_WHAT = {"string": ("a string", str), "integer": ("an integer", int)}


def item_json_schema() -> dict[str, Any]:
    """The JSON Schema of an item, generated from :data:`ITEM_FIELDS` (the API publishes it)."""
    return {
        "title": "Item",
        "description": "One piece of content, the same JSON object a line of `khien scan` input holds.",
        "type": "object",
        "required": list(ITEM_REQUIRED),
        "additionalProperties": False,
        "properties": {name: dict(spec) for name, spec in ITEM_FIELDS.items()},
        "example": {"id": "post-1", "platform": "forum",
                    "text": "Tuyển CTV việc nhẹ lương cao, hoa hồng 15%, ib Zalo 0912345678",
                    "reach": {"views": 1200}},
    }


def _expect(value: Any, kind: type | tuple[type, ...], field_name: str, what: str) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise InputError(f"field '{field_name}' must be {what}, found a boolean", field=field_name)
    if not isinstance(value, kind):
        raise InputError(
            f"field '{field_name}' must be {what}, found {type(value).__name__}", field=field_name
        )
    return value


def _declared(value: Any, spec: Mapping[str, Any], name: str, strict: bool) -> Any:
    """Check a string or integer field against its declaration (limits only when ``strict``)."""
    what, kind = _WHAT[spec["type"]]
    value = _expect(value, kind, name, what)
    if value is None or not strict:
        return value
    if "maxLength" in spec and len(value) > spec["maxLength"]:
        raise InputError(f"field '{name}' is longer than {spec['maxLength']} characters", field=name)
    if "minimum" in spec and value < spec["minimum"]:
        raise InputError(f"field '{name}' must be at least {spec['minimum']}, found {value}", field=name)
    return value


def _refuse_unknown(data: Mapping[str, Any], known: frozenset[str] | tuple[str, ...], prefix: str = "") -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InputError(
            f"unknown field '{prefix}{unknown[0]}'; valid fields are: {', '.join(sorted(known))}",
            field=f"{prefix}{unknown[0]}",
        )


@dataclass(frozen=True, slots=True)
class Account:
    """An author or an account under review."""

    id: str | None = None
    display_name: str | None = None
    handle: str | None = None
    verified: bool = False
    followers: int | None = None
    created_at: str | None = None
    bio: str | None = None
    url: str | None = None
    avatar: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], prefix: str = "author", *, strict: bool = False) -> "Account":
        """An account from decoded JSON, checked against :data:`ACCOUNT_FIELDS` (an integer id becomes text)."""
        if not isinstance(data, Mapping):
            raise InputError(f"field '{prefix}' must be an object, found {type(data).__name__}", field=prefix)
        if strict:
            _refuse_unknown(data, _ACCOUNT_FIELDS, f"{prefix}.")
        values: dict[str, Any] = {}
        for name, spec in ACCOUNT_FIELDS.items():
            value = data.get(name)
            if name == "id" and isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if spec["type"] == "boolean":
                value = False if value is None else value
                if not isinstance(value, bool):
                    raise InputError(f"field '{prefix}.{name}' must be true or false", field=f"{prefix}.{name}")
            else:
                value = _declared(value, spec, f"{prefix}.{name}", strict)
            values[name] = value
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in _ACCOUNT_FIELDS if getattr(self, k) not in (None, False)} | (
            {"verified": True} if self.verified else {}
        )


@dataclass(frozen=True, slots=True)
class Item:
    """One piece of content (a post, comment, message, listing)."""

    id: str
    text: str
    author: Account | None = None
    url: str | None = None
    created_at: str | None = None
    platform: str | None = None
    reach: Mapping[str, int] | None = None
    media: tuple[str, ...] = ()

    @property
    def reach_total(self) -> int:
        """Views plus shares, the number policies and priorities use as 'reach'."""
        if not self.reach:
            return 0
        return int(sum(v for v in self.reach.values() if isinstance(v, (int, float))))

    @classmethod
    def from_dict(cls, data: Any, *, strict: bool = False, max_text: int | None = None) -> "Item":
        """Build an item from decoded JSON.

        Fields are checked against :data:`ITEM_FIELDS`. ``strict`` (the HTTP API) also rejects unknown
        fields and enforces the declared limits (``id`` and ``platform`` lengths, the author's
        fields); files may carry extra columns. ``max_text`` (the API and ``khien scan`` pass the
        ``max_text_chars`` setting) refuses a longer text with :class:`TextTooLong` naming ``text``.
        """
        if not isinstance(data, Mapping):
            raise InputError(f"an item must be a JSON object, found {type(data).__name__}")
        if strict:
            _refuse_unknown(data, _ITEM_FIELDS)
        ident = data.get("id")
        if isinstance(ident, int) and not isinstance(ident, bool):
            ident = str(ident)
        if not isinstance(ident, str) or not ident:
            raise InputError("field 'id' is required and must be a non-empty string", field="id")
        _declared(ident, ITEM_FIELDS["id"], "id", strict)
        text = data.get("text")
        if not isinstance(text, str):
            found = "nothing" if text is None else type(text).__name__
            raise InputError(f"field 'text' is required and must be a string, found {found}", field="text")
        if max_text is not None and len(text) > max_text:
            raise TextTooLong(f"field 'text' has {len(text):,} characters; the limit is {max_text:,}.", field="text",
                              hint="Split the text, or raise the limit (setting max_text_chars).")
        author = data.get("author")
        reach = data.get("reach")
        if reach is not None:
            if isinstance(reach, (int, float)) and not isinstance(reach, bool):
                reach = {"views": int(reach)}
            elif not isinstance(reach, Mapping) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in reach.values()
            ):
                raise InputError("field 'reach' must be an object of numbers, e.g. {\"views\": 10}", field="reach")
        media = data.get("media") or ()
        if not isinstance(media, (list, tuple)) or not all(isinstance(m, str) for m in media):
            raise InputError("field 'media' must be a list of strings", field="media")
        return cls(
            id=ident,
            text=text,
            author=Account.from_dict(author, strict=strict) if author is not None else None,
            url=_declared(data.get("url"), ITEM_FIELDS["url"], "url", strict),
            created_at=_declared(data.get("created_at"), ITEM_FIELDS["created_at"], "created_at", strict),
            platform=_declared(data.get("platform"), ITEM_FIELDS["platform"], "platform", strict),
            reach=dict(reach) if reach else None,
            media=tuple(media),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "text": self.text}
        if self.author is not None:
            out["author"] = self.author.to_dict()
        for key in ("url", "created_at", "platform", "reach"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.media:
            out["media"] = list(self.media)
        return out


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of the original text (or of an item field) that supports a signal."""

    start: int
    end: int
    text: str
    field: str = "text"
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text}
        if self.field != "text":
            out["field"] = self.field
        if self.label:
            out["label"] = self.label
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Evidence":
        return cls(int(data["start"]), int(data["end"]), str(data["text"]), str(data.get("field", "text")),
                   data.get("label"))


@dataclass(frozen=True, slots=True)
class Signal:
    """What one detector found in one item. A detector never decides."""

    detector: str
    category: str
    score: float
    evidence: tuple[Evidence, ...] = ()
    tags: frozenset[str] = frozenset()
    details: Mapping[str, Any] = field(default_factory=dict)
    # Facts a detector establishes about the whole item (e.g. ``{"stance": "solicits"}``); a policy
    # reads them with ``{fact: stance, ...}``. A signal that only carries facts has category "".
    facts: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "detector": self.detector,
            "category": self.category,
            "score": round(self.score, 4),
            "evidence": [e.to_dict() for e in self.evidence],
        }
        if self.tags:
            out["tags"] = sorted(self.tags)
        if self.details:
            out["details"] = dict(self.details)
        if self.facts:
            out["facts"] = dict(self.facts)
        return out


@dataclass(frozen=True, slots=True)
class CategoryFinding:
    """A category found in an item: its best score and the evidence for it."""

    name: str
    score: float
    evidence: tuple[tuple[Evidence, str], ...] = ()  # (evidence, detector)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "score": round(self.score, 4),
            "evidence": [e.to_dict() | {"detector": det} for e, det in self.evidence],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CategoryFinding":
        evidence = tuple((Evidence.from_dict(e), str(e.get("detector", ""))) for e in data.get("evidence", ()))
        return cls(str(data["name"]), float(data.get("score", 0.0)), evidence)


# Signal details a reviewer needs to understand a decision later, by key; anything else a detector
# reports (every contact found, stance scores) stays out of the stored record.
_RECORD_DETAILS = ("model", "model_sha256", "labels", "entity", "kind", "why", "matcher", "terms", "patterns")


def _compact_links(links: Any) -> list[dict[str, Any]]:
    """Links that carried a cue (a list they matched, a risky host): host and flags only."""
    out = []
    for link in links or ():
        flags = [f for f in link.get("flags", ()) if f not in ("defanged",)]
        if flags:
            out.append({"host": link.get("host"), "flags": flags})
    return out


@dataclass(frozen=True, slots=True)
class SignalRecord:
    """A compact, storable summary of one signal: enough for a reviewer to see why it fired.

    ``signal`` is the signal's versioned name (``lexicon.scam.v1``, ``classifier.v1``); ``details``
    keeps the model name and digest (classifier, intent), the entity and the reasons
    (impersonation), the lists and hosts matched (contacts), the terms and patterns (lexicon,
    patterns), and facts established (stance).
    """

    signal: str
    category: str
    score: float
    tags: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_signal(cls, signal: Signal) -> "SignalRecord":
        details: dict[str, Any] = {k: signal.details[k] for k in _RECORD_DETAILS if k in signal.details}
        links = _compact_links(signal.details.get("links"))
        if links:
            details["links"] = links
        if signal.facts:
            details["facts"] = dict(signal.facts)
        return cls(signal.detector, signal.category, round(float(signal.score), 4), tuple(sorted(signal.tags)), details)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"signal": self.signal, "category": self.category, "score": self.score}
        if self.tags:
            out["tags"] = list(self.tags)
        if self.details:
            out["details"] = dict(self.details)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SignalRecord":
        return cls(str(data["signal"]), str(data.get("category", "")), float(data.get("score", 0.0)),
                   tuple(data.get("tags", ())), dict(data.get("details") or {}))


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome for one item under one policy version, with its provenance and reasons."""

    id: str
    action: str
    categories: tuple[CategoryFinding, ...]
    rules: tuple[str, ...]
    policy: str
    detectors: tuple[str, ...]
    reasons: Mapping[str, str]
    automated: bool = True
    clause: str | None = None
    shadow_rules: tuple[str, ...] = ()
    shadow_action: str | None = None
    dsa: Mapping[str, Any] | None = None
    # What detectors established about the item, with their evidence, e.g.
    # ``{"stance": {"label": "solicits", "score": 0.93, "detector": "intent.v1", "evidence": [...]}}``.
    facts: Mapping[str, Any] = field(default_factory=dict)
    # The digest of the engine that made the decision (policy, resolved detector configs, data files,
    # models, registry); None for decisions written before engines had fingerprints.
    fingerprint: str | None = None
    # What each detector found, compactly (see SignalRecord); written only in the provenance form.
    signals: tuple[SignalRecord, ...] = ()

    def to_dict(self, *, dsa: bool = False, provenance: bool = False) -> dict[str, Any]:
        """The decision as JSON. ``provenance`` adds ``signals`` (what a reviewer needs to explain
        it later without re-running the engine); ``khien scan`` writes the form without it."""
        out: dict[str, Any] = {
            "id": self.id,
            "action": self.action,
            "categories": [c.to_dict() for c in self.categories],
            "rules": list(self.rules),
            "policy": self.policy,
        }
        if self.fingerprint:
            out["fingerprint"] = self.fingerprint
        out |= {
            "automated": self.automated,
            "reasons": dict(self.reasons),
            "detectors": list(self.detectors),
        }
        if self.clause:
            out["clause"] = self.clause
        if self.shadow_rules:
            out["shadow"] = {"rules": list(self.shadow_rules), "action": self.shadow_action}
        if self.facts:
            out["facts"] = {k: dict(v) if isinstance(v, Mapping) else v for k, v in self.facts.items()}
        if dsa and self.dsa is not None:
            out["dsa"] = dict(self.dsa)
        if provenance and self.signals:
            out["signals"] = [r.to_dict() for r in self.signals]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Decision":
        """A decision from its ``to_dict`` form, as stored or as ``khien scan`` wrote it, of any age.

        ``Decision.from_dict(x).to_dict(dsa=True, provenance=True) == x`` for every stored decision ``x``.
        """
        if not isinstance(data, Mapping):
            raise InputError(f"a decision must be a JSON object, found {type(data).__name__}")
        try:
            shadow = data.get("shadow") or {}
            return cls(
                id=str(data["id"]),
                action=str(data["action"]),
                categories=tuple(CategoryFinding.from_dict(c) for c in data.get("categories", ())),
                rules=tuple(data.get("rules", ())),
                policy=str(data["policy"]),
                detectors=tuple(data.get("detectors", ())),
                reasons=dict(data.get("reasons") or {}),
                automated=bool(data.get("automated", True)),
                clause=data.get("clause"),
                shadow_rules=tuple(shadow.get("rules", ())),
                shadow_action=shadow.get("action"),
                dsa=dict(data["dsa"]) if data.get("dsa") is not None else None,
                facts={k: dict(v) if isinstance(v, Mapping) else v for k, v in (data.get("facts") or {}).items()},
                fingerprint=data.get("fingerprint"),
                signals=tuple(SignalRecord.from_dict(r) for r in data.get("signals") or ()),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"not a stored decision: {exc!r}") from exc

    def category(self, name: str) -> CategoryFinding | None:
        for finding in self.categories:
            if finding.name == name:
                return finding
        return None
