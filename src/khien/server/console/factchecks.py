"""The fact-check part of a case page (issue 15): the post beside its candidate fact-checks; and
the fact-checks page (``/factchecks``): figures on the verdicts.

A case whose decision carries ``claims.v1`` signals shows each candidate (claim, rating,
publisher, link, review date, tier) with the post's matching words highlighted, and takes a
verdict per candidate: confirm (the post repeats that claim) or reject. Verdicts go through
:mod:`khien.review.claim_verdicts` (stored, audited, exported as evaluation data); the page's
figures (per tier and per publisher: verdicts, confirmed, rejected, confirmed share) are that
service's :func:`~khien.review.claim_verdicts.summary`, as ``khien claims verdicts --summary``.
"""

from __future__ import annotations

from typing import Any, Mapping

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...enums import Role
from ...errors import KhienError
from ...review import claim_verdicts
from .present import Mark, highlight
from .web import clock_of, error_page, page, posted, redirect, require_role

__all__ = ["router", "view_of"]

router = APIRouter(include_in_schema=False)


def view_of(tx: Any, case_id: int, decision: Mapping[str, Any] | None, text: str) -> list[dict[str, Any]]:
    """The candidates of a fact-check case, each with its highlighted post and stored verdict
    (``[]`` for any other case)."""
    found = claim_verdicts.candidates_of(decision)
    if not found:
        return []
    given = claim_verdicts.for_case(tx, case_id)
    out = []
    for c in found:
        spans = [(int(e["start"]), int(e["end"]), Mark("misinformation", "claims.v1", None, e.get("text", "")))
                 for e in c["evidence"]]
        verdict = given.get(c["factcheck_id"])
        out.append({**c, "segments": highlight(text, spans),
                    "verdict": verdict.verdict if verdict else None, "verdict_by": verdict.actor if verdict else None})
    return out


@router.post("/cases/{case_id}/factchecks/verdict")
@posted()
def verdict(request: Request, form: dict[str, str], case_id: int) -> Response:
    actor = require_role(request, "moderator")
    try:
        with request.app.state.store.write() as tx:
            claim_verdicts.give(tx, actor, case_id, form.get("factcheck_id", "")[:100], form.get("verdict", ""),
                                clock=clock_of(request))
    except KhienError as exc:
        return error_page(request, exc)
    return redirect(f"/cases/{case_id}?msg=verdict_saved#factchecks")


@router.get("/factchecks")
def figures(request: Request) -> Response:
    """Figures on the verdicts, for the people who give them and those who audit the matcher."""
    require_role(request, Role.MODERATOR, Role.AUDITOR)
    with request.app.state.store.read() as tx:
        found = claim_verdicts.summary(tx)
    return page(request, "factchecks.html", figures=found, msg=None)
