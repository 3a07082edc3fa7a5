"""Fixtures: a fresh database per test on SQLite and PostgreSQL (when KHIEN_TEST_POSTGRES_URL is set)."""

from pathlib import Path

import pytest

from khien.store.testing import db_url, store  # noqa: F401

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
