"""Long texts decided in the engine's child processes are matched against the store's fact-checks
(issue 15): a child opens its own store and its own LiveClaims, so a long post repeating a debunked
claim is labelled exactly as the same claim in a short post decided in the server process."""

from __future__ import annotations

import json

import pytest

DAP = {"claim": "Đập thủy điện Hòa Bình bị nứt và sắp vỡ", "rating": "Tin giả", "publisher": "Tin Thật",
       "url": "https://tinthat.example.org/dap-hoa-binh", "title": "Đập Hòa Bình không hề bị nứt",
       "review_date": "2025-06-01"}
SHORT = ("Khẩn cấp: đập thủy điện Hòa Bình bị nứt và sắp vỡ, bà con hạ du sơ tán ngay trong đêm nay, "
         "chia sẻ cho mọi người cùng biết")
# The claim told with more words: over the child threshold set below (INLINE), so a child decides it.
LONG = ("Đập thủy điện Hòa Bình bị nứt và sắp vỡ!!! Bà con vùng hạ du sơ tán gấp, nước sẽ tràn về Hà Nội "
        "trong vài giờ tới, mọi người chia sẻ ngay cho người thân ở Hòa Bình, Phú Thọ, Hà Nội để kịp chạy")
INLINE = 150


@pytest.fixture
def live_service(store):
    """The service as `khien serve` builds it (no engine given: claims.v1 reads the store), children on."""
    from fastapi.testclient import TestClient

    from khien.access import create_key
    from khien.clock import FakeClock
    from khien.server import Settings, create_app

    from .conftest import Service

    settings = Settings(database_url=store.url, worker=False, webhooks=False, decide_processes=1,
                        decide_inline_chars=INLINE)
    app = create_app(settings, store=store, clock=FakeClock(1_800_000_000.0))
    with store.write() as tx:
        keys = {role: create_key(tx, role=role, name=role).key for role in ("ingest", "admin")}
    with TestClient(app) as client:
        yield Service(client, keys)


def _claims_signals(decision: dict) -> list[dict]:
    return [s for s in decision.get("signals", []) if s["signal"] == "claims.v1"]


def test_a_long_post_decided_in_a_child_is_matched_like_a_short_one(live_service):
    s = live_service
    r = s.post("/v1/claims?trust=true", "admin", content=(json.dumps(DAP, ensure_ascii=False) + "\n").encode(),
               headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    assert len(SHORT) <= INLINE < len(LONG)
    short = s.post("/v1/moderate", "ingest", json={"id": "ngan", "text": SHORT})
    decider = s.app.state.decider
    assert short.status_code == 200, short.text and decider.children.pids == []  # decided in the server
    long = s.post("/v1/moderate", "ingest", json={"id": "dai", "text": LONG})
    assert long.status_code == 200, long.text
    assert decider.children is not None and decider.children.pids  # it did go through a child
    assert not decider.children.mismatch  # and the child's engine was the server's
    for body in (short.json(), long.json()):
        assert body["action"] == "label" and "misinformation.debunked-claim" in body["rules"], body
        (category,) = body["categories"]
        assert category["name"] == "misinformation"
        assert {e["detector"] for e in category["evidence"]} == {"claims.v1"}
        assert body["facts"]["url"]["label"] == DAP["url"] and body["facts"]["tier"]["label"] == "label"
        assert DAP["url"] in body["reasons"]["vi"]
    # the child decided as the server's own engine (with the store's fact-checks) does in-process
    from khien.model import Item

    local = s.app.state.engine.decide(Item(id="dai", text=LONG))
    assert (long.json()["action"], long.json()["rules"]) == (local.action, list(local.rules))


def test_an_engine_given_by_the_caller_keeps_a_plain_recipe(store, engine):
    """A server built with an engine of its own (tests, embedding): the children build the policy's
    engine without the store, as before (the fingerprint check guards the rest)."""
    from khien.run.children import EngineRecipe

    from .conftest import make_service

    app, _ = make_service(store, engine, decide_processes=1)
    assert app.state.decider.children.recipe == EngineRecipe(None)


def test_a_database_in_memory_keeps_long_texts_in_threads():
    """A child cannot open the server's in-memory SQLite: no recipe, so no child decides without it."""
    from khien.run.children import EngineRecipe

    assert EngineRecipe.with_live_claims(None, "sqlite://") is None
    assert EngineRecipe.with_live_claims("p.yaml", "sqlite:///khien.db") == EngineRecipe("p.yaml", "sqlite:///khien.db")
