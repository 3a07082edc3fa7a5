"""A fact-check case in the console (issue 15): candidates beside the post, highlight, confirm / reject."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from khien.claims import FactCheck, Matcher, Publisher, Rating

from .conftest import make_app, seed

CHANH = FactCheck(id="fc-chanh", claim="Uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư giai đoạn cuối",
                  rating_text="Sai sự thật", rating=Rating.FALSE, publisher=Publisher("Kiểm Chứng"),
                  url="https://kiemchung.example.org/chanh-nong-ung-thu",
                  title="Nước chanh nóng không chữa được ung thư",
                  review_date="2024-03-02")
POST = {"id": "fc-post", "platform": "facebook", "reach": {"views": 300},
        "text": ("Cả nhà ơi, uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư giai đoạn cuối, "
                 "chia sẻ ngay cho người thân")}


@dataclass(frozen=True)
class _Suggested:
    fact_check: FactCheck
    score: float
    scores: dict
    terms: tuple
    spans: tuple
    tier: str = "suggest"
    stance: str | None = None  # the post's stance unread: "unclear", which a person reviews
    mode: str = "bm25"


class SuggestingMatcher(Matcher):
    """Every candidate at tier ``suggest`` (stands in for the calibrated matcher): a case for a person."""

    def match(self, text, k=5):
        return [_Suggested(m.fact_check, 0.7, m.scores, m.terms, m.spans) for m in super().match(text, k)]


@pytest.fixture
def fc_console(store):
    from fastapi.testclient import TestClient

    from khien.detect.context import DetectorContext
    from khien.engine import Engine

    from .conftest import Browser

    engine = Engine.from_policy(context=DetectorContext(claims=SuggestingMatcher([CHANH])))
    seed(store, engine, [POST])
    client = TestClient(make_app(store, engine))
    browser = Browser(client)
    assert browser.sign_in("lan").status_code == 303
    with store.read() as tx:
        from khien.review import queries

        case_id = next(c.id for c in queries.queue(tx) if c.item_id == "fc-post")
    yield browser, case_id, store
    client.close()


def test_case_page_shows_candidates_and_highlight(fc_console):
    browser, case_id, _ = fc_console
    html = browser.get(f"/cases/{case_id}").text
    assert 'id="factchecks"' in html
    section = html.split('id="factchecks"', 1)[1].split("</section>", 1)[0]
    assert CHANH.claim in section and "Sai sự thật" in section and "Kiểm Chứng" in section
    assert CHANH.url in section and "2024-03-02" in section
    assert '<mark class="cat-misinformation">' in section and "chanh nóng" in section
    assert "Xác nhận" in section and "Bác bỏ" in section  # Vietnamese by default


def test_english_locale(fc_console):
    browser, case_id, _ = fc_console
    html = browser.get(f"/cases/{case_id}", headers={"Accept-Language": "en"}).text
    if "Candidate fact-checks" not in html:  # the console may read the language from a cookie or ?lang=
        html = browser.get(f"/cases/{case_id}?lang=en").text
    assert "Candidate fact-checks" in html and "Confirm" in html


def test_confirm_and_reject_are_stored_audited_and_exported(fc_console):
    from khien.review import claim_verdicts, queries

    browser, case_id, store = fc_console
    r = browser.post(f"/cases/{case_id}/factchecks/verdict", {"factcheck_id": "fc-chanh", "verdict": "confirmed"})
    assert r.status_code == 303
    html = browser.get(f"/cases/{case_id}").text
    assert "đã xác nhận" in html
    r = browser.post(f"/cases/{case_id}/factchecks/verdict", {"factcheck_id": "fc-chanh", "verdict": "rejected"})
    assert r.status_code == 303
    with store.read() as tx:
        exported = claim_verdicts.export(tx)
        events = queries.audit_log(tx, type="claims.verdict")
    assert [(v.factcheck_id, v.verdict, v.actor) for v in exported] == [("fc-chanh", "rejected", "lan")]
    assert exported[0].text == POST["text"] and exported[0].tier == "suggest"
    assert len(events) == 2


def test_bad_verdicts_are_refused(fc_console):
    browser, case_id, store = fc_console
    assert browser.post(f"/cases/{case_id}/factchecks/verdict",
                        {"factcheck_id": "fc-nope", "verdict": "confirmed"}).status_code == 404
    assert browser.post(f"/cases/{case_id}/factchecks/verdict",
                        {"factcheck_id": "fc-chanh", "verdict": "maybe"}).status_code == 422
    assert browser.post(f"/cases/{case_id}/factchecks/verdict",
                        {"factcheck_id": "fc-chanh", "verdict": "confirmed", "csrf": "wrong"}).status_code == 400


def test_cli_exports_verdicts_as_json(fc_console, tmp_path):
    import json
    import os
    import subprocess
    import sys

    from .conftest import REPO

    browser, case_id, store = fc_console
    browser.post(f"/cases/{case_id}/factchecks/verdict", {"factcheck_id": "fc-chanh", "verdict": "confirmed"})
    if not store.url.startswith("sqlite"):
        pytest.skip("the CLI run reads the SQLite file")
    run = subprocess.run([sys.executable, "-m", "khien", "claims", "verdicts", "--json", "--db", store.url],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert rows == [{"case_id": case_id, "item_id": "fc-post", "factcheck_id": "fc-chanh", "verdict": "confirmed",
                     "tier": "suggest", "score": rows[0]["score"], "text": POST["text"], "actor": "lan",
                     "created_at": rows[0]["created_at"]}]
