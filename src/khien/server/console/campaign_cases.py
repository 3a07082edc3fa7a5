"""A CAMPAIGN case on the case page: the cluster card (size, accounts, first and last seen, signals,
score, shared entities, the timeline as bars), the members' texts with what differs from the sample
highlighted, and the bulk decision form with its preview (items, accounts, already decided) and a
required reason.

``cases.py`` routes a case here when its ``subject_kind`` is ``campaign``; claiming works as for any
case, and deciding calls :func:`khien.review.campaigns.decide_in`, which decides each member on its own.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from fastapi import Request

from ...enums import Action, SubjectKind
from ...errors import KhienError
from ...review import campaigns
from ...review.views import CaseView
from ...text.views import fold_accents
from .web import clauses_of, clock, clock_of, policy_of

__all__ = ["is_campaign_case", "view_of", "form_values", "preview", "diff_words", "decide", "SAMPLES"]

SAMPLES = 12  # member texts shown under the card
_WORD = re.compile(r"\S+")
_EDGE = re.compile(r"^[^\w#]+|[^\w#]+$")


def is_campaign_case(case: CaseView) -> bool:
    return case.case.subject_kind == SubjectKind.CAMPAIGN


def _fold(word: str) -> str:
    """A word without accents, case or surrounding punctuation. Not the canonical view word by word:
    teencode read out of context misreads words (``hong`` is "không" there, so "hồng" written without
    accents would be marked as a change)."""
    return _EDGE.sub("", fold_accents(word).casefold())


def diff_words(sample: str, text: str) -> list[tuple[str, bool]]:
    """``text`` as (original word with the space before it, differs) pairs: a word differs when the
    folded words of ``text`` and of ``sample`` do not line up there (difflib over folded words), so
    removed accents or a changed case do not count as a difference but a changed phone number does."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    mine = [_fold(text[a:b]) for a, b in words]
    theirs = [_fold(w) for w in _WORD.findall(sample)]
    same = [False] * len(words)
    for block in difflib.SequenceMatcher(a=theirs, b=mine, autojunk=False).get_matching_blocks():
        for j in range(block.b, block.b + block.size):
            same[j] = True
    out, prev = [], 0
    for (a, b), kept in zip(words, same):
        out.append((text[prev:a] + text[a:b], not kept))
        prev = b
    return out


def view_of(tx: Any, request: Request, case: CaseView) -> dict[str, Any]:
    """Everything the campaign case page shows, read in the caller's transaction."""
    found = campaigns.get_campaign(tx, case.platform, case.item_id, clock=clock_of(request))
    row = found.campaign.row
    peak = max((n for _t, n in row.timeline), default=0) or 1
    samples = [{"item_id": m.item_id, "account": m.account, "words": diff_words(row.sample, m.text or ""),
                "decision": m.decision} for m in found.stored[:SAMPLES]]
    return {
        "case": case, "campaign": found.campaign, "row": row, "members": found.members,
        "stored": len(found.stored), "samples": samples,
        "timeline": [{"at": clock(t), "day": clock(t)[:10], "n": n, "width": round(100 * n / peak)}
                     for t, n in row.timeline],
        "first_seen": clock(row.first_seen), "last_seen": clock(row.last_seen),
        "clauses": clauses_of(policy_of(request)), "actions": campaigns.ACTIONS, "campaign_case": True,
        "outcome": None,
    }


def form_values(view: dict[str, Any], form: dict[str, str] | None = None) -> dict[str, str]:
    """The form's values: remove under the scam clause by default, or what was posted."""
    default_clause = next((c["clause"] for c in view["clauses"] if c["category"] == campaigns.SCAM), "")
    values = {"action": Action.REMOVE.value, "clause": default_clause, "reason": ""}
    if form:
        values.update({k: str(form.get(k, "")) for k in values})
    if values["action"] == Action.ALLOW:
        values["clause"] = ""
    values["reason"] = values["reason"][:campaigns.REASON_MAX]
    return values


def preview(tx: Any, case: CaseView, values: dict[str, str]) -> tuple[campaigns.Preview | None, str | None]:
    """What deciding with ``values`` touches, or the problem that stops it."""
    try:
        return campaigns.preview(tx, case.platform, case.item_id, values["action"]), None
    except KhienError as exc:
        return None, exc.message


def decide(tx: Any, request: Request, actor: Any, case: CaseView, values: dict[str, str]) -> campaigns.Outcome:
    done = campaigns.decide_in(tx, policy_of(request), case.item_id, values["action"], values["reason"], actor,
                               clause=values["clause"] or None, platform=case.platform, clock=clock_of(request))
    if done.confirmed_scam:  # this process's campaign stage acts on the campaign's later members
        request.app.state.engine.confirm_campaign(done.key)
    return done
