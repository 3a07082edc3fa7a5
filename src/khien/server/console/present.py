"""What the console shows, computed from stored items and decisions (no I/O here).

- ``highlight``: the text cut into segments, each evidence span inside a ``<mark>`` that names
  the detector(s) and label(s) that found it. Overlapping spans are merged into one mark that
  carries every label, so the user's words are shown exactly once and in order.
- ``links``: every link in the text with its registrable domain (defanged links too).
- ``impersonation``: the account beside the protected entity it resembles, with what matched.
- ``preview``: the statement of reasons the user will receive for a proposed decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

from ...errors import KhienError
from ...policy import Policy

__all__ = ["Segment", "Mark", "evidence_of", "highlight", "links", "impersonation", "preview", "ago", "detector_family"]


@dataclass(frozen=True, slots=True)
class Mark:
    category: str
    detector: str
    label: str | None
    text: str


@dataclass(slots=True)
class Segment:
    text: str
    marks: list[Mark] = field(default_factory=list)

    @property
    def title(self) -> str:
        return "; ".join(f"{m.detector}: {m.category}{' / ' + m.label if m.label else ''}" for m in self.marks)

    @property
    def tags(self) -> list[str]:
        """The visible labels: one per distinct (detector, label)."""
        out: list[str] = []
        for m in self.marks:
            tag = f"{detector_family(m.detector)}·{m.label or m.category}"
            if tag not in out:
                out.append(tag)
        return out

    @property
    def categories(self) -> list[str]:
        return sorted({m.category for m in self.marks})


def detector_family(detector: str) -> str:
    """``lexicon.hate.v1`` → ``lexicon``: short enough for a label beside the words."""
    return detector.split(".", 1)[0] if detector else "?"


def evidence_of(decision: Mapping[str, Any] | None, field_name: str = "text") -> list[tuple[int, int, Mark]]:
    out = []
    for cat in (decision or {}).get("categories", []):
        for ev in cat.get("evidence", []):
            if ev.get("field", "text") != field_name:
                continue
            out.append((int(ev["start"]), int(ev["end"]),
                        Mark(cat["name"], ev.get("detector", ""), ev.get("label"), ev.get("text", ""))))
    return out


def highlight(text: str, spans: Sequence[tuple[int, int, Mark]]) -> list[Segment]:
    """Cut ``text`` at the span edges; merge overlapping spans; drop spans that do not fit."""
    usable = sorted(((s, e, m) for s, e, m in spans if 0 <= s < e <= len(text)), key=lambda t: (t[0], t[1]))
    groups: list[list[Any]] = []  # [start, end, marks]
    for s, e, m in usable:
        if groups and s < groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], e)
            groups[-1][2].append(m)
        else:
            groups.append([s, e, [m]])
    out: list[Segment] = []
    pos = 0
    for s, e, marks in groups:
        if s > pos:
            out.append(Segment(text[pos:s]))
        out.append(Segment(text[s:e], marks))
        pos = e
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def links(text: str) -> list[dict[str, Any]]:
    from ...text.links import find_links
    from ...text.views import views

    out = []
    for link in find_links(views(text).nfc):
        out.append({"text": link.text, "url": link.url, "host": link.domain.host,
                    "domain": link.domain.registrable, "defanged": link.defanged,
                    "idn": link.domain.is_idn, "ip": link.domain.is_ip})
    return out


def impersonation(item: Mapping[str, Any] | None, decision: Mapping[str, Any] | None,
                  registry_source: str = "packaged:default") -> dict[str, Any] | None:
    """The account, the protected entity it resembles and the reasons, when the decision found impersonation.

    ``registry_source`` is the registry the policy configures for ``impersonation.v1``.
    """
    found = next((c for c in (decision or {}).get("categories", []) if c.get("name") == "impersonation"), None)
    if found is None:
        return None
    entity_id = None
    matched: list[dict[str, Any]] = []
    for ev in found.get("evidence", []):
        label = ev.get("label") or ""
        if label.startswith("impersonation:"):
            entity_id = entity_id or label.split(":", 1)[1]
        matched.append({"field": ev.get("field", "text"), "text": ev.get("text", ""), "why": None})
    author = dict((item or {}).get("author") or {})
    entity: dict[str, Any] | None = None
    try:  # the registry and matcher are optional parts: without them the panel still shows the evidence
        from ...impersonation.matcher import Matcher
        from ...impersonation.registry import load_registry

        registry, matcher = _registry(registry_source, load_registry, Matcher)
        if entity_id:
            ent = registry.get(entity_id)
            if ent is not None:
                entity = {"id": ent.id, "kind": ent.kind, "names": list(ent.names), "handles": list(ent.handles),
                          "domains": list(ent.domains)}
        for m in matched:  # links in the text: say why each one resembles the entity
            if m["field"] == "text" and m["text"]:
                url = m["text"] if "://" in m["text"] else "http://" + m["text"]
                reasons = [r for hit in matcher.link(url, "text") if hit.entity == entity_id for r in hit.evidence]
                if reasons:
                    m["why"] = reasons[0].why
        if author:
            match = matcher.account(author, include_verified=True, prefix="author.")
            if match is not None and (entity_id is None or match.entity == entity_id):
                entity_id = match.entity
                reasons = [r.to_dict() for r in match.evidence]
                matched = [m for m in matched if not m["field"].startswith("author.")] + [
                    {"field": r.get("field", ""), "text": r.get("value", ""), "why": r.get("why"),
                     "matched": r.get("matched")} for r in reasons]
                if entity is None:
                    ent = registry.get(match.entity)
                    if ent is not None:
                        entity = {"id": ent.id, "kind": ent.kind, "names": list(ent.names),
                                  "handles": list(ent.handles), "domains": list(ent.domains)}
    except (ImportError, KhienError, AttributeError, TypeError):
        pass
    return {"score": found.get("score"), "entity_id": entity_id, "entity": entity, "account": author,
            "matched": matched}


_REGISTRY: dict[str, Any] = {}


def _registry(source: str, loader: Any, matcher: Any) -> tuple[Any, Any]:
    """A registry and its matcher, built once per source (the index takes a moment to build)."""
    if source not in _REGISTRY:
        registry = loader(source)
        _REGISTRY[source] = (registry, matcher(registry))
    return _REGISTRY[source]


def preview(policy: Policy, case_item: str, action: str, clause: str | None, note: str | None,
            original: Mapping[str, Any] | None) -> dict[str, str]:
    """The statement of reasons a person's decision would send (``{"vi", "en"}``); raises InputError."""
    from ...review.decisions import human_decision

    decision = human_decision(policy, case_item, action, clause or None, note or None, original)
    return dict(decision.reasons)


def ago(when: str | None, now: datetime | None = None) -> str:
    """``2026-11-29T03:12:37.415Z`` → ``3h`` / ``12m`` / ``4d``: compact enough for a dense queue."""
    if not when:
        return ""
    try:
        then = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return when
    if then.tzinfo is None:
        then = then.replace(tzinfo=timezone.utc)
    seconds = max(0, int(((now or datetime.now(timezone.utc)) - then).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86_400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86_400}d"
