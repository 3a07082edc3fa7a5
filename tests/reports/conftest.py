"""Fixtures: a fresh database per test on SQLite and PostgreSQL, and the packaged engine."""

import pytest

from khien.store.testing import db_url, store  # noqa: F401


@pytest.fixture(scope="session")
def engine():
    from khien.engine import Engine

    return Engine.from_policy()
