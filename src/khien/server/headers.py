"""Security headers on every response the app sends, whichever part of it answered.

The console sets :data:`HTML_SECURITY_HEADERS` on its own pages; this middleware makes sure that
every other HTML response (an error page, a page a later router adds) carries them too, and that
every response, HTML or not, carries ``X-Content-Type-Options: nosniff``. A header the response
already set is left as it is, so a page may tighten (never lose) its policy.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

__all__ = ["HTML_SECURITY_HEADERS", "SecurityHeaders"]

# No inline script or style anywhere: the console's own files only. Media may come from the
# platform's https CDN or data: URLs; it is blurred until the moderator asks to see it.
# frame-ancestors 'none' (and X-Frame-Options for old browsers) refuses every framing: no clickjacking.
HTML_SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
                                "media-src 'self' data: https:; connect-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
_HTML = [(k.lower().encode(), v.encode()) for k, v in HTML_SECURITY_HEADERS.items()]
_EVERY = [(b"x-content-type-options", b"nosniff")]


class SecurityHeaders:
    """Pure ASGI middleware adding the headers above to each ``http.response.start``."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                wanted = _HTML if content_type.lower().startswith(b"text/html") else _EVERY
                headers.extend((k, v) for k, v in wanted if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
