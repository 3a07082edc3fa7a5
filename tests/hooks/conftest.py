"""Fixtures: a fresh database per test on SQLite and PostgreSQL."""

from khien.store.testing import db_url, store  # noqa: F401
