"""Fixtures: an app with the console mounted, seeded with real Vietnamese examples and accounts."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from khien.store.testing import db_url, store  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "posts.jsonl"
PASSWORD = "mat-khau-thu-nghiem"  # test accounts only
ACCOUNTS = (("lan", "moderator"), ("minh", "moderator"), ("thu", "auditor"), ("quan", "admin"), ("nap", "ingest"))
# One post per category of interest (p0039: an account imitating a bank), plus the same author's other posts
# (author history), plus media.
PICK = ("p0001", "p0002", "p0003", "p0005", "p0039")


@pytest.fixture(scope="session")
def engine():
    from khien.engine import Engine

    return Engine.from_policy()


def example_items(extra: bool = True) -> list[dict]:
    rows = [orjson.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = [r for r in rows if r["id"] in PICK]
    if extra:
        author = chosen[0]["author"]
        chosen.append({"id": "t-same-author", "platform": "facebook", "author": author,
                       "text": "Tuyển CTV làm việc tại nhà, việc nhẹ lương cao 500k/ngày, ib zalo 0912345678 nộp phí giữ chỗ",
                       "reach": {"views": 50}})
        chosen.append({"id": "t-other-platform", "platform": "tiktok", "author": author,
                       "text": "Việc nhẹ lương cao, chuyển khoản trước 200k phí hồ sơ, lh zalo 0987654321",
                       "reach": {"views": 10}})
        chosen.append({"id": "t-media", "platform": "facebook",
                       "text": "Nhận làm bằng đại học, CCCD giả chuẩn phôi thật, giao tận nơi. Zalo 0912 345 678",
                       "media": [BLUE_SQUARE], "reach": {"views": 9000, "shares": 300}})
    return chosen


BLUE_SQUARE = ("data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIxMjAiIGhl"
               "aWdodD0iODAiPjxyZWN0IHdpZHRoPSIxMjAiIGhlaWdodD0iODAiIGZpbGw9IiMzMzY2Y2MiLz48L3N2Zz4=")


def seed(store, engine, items: list[dict] | None = None) -> None:
    """Decide the items through the service layer and create the console accounts."""
    from khien.model import Item
    from khien.review import intake
    from khien.review.actor import Actor
    from khien.access import create_user

    with store.write() as tx:
        intake.ingest(tx, [Item.from_dict(r) for r in (items or example_items())], Actor("test", "ingest"))
    while intake.decide_pending(store, engine):
        pass
    with store.write() as tx:
        for name, role in ACCOUNTS:
            create_user(tx, name=name, role=role, password=PASSWORD, actor="test")


def make_app(store, engine):
    from khien.server import Settings, create_app
    from khien.server.console import mount

    app = create_app(Settings(database_url=store.url, worker=False, webhooks=False), engine=engine, store=store)
    mount(app)
    mount(app)  # a second call changes nothing
    return app


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


class Browser:
    """A TestClient that signs in through the form, like a person without JavaScript."""

    def __init__(self, client):
        self.client = client
        self.csrf = ""

    def sign_in(self, name: str, password: str = PASSWORD):
        page = self.client.get("/login")
        r = self.client.post("/login", data={"csrf": csrf_of(page.text), "name": name, "password": password,
                                             "next": "/"}, follow_redirects=False)
        if r.status_code == 303:
            self.csrf = csrf_of(self.client.get("/policy").text)
        return r

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf", self.csrf)
        return self.client.post(path, data=data, follow_redirects=kw.pop("follow_redirects", False), **kw)


@pytest.fixture
def console(store, engine):
    from fastapi.testclient import TestClient

    seed(store, engine)
    app = make_app(store, engine)
    clients = []

    def browser() -> Browser:
        client = TestClient(app)
        clients.append(client)
        return Browser(client)

    yield browser
    for c in clients:
        c.close()


SCREENSHOTS: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS:
        terminalreporter.write_sep("-", "console screenshots")
        for path in SCREENSHOTS:
            terminalreporter.write_line(path)
