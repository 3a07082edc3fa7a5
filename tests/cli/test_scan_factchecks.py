"""``khien scan --db`` records the posts claims.v1 labels or sends to review (issue 15): a review
opens a fact-check case a fact-checker finds in the queue, with its candidates; no other decision
of the scan is written; a scan run again records nothing twice; the decisions written are a plain
scan's, byte for byte. On SQLite and PostgreSQL (when KHIEN_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from khien.cli import main as cli
from khien.cli.claims_cmd import claims_app
from khien.review import claim_verdicts, intake, open_store, queries
from khien.review.actor import Actor
from khien.store.testing import db_url  # noqa: F401

runner = CliRunner()
app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
cli.register(app, [row for row in cli.COMMANDS if row.name in ("scan", "explain")])  # a group, as khien is

# A publisher's feed, as `khien claims import` reads it (the JSONL form of ClaimReview's fields).
FACT_CHECKS = [
    {"id": "tt-dap-hoa-binh", "claim": "Đập thủy điện Hòa Bình bị nứt và sắp vỡ", "rating": "Tin giả",
     "publisher": "Tin Thật", "url": "https://tinthat.example.org/dap-hoa-binh",
     "title": "Đập Hòa Bình không hề bị nứt", "review_date": "2026-06-01", "topic": "disaster"},
    {"id": "tt-chanh-ung-thu", "claim": "Uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư giai đoạn cuối",
     "rating": "Sai sự thật", "publisher": "Tin Thật", "url": "https://tinthat.example.org/chanh-nong",
     "title": "Nước chanh nóng không chữa được ung thư", "review_date": "2026-03-02", "topic": "health"},
]
# repeat a claim confidently (also inside a long post): label with the fact-check's link
LABELLED = {"dap-1", "chanh-1", "dap-dai"}
REVIEWED = {"dap-mo", "chanh-nhe"}  # may repeat one: a fact-check case for a person
POSTS = [
    {"id": "dap-1", "platform": "facebook", "text": "Khẩn cấp: đập thủy điện Hòa Bình bị nứt và sắp vỡ, bà con hạ du "
     "sơ tán ngay trong đêm nay, chia sẻ cho mọi người cùng biết"},
    {"id": "chanh-1", "platform": "facebook", "text": "Cả nhà ơi, uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư "
     "giai đoạn cuối, chia sẻ ngay cho người thân"},
    {"id": "dap-bac-bo", "platform": "facebook", "text": "Tin đập thủy điện Hòa Bình bị nứt và sắp vỡ là tin giả, đã "
     "được kiểm chứng, mọi người đừng chia sẻ"},
    {"id": "dap-hoi", "platform": "facebook", "text": "Đập thủy điện Hòa Bình bị nứt và sắp vỡ có thật không ae?"},
    {"id": "pho", "platform": "facebook",
     "text": "Hôm nay trời đẹp, cả nhà đi công viên chơi rồi ăn phở bò ở đầu ngõ."},
    # a scam: removed and a case on the API, but not claims.v1's, so the scan does not record it
    {"id": "lua", "platform": "facebook", "text": "Tuyển CTV việc nhẹ lương cao, hoa hồng 15% mỗi đơn, nạp tiền để "
     "rút, ib Zalo 0912 345 678."},
    {"id": "dap-dai", "platform": "facebook", "text": "Tin nóng từ người quen làm ở nhà máy gửi về lúc nửa đêm. "
     "Khẩn cấp: đập thủy điện Hòa Bình bị nứt và sắp vỡ, bà con hạ du sơ tán ngay trong đêm nay, chia sẻ cho "
     "mọi người cùng biết. Nhà em ở Hòa Bình, cả xóm đang thu dọn đồ đạc, xe cộ chạy ra quốc lộ kín đường, ai có "
     "người thân ở Hà Nội thì gọi điện báo ngay, đừng chần chừ kẻo không kịp."},
    {"id": "dap-mo", "platform": "facebook", "text": "Nghe người ta nói thủy điện Hòa Bình có vấn đề gì đó, nước "
     "xả nhiều lắm, bà con hạ du nhớ để ý nhé mọi người"},
    # no platform in the record: --platform names it
    {"id": "chanh-nhe", "text": "nghe nói uống chanh nóng buổi sáng giúp phòng ung thư, mẹ mình uống mấy tháng nay "
     "thấy khỏe ra nhiều"},
]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _scan(src: Path, *extra: str):
    result = runner.invoke(app, ["scan", str(src), "--batch-size", "2", *extra])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("workers", ["1", "2"])
def test_scan_db_opens_fact_check_cases_and_records_only_claims_decisions(tmp_path, db_url, workers):
    feed = _write(tmp_path / "tinthat.jsonl", FACT_CHECKS)
    imported = runner.invoke(claims_app, ["import", str(feed), "--trust", "--db", db_url])
    assert imported.exit_code == 0 and "2 added" in imported.output, imported.output
    src = _write(tmp_path / "posts.jsonl", POSTS)

    first = _scan(src, "--workers", workers, "--db", db_url, "--platform", "facebook")
    decided = {d["id"]: d for d in map(json.loads, first.stdout_bytes.splitlines())}
    # the fixture is what it claims (the matcher's tiers, the stance rule, the scam rules)
    assert {i for i, d in decided.items() if d["rules"] == ["misinformation.debunked-claim"]} == LABELLED
    assert {i for i, d in decided.items() if d["rules"] == ["misinformation.possible"]} == REVIEWED
    assert decided["lua"]["action"] == "remove" and decided["dap-bac-bo"]["action"] == "allow"
    assert "fact-check cases: 2 opened, 3 labelled posts recorded, 0 fact-check decisions already" in first.stderr

    store = open_store(db_url)
    with store.read() as tx:
        stored = {p["id"] for p in POSTS if intake.item_state(tx, "facebook", p["id"]) is not None}
        assert stored == LABELLED | REVIEWED  # only claims.v1's decisions: not the scam, not the rest
        for item_id in LABELLED | REVIEWED:
            state = intake.item_state(tx, "facebook", item_id)
            assert state.decision.action == decided[item_id]["action"]
        open_cases = [c for c in queries.queue(tx) if c.item_id in {p["id"] for p in POSTS}]
    assert sorted(c.item_id for c in open_cases) == sorted(REVIEWED)  # a label opens no case
    # each is a fact-check case: its candidates are there, and a fact-checker's verdict is taken
    case = next(c for c in open_cases if c.item_id == "dap-mo")
    with store.write() as tx:
        from khien.review import cases

        shown = cases.get_case(tx, case.id)
        (top, *_) = claim_verdicts.candidates_of(shown.decision.public(provenance=True))
        assert top["factcheck_id"] == "tt-dap-hoa-binh" and top["url"] == FACT_CHECKS[0]["url"]
        verdict = claim_verdicts.give(tx, Actor("lan", "moderator"), case.id, top["factcheck_id"], "confirmed")
    assert verdict.tier == "suggest" and verdict.item_id == "dap-mo"

    again = _scan(src, "--workers", workers, "--db", db_url, "--platform", "facebook")
    assert again.stdout_bytes == first.stdout_bytes
    assert "fact-check cases: 0 opened, 0 labelled posts recorded, 5 fact-check decisions already" in again.stderr
    with store.read() as tx:
        assert sorted(c.item_id for c in queries.queue(tx) if c.item_id in REVIEWED) == sorted(REVIEWED)
        assert all(len(intake.item_state(tx, "facebook", i).versions) == 1 for i in LABELLED | REVIEWED)
    plain = _scan(src, "-q", "--workers", workers, "--claims", str(feed))
    assert plain.stdout_bytes == first.stdout_bytes  # recording changes no decision written
    store.dispose()


def test_without_fact_checks_nothing_is_recorded(tmp_path, db_url):
    first = _scan(_write(tmp_path / "posts.jsonl", POSTS), "--db", db_url, "--platform", "facebook")
    assert "fact-check cases: 0 opened, 0 labelled posts recorded" in first.stderr
    store = open_store(db_url)
    with store.read() as tx:
        assert all(intake.item_state(tx, "facebook", p["id"]) is None for p in POSTS)
    store.dispose()
