"""Trusted flaggers (``/flaggers``), for admins: the list with each flagger's accuracy, an add form,
and removal (a confirmation page first, like a decision).

Every change is a CSRF-checked POST calling :mod:`khien.reports.flaggers` (the same service as
``/v1/flaggers`` and ``khien flaggers``), which validates and writes the audit event. A refusal
shows the page again with the reason and the status the API would answer.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...enums import Role
from ... import access
from ...errors import InputError, KhienError, NotFoundError
from ...reports import flaggers
from ..problems import status_of
from .web import clock_of, error_page, page, posted, redirect, require_role

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
FIELD_MAX = 300
_DONE = ("flagger_added", "flagger_removed")


def _page(request: Request, *, problem: KhienError | None = None, form: dict[str, str] | None = None,
          done: str | None = None) -> Response:
    with request.app.state.store.read() as tx:
        found = flaggers.list_flaggers(tx)
    values = {k: (form or {}).get(k, "")[:FIELD_MAX] for k in ("name", "organisation", "contact", "respond_hours")}
    return page(request, "flaggers.html", status=status_of(problem) if problem else 200, flaggers=found,
                problem=problem.message if problem else None, values=values, done=done,
                max_hours=flaggers.MAX_RESPOND_HOURS, msg=None)


@router.get("/flaggers")
def flagger_list(request: Request) -> Response:
    require_role(request, Role.ADMIN)
    done = request.query_params.get("done")
    return _page(request, done=done if done in _DONE else None)


def _hours(raw: str) -> int:
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 6:
        raise InputError(f"field 'respond_hours' must be a whole number of hours from 1 to "
                         f"{flaggers.MAX_RESPOND_HOURS}, found {raw[:20]!r}", field="respond_hours")
    return int(raw)


@router.post("/flaggers/add")
@posted()
def add(request: Request, form: dict[str, str]) -> Response:
    admin = require_role(request, Role.ADMIN)
    try:
        with request.app.state.store.write() as tx:
            flaggers.add(tx, admin, name=form.get("name", "")[:FIELD_MAX],
                         organisation=form.get("organisation", "")[:FIELD_MAX + 1],
                         contact=form.get("contact", "")[:FIELD_MAX + 1] or None,
                         respond_hours=_hours(form.get("respond_hours", "")), clock=clock_of(request))
    except KhienError as exc:
        return _page(request, problem=exc, form=form)
    return redirect("/flaggers?done=flagger_added")


@router.post("/flaggers/remove")
@posted()
def remove(request: Request, form: dict[str, str]) -> Response:
    """Without ``confirm=1`` the confirmation page; with it the removal (404 page for an unknown name)."""
    admin = require_role(request, Role.ADMIN)
    name = form.get("name", "").strip()[:FIELD_MAX]
    try:
        if form.get("confirm") != "1":
            with request.app.state.store.read() as tx:
                key = access.name_key(name)
                found = next((f for f in flaggers.list_flaggers(tx) if access.name_key(f.flagger.name) == key), None)
            if found is None:
                raise NotFoundError(f"no trusted flagger named {name!r}")
            return page(request, "flagger_confirm.html", flagger=found, msg=None)
        with request.app.state.store.write() as tx:
            flaggers.remove(tx, admin, name, clock=clock_of(request))
    except KhienError as exc:
        return error_page(request, exc)
    return redirect("/flaggers?done=flagger_removed")
