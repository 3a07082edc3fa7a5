"""Shared route plumbing: the raw body, JSON responses, and the app's store, engine and settings."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response

__all__ = ["raw_body", "json_response"]


async def raw_body(request: Request) -> bytes:
    """The body as bytes (already size- and UTF-8-checked by BodyGuard); routes parse it themselves."""
    return await request.body()


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json", headers=headers)
