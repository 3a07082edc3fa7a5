"""The console's plumbing: templates, the signed-in person, CSRF checks, security headers.

Pages never show a traceback or problem+json: errors become a page in the reader's language.
"""

from __future__ import annotations

import functools
import inspect
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import quote, urlencode

import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from ... import __version__
from ...clock import SYSTEM, Clock, iso
from ...review import queries
from ...review.actor import Actor
from ..headers import HTML_SECURITY_HEADERS
from . import auth
from .explain import bar_width, harm_of
from .i18n import DEFAULT_LANG, LANGS, translator
from .present import ago

__all__ = ["Page", "SignInNeeded", "Forbidden", "BadForm", "env", "page", "html", "redirect", "actor_of",
           "require_role", "check_csrf", "safe_next", "LANG_COOKIE", "SECURITY_HEADERS", "policy_of", "claim_ttl",
           "posted", "message_of", "json_page", "clock", "text_of", "error_page", "clauses_of", "page_context",
           "lang_of", "clock_of", "remember_lang"]

LANG_COOKIE = "khien_lang"
_HERE = Path(__file__).parent

# One declaration of the headers every HTML page sends (server/headers.py also adds them to any
# HTML response that did not set them, error pages included).
SECURITY_HEADERS = dict(HTML_SECURITY_HEADERS)


class SignInNeeded(Exception):
    """No live session: the handler redirects to the sign-in page."""


class Forbidden(Exception):
    def __init__(self, needs: str) -> None:
        super().__init__(needs)
        self.needs = needs


class BadForm(Exception):
    """A POST without a valid CSRF token."""


env = Environment(loader=FileSystemLoader(str(_HERE / "templates")), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
env.filters["ago"] = ago
env.filters["pct"] = lambda x: f"{float(x) * 100:.0f}%" if x is not None else ""
env.filters["compact"] = lambda v: v if isinstance(v, str) else orjson.dumps(v).decode()
env.filters["harm"] = harm_of
env.filters["bar_width"] = bar_width


@dataclass(slots=True)
class Page:
    """What every template gets: the reader's language, their account and the CSRF token."""

    request: Request
    lang: str
    actor: Actor | None
    csrf: str
    counts: Mapping[str, int]

    @property
    def _(self) -> Callable[..., str]:
        return translator(self.lang)


def lang_of(request: Request) -> str:
    """The reader's language: ``?lang=`` when it names one, else the remembered choice, else Vietnamese."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    lang = request.cookies.get(LANG_COOKIE, DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


def remember_lang(request: Request, response: Response) -> Response:
    """Keep a ``?lang=`` choice in the cookie the language switch sets, so the next page keeps it."""
    asked = request.query_params.get("lang")
    if asked in LANGS and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(LANG_COOKIE, asked, samesite="lax", max_age=365 * 86_400)
    return response


def clock_of(request: Request) -> Clock:
    """The clock the console reads time from: the app's (a test's ``FakeClock``) or the system's."""
    return getattr(request.app.state, "clock", None) or SYSTEM


def actor_of(request: Request) -> Actor | None:
    cached = getattr(request.state, "console_actor", False)
    if cached is not False:
        return cached
    actor = auth.session_actor(request.app.state.store, request.cookies.get(auth.SESSION_COOKIE))
    request.state.console_actor = actor
    return actor


def require_role(request: Request, *roles: str) -> Actor:
    """The signed-in person if their role is one of ``roles`` (admins may do everything)."""
    actor = actor_of(request)
    if actor is None:
        raise SignInNeeded()
    if roles and not actor.can(*roles):
        raise Forbidden(", ".join(sorted(set(roles) | {"admin"})))
    return actor


def csrf_secret(request: Request) -> str | None:
    if actor_of(request) is not None:
        return request.cookies.get(auth.SESSION_COOKIE)
    return request.cookies.get(auth.PRE_COOKIE)


def check_csrf(request: Request, form: Mapping[str, Any]) -> None:
    if not auth.csrf_ok(csrf_secret(request), str(form.get("csrf") or "")):
        raise BadForm()


