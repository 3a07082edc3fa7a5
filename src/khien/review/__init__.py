"""The human side over the store: items and decisions, cases and claims, appeals, legal requests.

Every function takes an open store transaction (``Tx``) and the acting person's name, never an
HTTP request, so the API routers and the moderator console call the same code. Each state change
appends its audit event in the same transaction.
"""

from . import appeals, cases, intake, legal
from .actor import Actor

__all__ = ["Actor", "appeals", "cases", "intake", "legal"]
