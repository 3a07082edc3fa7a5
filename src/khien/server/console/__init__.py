"""The moderator console: server-rendered pages (Jinja2) over the review service, at ``/``.

Call :func:`mount` once on an app made by ``create_app``.
"""

from .routes import mount, router

__all__ = ["mount", "router"]