def safe_next(target: str | None, default: str = "/queue") -> str:
    """Only paths on this site: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or "\n" in target:
        return default
    return target


def page_context(request: Request, counts: Mapping[str, int] | None = None) -> Page:
    secret = csrf_secret(request)
    return Page(request, lang_of(request), actor_of(request), auth.csrf_token(secret) if secret else "",
                counts or {})


def html(body: str, status: int = 200, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})


def page(request: Request, template: str, status: int = 200, **data: Any) -> HTMLResponse:
    ctx = data.pop("ctx", None) or page_context(request, _counts(request))
    body = env.get_template(template).render(page=ctx, _=ctx._, lang=ctx.lang, actor=ctx.actor, csrf=ctx.csrf,
                                             counts=ctx.counts, version=__version__, path=request.url.path,
                                             here=_here(request), now=iso(clock_of(request).now()), **data)
    return remember_lang(request, html(body, status))


def _here(request: Request) -> str:
    """This page's path and query for the language switch's ``next``, without ``lang`` (it would undo the switch)."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])
    return quote(request.url.path + (f"?{query}" if query else ""), safe="")


def _counts(request: Request) -> Mapping[str, int]:
    actor = actor_of(request)
    if actor is None or not actor.can("moderator"):
        return {}
    with request.app.state.store.read() as tx:
        found = queries.counts(tx, clock=clock_of(request), actor=actor.name)
    return {"cases": found.cases, "appeals": found.appeals, "mine": found.mine}


def redirect(target: str) -> Response:
    return RedirectResponse(target, status_code=303, headers=dict(SECURITY_HEADERS))


# ---- helpers shared by the page modules ------------------------------------------------------

MESSAGES = ("claimed", "decided", "appeal_decided", "signed_out", "nothing_to_claim", "case_opened",
            "verdict_saved")


def policy_of(request: Request) -> Any:
    return request.app.state.engine.policy


def claim_ttl(request: Request) -> float:
    from ...review.cases import DEFAULT_CLAIM_TTL_S

    settings = getattr(request.app.state, "settings", None)
    return float(getattr(settings, "claim_ttl_s", DEFAULT_CLAIM_TTL_S))


def posted(*, csrf: bool = True) -> Callable[[Callable[..., Response]], Callable[..., Any]]:
    """Make ``fn(request, form, **path)`` an endpoint for a POSTed form.

    The form is read on the event loop; ``fn`` then runs in the thread pool, because it blocks on
    the database (and, for signing in, on password hashing). With ``csrf`` the token is checked
    first (a bad one raises :class:`BadForm`).
    """

    def decorate(fn: Callable[..., Response]) -> Callable[..., Any]:
        def checked(request: Request, form: dict[str, str], **kwargs: Any) -> Response:
            if csrf:
                check_csrf(request, form)
            return fn(request, form, **kwargs)

        @functools.wraps(fn)
        async def endpoint(request: Request, **kwargs: Any) -> Response:
            raw = await request.form()
            form = {k: v for k, v in raw.items() if isinstance(v, str)}
            return await run_in_threadpool(checked, request, form, **kwargs)

        # FastAPI reads the endpoint's signature: ``fn``'s, without ``form``, with resolved annotations
        # (they are strings here, and would be looked up in this module otherwise).
        hints = typing.get_type_hints(fn)
        signature = inspect.signature(fn)
        endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[p.replace(annotation=hints.get(name, p.annotation))
                        for name, p in signature.parameters.items() if name != "form"],
            return_annotation=hints.get("return", signature.return_annotation))
        return endpoint

    return decorate


def message_of(request: Request) -> str | None:
    """The ``?msg=`` of a redirect after a POST: only known keys (never text from the URL)."""
    msg = request.query_params.get("msg")
    return msg if msg in MESSAGES else None


def json_page(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json",
                    headers=dict(SECURITY_HEADERS))


def clock(ts: float | None) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ts or 0, tz=timezone.utc).strftime("%H:%M UTC")


def text_of(request: Request, key: str) -> str:
    return translator(lang_of(request))(key)


def error_page(request: Request, exc: Any) -> Response:
    from ..problems import status_of

    return page(request, "error.html", status=status_of(exc), message=exc.message, hint=exc.hint)


def clauses_of(policy: Any) -> list[dict[str, Any]]:
    """The published clauses in order (2.1, 2.2, …, 10.1), with their category's title and definition."""
    out = []
    for clause, name in sorted(policy.clauses().items(), key=lambda kv: [int(p) if p.isdigit() else p
                                                                          for p in kv[0].split(".")]):
        cat = policy.categories[name]
        out.append({"clause": clause, "category": name, "title": cat.title, "definition": cat.definition})
    return out
