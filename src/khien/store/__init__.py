"""Storage: the only package that imports SQLAlchemy. SQLite (WAL) embedded, PostgreSQL in production.

Everything else talks to the database through :class:`Store` transactions (:class:`Tx`) and the
repository functions in this package (``store.items``, ``store.review``, ``store.audit``,
``store.keys``, ``store.webhooks``), so the state machines in ``review/`` and the audit chain in
``audit/`` stay free of SQL. Items, decisions, cases, appeals and legal requests come back as the
frozen records of ``store.records``; ``server/`` and ``cli/`` reach the store only through
``khien.review.services``.
"""

from .db import DEFAULT_URL, Store, Tx, open_store
from .migrate import current_revision, head_revision, upgrade

__all__ = ["DEFAULT_URL", "Store", "Tx", "open_store", "upgrade", "current_revision", "head_revision"]
