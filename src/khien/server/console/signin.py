"""Signing in and out, and the language switch.

A sign-in attempt first passes :mod:`khien.access.throttle`: an address that failed too often is
refused (429 with ``Retry-After``); an account someone keeps guessing answers after a short delay,
awaited on the event loop so a flood of attempts holds no worker thread. ``app.state.signin_limits``
and ``app.state.signin_sleep`` replace the limits and the sleep (tests record delays instead of waiting).
"""

from __future__ import annotations

import asyncio
import math
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ... import access
from ...access import throttle
from ...enums import Role
from . import auth
from .i18n import LANGS
from .web import (LANG_COOKIE, BadForm, actor_of, check_csrf, clock_of, message_of, page, page_context, posted,
                  redirect, safe_next)

__all__ = ["router", "client_address"]

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    actor = actor_of(request)
    if actor is None:
        return redirect("/login")
    if actor.can(Role.MODERATOR):
        return redirect("/queue")
    if actor.can(Role.AUDITOR):
        return redirect("/audit")
    return redirect("/policy")


@router.get("/login")
def login_form(request: Request) -> Response:
    if actor_of(request) is not None:
        return redirect(safe_next(request.query_params.get("next"), "/"))
    return _login_page(request)


def _login_page(request: Request, error: str | None = None, name: str = "", status: int = 200) -> Response:
    pre = request.cookies.get(auth.PRE_COOKIE) or secrets.token_urlsafe(24)
    ctx = page_context(request)
    ctx.csrf = auth.csrf_token(pre)
    response = page(request, "login.html", status=status, ctx=ctx, error=error, name=name,
                    next=safe_next(request.query_params.get("next"), "/"), msg=message_of(request))
    response.set_cookie(auth.PRE_COOKIE, pre, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        max_age=3600)
    return response


def client_address(request: Request) -> str:
    """The address the throttle counts (the peer; run behind a proxy with ``--proxy-headers``)."""
    return request.client.host if request.client else "unknown"


@router.post("/login")
async def login(request: Request) -> Response:
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    try:
        check_csrf(request, form)
    except BadForm:
        return await run_in_threadpool(_login_page, request, "error_csrf", "", 400)
    name = form.get("name", "").strip()[:200]
    password = form.get("password", "")
    store, clock = request.app.state.store, clock_of(request)
    limits = getattr(request.app.state, "signin_limits", throttle.LIMITS)
    address = client_address(request)

    def gate() -> throttle.Gate:
        with store.read() as tx:
            return throttle.check(tx, name, address, limits=limits, clock=clock)

    verdict = await run_in_threadpool(gate)
    if verdict.refused:
        response = await run_in_threadpool(_login_page, request, "error_throttled", name, 429)
        response.headers["Retry-After"] = str(math.ceil(verdict.retry_after or 1))
        return response
    if verdict.delay:
        await getattr(request.app.state, "signin_sleep", asyncio.sleep)(verdict.delay)
    return await run_in_threadpool(_sign_in, request, form, name, password, address, limits)


def _sign_in(request: Request, form: dict[str, str], name: str, password: str, address: str,
             limits: throttle.Limits) -> Response:
    store = request.app.state.store
    user = access.authenticate(store, name, password) if name and password else None
    with store.write() as tx:
        if user is None:
            throttle.failed(tx, name, address, limits=limits, clock=clock_of(request))
        else:
            throttle.succeeded(tx, name)
    if user is None:
        return _login_page(request, error="error_signin", name=name, status=401)
    token = access.open_session(store, user.id)
    response = redirect(safe_next(form.get("next"), "/"))
    response.set_cookie(auth.SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", max_age=int(access.SESSION_TTL_S))
    response.delete_cookie(auth.PRE_COOKIE)
    return response


@router.post("/logout")
@posted()
def logout(request: Request, form: dict[str, str]) -> Response:
    access.close_session(request.app.state.store, request.cookies.get(auth.SESSION_COOKIE))
    response = redirect("/login?msg=signed_out")
    response.delete_cookie(auth.SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
def set_lang(request: Request, code: str) -> Response:
    response = redirect(safe_next(request.query_params.get("next"), "/"))
    if code in LANGS:
        response.set_cookie(LANG_COOKIE, code, samesite="lax", max_age=365 * 86_400)
    return response

