"""The human side over the store: items and decisions, cases and claims, appeals, legal requests.

Every function takes an open store transaction (``Tx``) and the acting person's name, never an
HTTP request, so the API routers and the moderator console call the same code. Each state change
appends its audit event in the same transaction. Services take ``clock=`` (default the wall clock)
so tests move time instead of sleeping. ``services`` opens the store for the server and the CLI.
"""

from . import appeals, cases, intake, legal, lifecycle, services
from .actor import Actor
from .services import open_store

__all__ = ["Actor", "appeals", "cases", "intake", "legal", "lifecycle", "services", "open_store"]
