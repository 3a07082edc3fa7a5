"""The data Khiên passes between its stages: items in, signals in the middle, decisions out.

All types are frozen. Offsets are code-point offsets into the item's original ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

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
]

ACTIONS = ("allow", "label", "review", "remove")
ACTION_SEVERITY = {name: rank for rank, name in enumerate(ACTIONS)}

_ITEM_FIELDS = {"id", "text", "author", "url", "created_at", "platform", "reach", "media"}
_ACCOUNT_FIELDS = {"id", "display_name", "handle", "verified", "followers", "created_at", "bio", "url", "avatar"}


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
    def from_dict(cls, data: Mapping[str, Any], prefix: str = "author") -> "Account":
        if not isinstance(data, Mapping):
            raise InputError(f"field '{prefix}' must be an object, found {type(data).__name__}", field=prefix)
        ident = data.get("id")
        if isinstance(ident, int) and not isinstance(ident, bool):
            ident = str(ident)
        verified = data.get("verified", False)
        if verified is None:
            verified = False
        if not isinstance(verified, bool):
            raise InputError(f"field '{prefix}.verified' must be true or false", field=f"{prefix}.verified")
        return cls(
            id=_expect(ident, str, f"{prefix}.id", "a string"),
            display_name=_expect(data.get("display_name"), str, f"{prefix}.display_name", "a string"),
            handle=_expect(data.get("handle"), str, f"{prefix}.handle", "a string"),
            verified=verified,
            followers=_expect(data.get("followers"), int, f"{prefix}.followers", "an integer"),
            created_at=_expect(data.get("created_at"), str, f"{prefix}.created_at", "a string"),
            bio=_expect(data.get("bio"), str, f"{prefix}.bio", "a string"),
            url=_expect(data.get("url"), str, f"{prefix}.url", "a string"),
            avatar=_expect(data.get("avatar"), str, f"{prefix}.avatar", "a string"),
        )

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
    def from_dict(cls, data: Any, *, strict: bool = False) -> "Item":
        """Build an item from decoded JSON.

        ``strict`` rejects unknown top-level fields (the HTTP API); files may carry extra columns.
        """
        if not isinstance(data, Mapping):
            raise InputError(f"an item must be a JSON object, found {type(data).__name__}")
        if strict:
            unknown = sorted(set(data) - _ITEM_FIELDS)
            if unknown:
                raise InputError(
                    f"unknown field '{unknown[0]}'; valid fields are: {', '.join(sorted(_ITEM_FIELDS))}",
                    field=unknown[0],
                )
        ident = data.get("id")
        if isinstance(ident, int) and not isinstance(ident, bool):
            ident = str(ident)
        if not isinstance(ident, str) or not ident:
            raise InputError("field 'id' is required and must be a non-empty string", field="id")
        text = data.get("text")
        if not isinstance(text, str):
            found = "nothing" if text is None else type(text).__name__
            raise InputError(f"field 'text' is required and must be a string, found {found}", field="text")
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
            author=Account.from_dict(author) if author is not None else None,
            url=_expect(data.get("url"), str, "url", "a string"),
            created_at=_expect(data.get("created_at"), str, "created_at", "a string"),
            platform=_expect(data.get("platform"), str, "platform", "a string"),
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
