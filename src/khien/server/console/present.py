"""What the console shows, computed from stored items and decisions (no I/O here).

- ``highlight``: the text cut into segments, each evidence span inside a ``<mark>`` that names
  the detector(s) and label(s) that found it. Overlapping spans are merged into one mark that
  carries every label, so the user's words are shown exactly once and in order.
- ``links``: every link in the text with its registrable domain (defanged links too).
- ``impersonation``: the account beside the protected entity it resembles, with what matched, from
  the stored decision only (today's registry and matcher are never asked).
- ``signal_records``: the stored signal records of a decision (model, matched entity, why).
- ``preview``: the statement of reasons the user will receive for a proposed decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

from ...model import Decision
from ...policy import Policy

__all__ = ["Segment", "Mark", "SignalRecord", "evidence_of", "highlight", "links", "impersonation", "signal_records",
           "preview", "ago", "detector_family"]


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


def impersonation(item: Mapping[str, Any] | None, decision: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The account beside the protected entity it resembles, from what the decision stored; None without a finding.

    Only the stored decision speaks: its ``impersonation`` evidence (``label`` ``impersonation:<entity>``)
    and, when the decision kept them, its signal records (entity, kind, what matched and why). The
    registry and matcher of today are never asked: they may have changed since the decision was made.
    ``stored_details`` is False when the decision predates signal records, so the page can say so.
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
        matched.append({"field": ev.get("field", "text"), "text": ev.get("text", ""), "why": None, "matched": None})
    record = next((s for s in signal_records(decision) if s.category == "impersonation"), None)
    kind = None
    if record is not None:
        entity_id = str(record.details.get("entity") or entity_id or "") or None
        kind = record.details.get("kind")
        reasons = [r for r in record.details.get("matches") or [] if isinstance(r, Mapping)]
        for m in matched:  # the stored reason for each matched field (or link) as written
            why = next((r for r in reasons if r.get("value") == m["text"]
                        and (r.get("field") in ("", None, m["field"]) or m["field"] == "text")), None)
            if why is not None:
                m["why"], m["matched"] = why.get("why"), why.get("matched")
        shown = {(m["field"], m["text"]) for m in matched}
        matched += [{"field": r.get("field") or "text", "text": r.get("value", ""), "why": r.get("why"),
                     "matched": r.get("matched")} for r in reasons
                    if (r.get("field") or "text", r.get("value", "")) not in shown]
    return {"score": found.get("score"), "entity_id": entity_id, "kind": kind,
            "account": dict((item or {}).get("author") or {}), "matched": matched,
            "stored_details": record is not None}


@dataclass(frozen=True, slots=True)
class SignalRecord:
    """One stored signal record of a decision: which detector (and model) found what, and why."""

    detector: str
    category: str
    score: float | None
    details: Mapping[str, Any]

    @property
    def model(self) -> str | None:
        model = self.details.get("model")
        return str(model) if model else None

    @property
    def why(self) -> list[str]:
        why = self.details.get("why")
        return [str(w) for w in why] if isinstance(why, (list, tuple)) else ([str(why)] if why else [])

    @property
    def shown(self) -> dict[str, Any]:
        """The details worth a line of their own (model, entity and reasons have theirs)."""
        return {k: v for k, v in self.details.items() if k not in ("model", "why", "matches") and v not in (None, "", [])}


_RECORD_KEYS = ("detector", "signal", "name", "category", "score")


def signal_records(decision: Mapping[str, Any] | None) -> list[SignalRecord]:
    """The decision's stored ``signals`` records (an empty list for decisions stored without them).

    Records are read tolerantly: the detector may be named ``detector``, ``signal`` or ``name``, and
    details may sit under ``details`` or beside those keys, so every version of the record reads.
    """
    out = []
    for rec in (decision or {}).get("signals") or []:
        if not isinstance(rec, Mapping):
            continue
        details = rec.get("details")
        if not isinstance(details, Mapping):
            details = {k: v for k, v in rec.items() if k not in _RECORD_KEYS}
        score = rec.get("score")
        out.append(SignalRecord(str(rec.get("detector") or rec.get("signal") or rec.get("name") or "?"),
                                str(rec.get("category") or ""), float(score) if score is not None else None,
                                dict(details)))
    return out


def preview(policy: Policy, case_item: str, action: str, clause: str | None, note: str | None,
            original: Decision | None) -> dict[str, str]:
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
