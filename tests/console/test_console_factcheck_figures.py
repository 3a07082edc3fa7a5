"""Figures on the fact-checkers' verdicts (issue 15): per tier and per publisher, the verdicts,
confirmed, rejected and the confirmed share, from verdicts given on real fact-check cases: on the
console's /factchecks page, from the service, and as ``khien claims verdicts --summary``.

The cases are made the way they arise: posts decided by an engine matching the store's fact-checks
(recorded as POST /v1/moderate records them), a ``review`` decision opening a fact-check case with
candidates at tier ``suggest``, and a user's report on a labelled post opening a case whose
candidate is at tier ``label``. The verdicts are given through the case page's form."""

from __future__ import annotations

import json

import orjson
import pytest

from khien.clock import FakeClock

from .conftest import ACCOUNTS, PASSWORD, Browser, make_app

T0 = 1_790_000_000.0  # 2026-09-21
FACT_CHECKS = [
    {"id": "tt-dap-hoa-binh", "claim": "Đập thủy điện Hòa Bình bị nứt và sắp vỡ", "rating": "Tin giả",
     "publisher": "Tin Thật", "url": "https://tinthat.example.org/dap-hoa-binh",
     "title": "Đập Hòa Bình không hề bị nứt", "review_date": "2026-06-01", "topic": "disaster"},
    {"id": "km-chanh-ung-thu", "claim": "Uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư giai đoạn cuối",
     "rating": "Sai sự thật", "publisher": "Kiểm Chứng Mẫu", "url": "https://kiemchung.example.vn/chanh-nong",
     "title": "Nước chanh nóng không chữa được ung thư", "review_date": "2026-03-02", "topic": "health"},
]
POSTS = {  # id -> (text, the tier its candidate gets)
    "dap-1": ("Khẩn cấp: đập thủy điện Hòa Bình bị nứt và sắp vỡ, bà con hạ du sơ tán ngay trong đêm nay, chia sẻ "
              "cho mọi người cùng biết", "label"),
    "chanh-1": ("Cả nhà ơi, uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư giai đoạn cuối, chia sẻ ngay cho "
                "người thân", "label"),
    "dap-mo": ("Nghe người ta nói thủy điện Hòa Bình có vấn đề gì đó, nước xả nhiều lắm, bà con hạ du nhớ để ý nhé "
               "mọi người", "suggest"),
    "chanh-nhe": ("nghe nói uống chanh nóng buổi sáng giúp phòng ung thư, mẹ mình uống mấy tháng nay thấy khỏe ra "
                  "nhiều", "suggest"),
}
# post -> the verdicts given on its case in order (a later one replaces the earlier: counted once)
VERDICTS = {"dap-1": ["confirmed"], "chanh-1": ["confirmed"], "dap-mo": ["confirmed", "rejected"],
            "chanh-nhe": ["confirmed"]}
# what the figures must then say: (verdicts, confirmed, rejected, share)
BY_TIER = {"label": (2, 2, 0, 1.0), "suggest": (2, 1, 1, 0.5)}
TOTAL = (4, 3, 1, 0.75)
BY_PUBLISHER = {"Kiểm Chứng Mẫu": (2, 2, 0, 1.0), "Tin Thật": (2, 1, 1, 0.5)}


def _build(store) -> dict[str, int]:
    """Fact-checks imported and trusted, the posts decided and recorded, the labelled ones reported:
    every post's fact-check case, by post id."""
    from khien.access import create_user
    from khien.detect.context import DetectorContext
    from khien.engine import Engine
    from khien.model import Item
    from khien.reports import intake as reports
    from khien.reports.desk import ReportDesk
    from khien.reports.intake import parse_report
    from khien.review import claims, queries
    from khien.review.claims_live import LiveClaims
    from khien.review.actor import Actor
    from khien.review.intake import moderate_many

    clock = FakeClock(T0)
    feed = "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in FACT_CHECKS).encode()
    with store.write() as tx:
        claims.import_document(tx, Actor("quan", "admin"), "feed.jsonl", feed, trust_publishers=True, clock=clock)
    engine = Engine.from_policy(context=DetectorContext(claims=LiveClaims(store, clock=clock)))
    items = [Item.from_dict({"id": i, "platform": "facebook", "text": t, "reach": {"views": 800}})
             for i, (t, _) in POSTS.items()]
    decided = [(i, engine.decide(i)) for i in items]  # decided first, as the service does: never inside a write
    with store.write() as tx:
        done = moderate_many(tx, engine.policy, decided, clock=clock)
        for name, role in ACCOUNTS:
            create_user(tx, name=name, role=role, password=PASSWORD, actor="test")
    actions = {i.id: m.decision.action for i, m in zip(items, done)}
    assert actions == {i: ("label" if tier == "label" else "review") for i, (_, tier) in POSTS.items()}
    with store.write() as tx:  # a user disputes each label: a report case shows the label-tier candidate
        found = [parse_report({"platform": "facebook", "subject": {"item": i}, "category": "misinformation",
                               "statement": "Bài này bị gắn nhãn sai, đề nghị xem lại", "reporter": {"id": f"u-{i}"}},
                              engine.policy, f"reports[{n}]")
                 for n, i in enumerate(i for i, (_, tier) in POSTS.items() if tier == "label")]
        reports.submit(tx, ReportDesk(), engine.policy, Actor("nền tảng", "ingest", key_id=1), found, clock=clock)
    with store.read() as tx:
        return {c.item_id: c.id for c in queries.queue(tx, clock=clock) if c.item_id in POSTS}


