"""The moderator console: server-rendered pages over the same service functions as the API.

``mount(app)`` adds the pages, their static files and error pages to an app made by
``create_app``; everything works without JavaScript, and ``static/console.js`` adds the keyboard.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from . import accounts, appeals, cases, factchecks, flaggers, records, reports, signin, users
from .web import BadForm, Forbidden, SignInNeeded, page, redirect, text_of

__all__ = ["router", "mount"]

router = APIRouter(include_in_schema=False)
for _module in (signin, cases, appeals, records, users, accounts, reports, flaggers, factchecks):
    router.include_router(_module.router)
_STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI, settings_or_store: Any = None) -> None:
    """Add the console to ``app`` (made by ``create_app``): pages, static files and error pages.

    The pages read the store, engine and settings from ``app.state`` at request time, so the
    second argument is accepted for symmetry and ignored. Calling it twice is harmless.
    """
    if getattr(app.state, "console_mounted", False):
        return
    app.state.console_mounted = True
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(_STATIC)), name="console-static")

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, _exc: SignInNeeded) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(f"/login?next={quote(target if request.method == 'GET' else '/queue', safe='')}")

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return await run_in_threadpool(page, request, "error.html", status=403,
                                       message=text_of(request, "error_forbidden"), hint=exc.needs)

    @app.exception_handler(BadForm)
    async def _bad_form(request: Request, _exc: BadForm) -> Response:
        return await run_in_threadpool(page, request, "error.html", status=400,
                                       message=text_of(request, "error_csrf"), hint=None)

