"""Statements of reasons, in Vietnamese and English, and the DSA statement-of-reasons fields.

A statement says what was found (quoting the evidence in the user's own words), which clause of
the published policy it breaks, whether a machine or a person decided, and how to appeal.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ..model import CategoryFinding
from .schema import Policy

__all__ = ["statement_of_reasons", "dsa_fields", "ACTION_WORDS", "citations"]

ACTION_WORDS = {
    "allow": {"vi": "giữ nguyên", "en": "left up"},
    "label": {"vi": "gắn nhãn cảnh báo", "en": "labelled with a warning"},
    "review": {"vi": "tạm ẩn để người kiểm duyệt xem xét", "en": "held for review by a moderator"},
    "remove": {"vi": "gỡ bỏ", "en": "removed"},
}

_DSA_VISIBILITY = {
    "label": ["DECISION_VISIBILITY_CONTENT_LABELLED"],
    "review": ["DECISION_VISIBILITY_CONTENT_DISABLED"],
    "remove": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
}

_MAX_QUOTES = 3


def _quotes(findings: Sequence[CategoryFinding], category: str | None) -> list[str]:
    """Up to three quotes of the evidence: the longest spans first, none overlapping another, in text order."""
    chosen = [f for f in findings if f.name == category] or list(findings)
    spans = {(e.start, e.end): e.text for finding in chosen for e, _detector in finding.evidence if e.field == "text"}
    picked: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda se: se[0] - se[1]):
        if all(end <= s or start >= e for s, e in picked):
            picked.append((start, end))
        if len(picked) >= _MAX_QUOTES:
            break
    quotes: list[str] = []
    for start, end in sorted(picked):
        snippet = " ".join(spans[(start, end)].split())
        if len(snippet) > 80:
            snippet = snippet[:77] + "…"
        if snippet and snippet not in quotes:
            quotes.append(snippet)
    if not quotes:  # evidence only in other fields (e.g. an impersonating author's name)
        for finding in chosen:
            for e, _detector in finding.evidence:
                if e.text and e.text not in quotes and len(quotes) < _MAX_QUOTES:
                    quotes.append(" ".join(e.text.split())[:80])
    return quotes


_MAX_CITES = 2


def citations(signals: Sequence[Any], category: str | None) -> list[Mapping[str, Any]]:
    """The published sources a statement cites: the facts of ``category``'s signals that name a
    source (``url`` and ``publisher``, e.g. a fact-check of ``claims.v1``) and are confident enough
    to be shown to the user (``tier`` absent or ``label``), best first, at most two."""
    found = [s for s in signals if s.category == category and category
             and s.facts.get("url") and s.facts.get("publisher") and s.facts.get("tier", "label") == "label"]
    found.sort(key=lambda s: -s.score)
    out: list[Mapping[str, Any]] = []
    for s in found:
        if all(c["url"] != s.facts["url"] for c in out) and len(out) < _MAX_CITES:
            out.append(s.facts)
    return out


def _cite(cites: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    vi, en = "", ""
    for c in cites:
        title = c.get("title") or c.get("url")
        rating = c.get("rating") or c.get("rating_scale") or ""
        vi += f" Bài kiểm chứng: “{title}” của {c['publisher']}, kết luận: {rating}. Xem: <{c['url']}>."
        en += f" Fact-check: “{title}” by {c['publisher']}, rated: {rating}. See: <{c['url']}>."
    return vi, en


def statement_of_reasons(
    policy: Policy,
    action: str,
    findings: Sequence[CategoryFinding],
    category: str | None,
    clause: str | None,
    *,
    automated: bool,
    note: str | None = None,
    detail: Mapping[str, str] | None = None,
    cites: Sequence[Mapping[str, Any]] = (),
) -> dict[str, str]:
    """The statement a user receives, ``{"vi": ..., "en": ...}``; ``cites`` (:func:`citations`):
    published sources it names (a fact-check's title, publisher, rating and link).

    ``detail`` (``{"vi", "en"}``) is what the matched rules add (e.g. the campaign a post belongs
    to); it follows the evidence.

    When a person keeps content (``allow``, not automated) the statement names no clause and no
    category: whatever the engine noted, the moderator found nothing to act on.
    """
    if action == "allow" and not automated:
        vi = "Sau khi người kiểm duyệt xem xét, nội dung được giữ nguyên."
        en = "After review by a human moderator, the content stays up."
        if note:
            vi += f" Ghi chú của người kiểm duyệt: {note}"
            en += f" Moderator's note: {note}"
        return {"vi": vi, "en": en}
    if action == "allow":
        if not findings:
            return {
                "vi": "Không phát hiện nội dung vi phạm chính sách. Nội dung được giữ nguyên.",
                "en": "No content breaking the policy was found. The content stays up.",
            }
        names_vi = ", ".join(policy.categories[f.name].title["vi"] for f in findings if f.name in policy.categories)
        names_en = ", ".join(policy.categories[f.name].title["en"] for f in findings if f.name in policy.categories)
        return {
            "vi": f"Nội dung được giữ nguyên. Đã ghi nhận (không vi phạm đến mức phải xử lý): {names_vi}.",
            "en": f"The content stays up. Noted, below the level that calls for action: {names_en}.",
        }
    cat = policy.categories.get(category or "")
    title_vi = cat.title["vi"] if cat else (category or "")
    title_en = cat.title["en"] if cat else (category or "")
    quotes = _quotes(findings, category)
    quoted_vi = "; ".join(f"“{q}”" for q in quotes)
    found_vi = f" Bằng chứng trong nội dung: {quoted_vi}." if quotes else ""
    found_en = f" Evidence in the content: {quoted_vi}." if quotes else ""
    who_vi = (
        "Quyết định này do hệ thống tự động đưa ra, không có người xem xét."
        if automated
        else "Quyết định này do người kiểm duyệt đưa ra sau khi xem xét."
    )
    who_en = (
        "This decision was made automatically, without human review."
        if automated
        else "This decision was made by a human moderator after review."
    )
    if detail:
        found_vi += f" {detail['vi']}"
        found_en += f" {detail['en']}"
    vi = (
        f"Nội dung đã bị {ACTION_WORDS[action]['vi']} vì vi phạm điều {clause} ({title_vi}) của chính sách "
        f"'{policy.name}'.{found_vi} {who_vi} {policy.appeal['vi']}"
    )
    en = (
        f"The content was {ACTION_WORDS[action]['en']} because it breaks clause {clause} ({title_en}) of the "
        f"policy '{policy.name}'.{found_en} {who_en} {policy.appeal['en']}"
    )
    cite_vi, cite_en = _cite(cites)
    if cites:  # the fact-check goes before the appeal sentence's neighbours: it is the reason
        vi = vi.replace(f" {who_vi}", f"{cite_vi} {who_vi}", 1)
        en = en.replace(f" {who_en}", f"{cite_en} {who_en}", 1)
    if cat is not None and cat.support:
        vi += f" {cat.support['vi']}"
        en += f" {cat.support['en']}"
    if note:
        vi += f" Ghi chú của người kiểm duyệt: {note}"
        en += f" Moderator's note: {note}"
    return {"vi": vi, "en": en}


def dsa_fields(
    policy: Policy,
    item_id: str,
    action: str,
    category: str | None,
    clause: str | None,
    reasons: Mapping[str, str],
    *,
    automated: bool,
    detected_automatically: bool = True,
    created_at: str | None = None,
    source_type: str = "SOURCE_VOLUNTARY",
) -> dict[str, Any] | None:
    """The EU DSA statement-of-reasons fields for an enforcement action (``None`` for ``allow``)."""
    if action == "allow":
        return None
    cat = policy.categories.get(category or "")
    return {
        "decision_visibility": _DSA_VISIBILITY[action],
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": f"{policy.name} clause {clause}",
        "incompatible_content_explanation": reasons["en"],
        "category": cat.dsa_category if cat else "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        "content_type": ["CONTENT_TYPE_TEXT"],
        "automated_detection": "Yes" if detected_automatically else "No",
        "automated_decision": "AUTOMATED_DECISION_FULLY" if automated else "AUTOMATED_DECISION_NOT_AUTOMATED",
        "source_type": source_type,
        "puid": item_id,
        "content_date": created_at,
        "territorial_scope": ["VN"],
        "decision_facts": reasons["en"],
    }
