"""Test support: a fresh database per test, on SQLite and (when one is running) PostgreSQL.

Import the fixtures into a ``conftest.py``::

    from khien.store.testing import db_url, store  # noqa: F401

``db_url`` is parametrised over ``sqlite`` (a file in the test's tmp dir) and ``postgres`` (a
fresh schema on the server named by ``KHIEN_TEST_POSTGRES_URL``, dropped afterwards); the
postgres case is skipped when that variable is unset.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from .db import Store
from .migrate import upgrade

__all__ = ["fresh_database", "db_url", "store", "POSTGRES_ENV"]

POSTGRES_ENV = "KHIEN_TEST_POSTGRES_URL"


@contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty database of ``kind`` (``sqlite`` or ``postgres``)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'khien-test.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set (scripts/test.sh sets it after starting PostgreSQL)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store on ``db_url``."""
    s = Store(db_url)
    upgrade(s)
    yield s
    s.dispose()
