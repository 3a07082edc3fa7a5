"""Errors as RFC 9457 problem+json, and the guard that rejects bad bodies before any route runs.

Bad input is always a 4xx naming the field: malformed JSON (400), invalid UTF-8 (400), a body
over the limit (413), wrong types, unknown or missing fields (422). A 500 means a bug.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import ConflictError, InputError, KhienError, NotFoundError, PermissionDenied, PolicyError

__all__ = [
    "PROBLEM_JSON",
    "AuthError",
    "BadRequest",
    "TooLarge",
    "problem",
    "install_handlers",
    "BodyGuard",
    "parse_json",
    "parse_model",
    "body_schema",
]

log = logging.getLogger("khien.server")
PROBLEM_JSON = "application/problem+json"
_BASE = "https://khien.dev/problems/"


class AuthError(KhienError):
    """No key, or a key that is unknown or revoked."""

    code = "khien.auth"


class BadRequest(InputError):
    """A body that is not JSON, not UTF-8, or not allowed at all (status 400)."""

    code = "khien.input"
    status = 400


class TooLarge(InputError):
    code = "khien.input.too_large"
    status = 413


_STATUS: list[tuple[type[KhienError], int]] = [
    (AuthError, 401),
    (PermissionDenied, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (InputError, 422),
    (PolicyError, 422),
]
_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
           409: "Conflict", 413: "Payload too large", 415: "Unsupported media type", 422: "Invalid input",
           429: "Too many requests", 500: "Internal error", 503: "Service unavailable"}


def status_of(exc: KhienError) -> int:
    explicit = getattr(exc, "status", None)
    if explicit:
        return int(explicit)
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    if exc.code == "khien.store":
        return 503
    return 400


def problem(status: int, detail: str, *, code: str | None = None, field: str | None = None,
            hint: str | None = None, errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {
        "type": _BASE + (code or f"http.{status}").replace("khien.", "").replace(".", "/"),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if field:
        body["field"] = field
    if hint:
        body["hint"] = hint
    if errors:
        body["errors"] = errors
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def from_error(exc: KhienError) -> Response:
    status = status_of(exc)
    headers = {"WWW-Authenticate": 'Bearer realm="khien"'} if status == 401 else None
    retry_after = getattr(exc, "retry_after", None)  # a busy service says when to come back (503)
    if retry_after is not None:
        headers = {"Retry-After": str(int(retry_after))}
    return problem(status, exc.message, code=exc.code, field=exc.field, hint=exc.hint, headers=headers,
                   errors=getattr(exc, "errors", None))


def _loc(loc: tuple[Any, ...]) -> str:
    if loc and loc[0] in ("body", "query", "path", "header", "cookie"):
        loc = loc[1:]
    parts = [str(p) for p in loc]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() and out else (f".{p}" if out else p)
    return out or "body"


def _errors(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for err in raw:
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "extra_forbidden":
            message = f"unknown field '{_loc(loc)}'"
        elif err.get("type") == "missing":
            message = f"field '{_loc(loc)}' is required"
        else:
            message = f"field '{_loc(loc)}': {err.get('msg', 'invalid value')}"
        out.append({"field": _loc(loc), "message": message, "type": err.get("type")})
    return out


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(KhienError)
    async def _khien(_request: Request, exc: KhienError) -> Response:
        return from_error(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> Response:
        errors = _errors(list(exc.errors()))
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        return problem(422, first["message"], code="khien.input", field=first["field"], errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
        return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _bug(_request: Request, exc: Exception) -> Response:
        log.exception("unhandled error")
        return problem(500, "internal error; the server log has the details")


# ---- bodies ------------------------------------------------------------------------------------

def parse_json(raw: bytes) -> Any:
    """Decode a request body; 400 naming the position when it is not JSON."""
    if not raw.strip():
        raise BadRequest("the request body is empty; send a JSON object", field="body")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the request body is not valid JSON: {exc.msg} at character {exc.pos}",
                         field="body") from None


def parse_model(raw: bytes, model: type[BaseModel]) -> Any:
    """Decode and validate a body against ``model`` (strict types; unknown fields rejected)."""
    if not raw.strip():
        raise BadRequest("the request body is empty; send a JSON object", field="body")
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raw_errors = list(exc.errors())
        if raw_errors and raw_errors[0].get("type") == "json_invalid":
            raise BadRequest(f"the request body is not valid JSON: {raw_errors[0]['msg']}", field="body") from None
        raise _ManyErrors(_errors(raw_errors)) from None


class _ManyErrors(InputError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        first = errors[0]
        super().__init__(first["message"], field=first["field"])
        self.errors = errors


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.split("/")[-1]]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def body_schema(schema: dict[str, Any] | type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON request body the route parses itself."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        schema = _inline(schema.model_json_schema())
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


# ---- the guard ---------------------------------------------------------------------------------

ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


class BodyGuard:
    """Pure ASGI middleware: bodies over ``limit`` bytes get 413, bodies that are not UTF-8 or carry
    NUL characters get 400, before the app reads them. The checked body is replayed to the app."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            await self._reject(scope, send, BadRequest("the URL contains a NUL character (%00)", field="url"))
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._reject(scope, send, TooLarge(
                f"the request body is {int(declared)} bytes; the limit is {self.limit}", field="body",
                hint="Send smaller batches."))
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._reject(scope, send, TooLarge(f"the request body is over the limit of {self.limit} bytes",
                                                         field="body", hint="Send smaller batches."))
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            await self._reject(scope, send, BadRequest(
                f"the request body is not valid UTF-8 (byte {exc.start}); send JSON encoded as UTF-8", field="body"))
            return
        if b"\\u0000" in body or b"\x00" in body:
            await self._reject(scope, send, BadRequest("the request body contains a NUL character (\\u0000), "
                                                       "which no text field accepts", field="body"))
            return
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _reject(scope: dict, send: Callable, exc: KhienError) -> None:
        response = from_error(exc)
        await response(scope, None, send)  # type: ignore[arg-type]
