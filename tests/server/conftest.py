"""Fixtures: a fresh database per test on SQLite and PostgreSQL, and the packaged engine."""

import pytest

from khien.store.testing import db_url, store  # noqa: F401


@pytest.fixture(scope="session")
def engine():
    from khien.engine import Engine

    return Engine.from_policy()


class Service:
    """A running app (TestClient) with one key per role, and a second moderator."""

    def __init__(self, client, keys):
        self.client = client
        self.keys = keys

    def as_(self, who):
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def post(self, path, who, **kw):
        return self.client.post(path, headers=self.as_(who) | kw.pop("headers", {}), **kw)

    def get(self, path, who, **kw):
        return self.client.get(path, headers=self.as_(who), **kw)

    @property
    def app(self):
        return self.client.app


def make_service(store, engine, **settings):
    from fastapi.testclient import TestClient

    from khien.server import Settings, create_app
    from khien.access import create_key

    opts = {"database_url": store.url, "worker": False, "webhooks": False} | settings
    app = create_app(Settings(**opts), engine=engine, store=store)
    keys = {}
    with store.write() as tx:
        for who, role in (("ingest", "ingest"), ("moderator", "moderator"), ("moderator2", "moderator"),
                          ("admin", "admin"), ("auditor", "auditor")):
            keys[who] = create_key(tx, role=role, name={"moderator": "an", "moderator2": "binh"}.get(who, who)).key
    return app, keys


@pytest.fixture
def service(store, engine):
    from fastapi.testclient import TestClient

    app, keys = make_service(store, engine)
    with TestClient(app) as client:
        yield Service(client, keys)


@pytest.fixture
def start_service(store, engine):
    """``with start_service(**settings) as service:`` a service with other settings."""
    from contextlib import contextmanager

    from fastapi.testclient import TestClient

    @contextmanager
    def start(**settings):
        app, keys = make_service(store, engine, **settings)
        with TestClient(app) as client:
            yield Service(client, keys)

    return start


@pytest.fixture
def app_and_keys(store, engine):
    """An app (lifespan not started) and its keys, for tests that drive it themselves."""
    return make_service(store, engine)
