"""Signing in and out, and the language switch."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ... import access
from ...enums import Role
from . import auth
from .i18n import LANGS
from .web import LANG_COOKIE, BadForm, actor_of, check_csrf, message_of, page, page_context, posted, redirect, safe_next

__all__ = ["router", "throttle"]

router = APIRouter(include_in_schema=False)
throttle = auth.Throttle()


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


@router.post("/login")
@posted(csrf=False)
def login(request: Request, form: dict[str, str]) -> Response:
    try:
        check_csrf(request, form)
    except BadForm:
        return _login_page(request, error="error_csrf", status=400)
    name = form.get("name", "").strip()[:200]
    password = form.get("password", "")
    if throttle.blocked(name):
        return _login_page(request, error="errorthrottled", name=name, status=429)
    user = access.authenticate(request.app.state.store, name, password) if name and password else None
    if user is None:
        throttle.failed(name)
        return _login_page(request, error="error_signin", name=name, status=401)
    throttle.reset(name)
    token = access.open_session(request.app.state.store, user.id)
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