def _give_verdicts(browser: Browser, case_of: dict[str, int]) -> None:
    fact_check = {"dap": "tt-dap-hoa-binh", "chanh": "km-chanh-ung-thu"}
    for post, verdicts in VERDICTS.items():
        for verdict in verdicts:
            r = browser.post(f"/cases/{case_of[post]}/factchecks/verdict",
                             {"factcheck_id": fact_check[post.split("-")[0]], "verdict": verdict})
            assert r.status_code == 303 and "verdict_saved" in r.headers["location"], r.text


@pytest.fixture
def judged(store, engine):
    """The world above, with every verdict given through the console, and a signed-in auditor."""
    from fastapi.testclient import TestClient

    case_of = _build(store)
    assert set(case_of) == set(POSTS), case_of  # every post has its fact-check case
    client = TestClient(make_app(store, engine))
    moderator = Browser(client)
    assert moderator.sign_in("lan").status_code == 303
    _give_verdicts(moderator, case_of)
    yield store, client
    client.close()


def _figures(f) -> tuple:
    return (f.verdicts, f.confirmed, f.rejected, f.confirmed_share)


def test_the_service_counts_per_tier_and_per_publisher(judged):
    from khien.review import claim_verdicts

    store, _ = judged
    with store.read() as tx:
        found = claim_verdicts.summary(tx)
        assert len(claim_verdicts.export(tx)) == 4  # the replaced verdict is not counted twice
    assert {f.name: _figures(f) for f in found.by_tier} == BY_TIER
    assert [f.name for f in found.by_tier] == ["label", "suggest"]
    assert _figures(found.total) == TOTAL
    assert {f.name: _figures(f) for f in found.by_publisher} == BY_PUBLISHER
    assert found.public()["by_tier"][1] == {"name": "suggest", "verdicts": 2, "confirmed": 1, "rejected": 1,
                                            "confirmed_share": 0.5}


def test_no_verdicts_yet(store):
    from khien.review import claim_verdicts

    with store.read() as tx:
        found = claim_verdicts.summary(tx)
    assert [(f.name, _figures(f)) for f in found.by_tier] == [("label", (0, 0, 0, None)), ("suggest", (0, 0, 0, None))]
    assert found.by_publisher == () and _figures(found.total) == (0, 0, 0, None)


def _row(html: str, marker: str) -> list[str]:
    import re

    row = html.split(marker, 1)[1].split("</tr>", 1)[0]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)]


@pytest.mark.parametrize("who", ["lan", "thu"])  # a moderator, an auditor
def test_the_fact_checks_page_shows_the_figures(judged, who):
    _, client = judged
    client.cookies.clear()
    browser = Browser(client)
    assert browser.sign_in(who).status_code == 303
    html = browser.get("/factchecks?lang=en").text
    assert "Verdicts on candidate fact-checks" in html and 'href="/factchecks" aria-current="page"' in html
    assert _row(html, 'data-tier="label"') == ["2", "2", "0", "100%"]
    assert _row(html, 'data-tier="suggest"') == ["2", "1", "1", "50%"]
    assert _row(html, 'data-tier="all"') == ["4", "3", "1", "75%"]
    assert _row(html, 'data-publisher="Tin Thật"') == ["2", "1", "1", "50%"]
    assert _row(html, 'data-publisher="Kiểm Chứng Mẫu"') == ["2", "2", "0", "100%"]
    vi = browser.get("/factchecks?lang=vi").text
    assert "Tỷ lệ xác nhận" in vi and "gắn nhãn tự động" in vi


def test_the_page_needs_a_moderator_or_an_auditor(judged):
    _, client = judged
    client.cookies.clear()
    assert client.get("/factchecks", follow_redirects=False).status_code == 303  # sign in first
    browser = Browser(client)
    assert browser.sign_in("nap").status_code == 303  # an ingest account
    assert browser.get("/factchecks").status_code == 403


def test_the_cli_summary(judged):
    from typer.testing import CliRunner

    from khien.cli.claims_cmd import claims_app

    store, _ = judged
    runner = CliRunner()
    text = runner.invoke(claims_app, ["verdicts", "--summary", "--db", store.url])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0] == "tier\tverdicts\tconfirmed\trejected\tconfirmed share"
    assert "label\t2\t2\t0\t100.0%" in lines and "suggest\t2\t1\t1\t50.0%" in lines and "all\t4\t3\t1\t75.0%" in lines
    assert "Tin Thật\t2\t1\t1\t50.0%" in lines and "Kiểm Chứng Mẫu\t2\t2\t0\t100.0%" in lines
    as_json = orjson.loads(runner.invoke(claims_app, ["verdicts", "--summary", "--json", "--db", store.url]).output)
    assert as_json["total"] == {"name": None, "verdicts": 4, "confirmed": 3, "rejected": 1, "confirmed_share": 0.75}
    assert {p["name"]: p["verdicts"] for p in as_json["by_publisher"]} == {"Tin Thật": 2, "Kiểm Chứng Mẫu": 2}

