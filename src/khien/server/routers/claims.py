"""Fact-checks (issue 15): import ClaimReview documents (admin) and match a text (moderator)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...enums import Role
from ...errors import InputError
from ...review import claims
from ...review.actor import Actor
from ..auth import require
from ..deps import json_response, raw_body

router = APIRouter(tags=["claims"])
admin = require(Role.ADMIN)
moderator = require(Role.MODERATOR)

# The body's media type names its format; anything else is read as ClaimReview JSON-LD.
_FORMATS = {"application/x-ndjson": "body.jsonl", "application/jsonl": "body.jsonl",
            "application/x-jsonlines": "body.jsonl", "text/csv": "body.csv"}


@router.post("/v1/claims", summary="Import fact-checks: a ClaimReview JSON-LD document, JSONL or CSV")
def import_claims(request: Request, actor: Actor = Depends(admin), raw: bytes = Depends(raw_body),
                  publisher: str | None = None, trust: bool = False) -> Response:
    """New fact-checks added, changed ones updated; refused records are listed with their field.
    A body of which no record could be read is a 422 naming the first bad field."""
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    name = _FORMATS.get(media, "body.jsonld")
    if not raw.strip():
        raise InputError("the request body is empty: send a ClaimReview document", field="body")
    with request.app.state.store.write() as tx:
        parsed = claims.parse_document(name, raw, publisher=publisher)
        if parsed.errors and not parsed.fact_checks:
            first = parsed.errors[0]
            raise InputError(f"record {first.record}: {first.field}: {first.message}", field=first.field)
        result = claims.import_fact_checks(tx, actor, parsed, source=f"api:{name}", trust_publishers=trust,
                                           clock=request.app.state.clock)
    return json_response({"added": list(result.added), "updated": list(result.updated),
                          "unchanged": list(result.unchanged), "trusted": list(result.trusted),
                          "errors": [{"record": e.record, "field": e.field, "message": e.message}
                                     for e in result.errors]})


@router.get("/v1/claims/match", summary="The fact-checks of trusted publishers that best match a text")
def match(request: Request, text: str = "", k: int = 5, actor: Actor = Depends(moderator)) -> Response:
    found = claims.match(request.app.state.claims(), text, k)
    return json_response({"matches": [{
        "factcheck_id": m.fact_check.id, "claim": m.fact_check.claim, "score": round(m.score, 4),
        "tier": m.tier, "stance": m.stance, "rating": m.fact_check.rating_text, "rating_scale": str(m.fact_check.rating),
        "publisher": m.fact_check.publisher.name, "url": m.fact_check.url, "title": m.fact_check.title,
        "review_date": m.fact_check.review_date, "terms": list(m.terms),
        "spans": [{"start": s, "end": e, "text": text[s:e]} for s, e in m.spans]} for m in found]})
