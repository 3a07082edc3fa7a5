"""``khien claims``: import (with errors on stderr and exit 1), list, show, match, retire, trust."""

import shutil

import orjson
from typer.testing import CliRunner

from khien.cli.claims_cmd import claims_app

runner = CliRunner()


def test_import_list_show_match_retire(tmp_path, fixtures):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    src = tmp_path / "factchecks.jsonld"
    shutil.copy(fixtures / "factchecks.jsonld", src)
    done = runner.invoke(claims_app, ["import", str(src), "--trust", "--db", url])
    assert done.exit_code == 0, done.output
    assert "3 added, 0 updated, 0 unchanged, 0 refused" in done.output
    assert "publisher 'Kiểm Chứng Mẫu' trusted" in done.output

    table = runner.invoke(claims_app, ["list", "--db", url]).output.splitlines()
    assert table[0].startswith("id\trating") and table[1].startswith("vn-thuy-dien-vo\tfalse\tKiểm Chứng Mẫu")
    lines = runner.invoke(claims_app, ["list", "--json", "--db", url]).output.splitlines()
    assert {orjson.loads(line)["identifier"] for line in lines} == {"vn-thuy-dien-vo", "vn-cccd-ho-tro", "vn-chanh-ung-thu"}

    shown = orjson.loads(runner.invoke(claims_app, ["show", "vn-chanh-ung-thu", "--db", url]).output)
    assert shown["reviewRating"]["alternateName"] == "Sai sự thật" and shown["khien:rating"] == "false"

    matched = runner.invoke(claims_app, ["match", "ae oi uong nc chanh nong chua khoi ung thu do", "-k", "2", "--db", url])
    assert matched.exit_code == 0
    assert matched.output.splitlines()[0].split()[1] == "vn-chanh-ung-thu"
    assert "matched: uong nc chanh nong chua khoi ung thu" in matched.output
    as_json = [orjson.loads(x) for x in runner.invoke(
        claims_app, ["match", "đập thủy điện sắp vỡ", "--json", "--db", url]).output.splitlines()]
    assert as_json[0]["id"] == "vn-thuy-dien-vo" and as_json[0]["score"] > 0 and "thuy_dien" in as_json[0]["terms"]

    assert runner.invoke(claims_app, ["retire", "vn-thuy-dien-vo", "--db", url]).exit_code == 0
    again = runner.invoke(claims_app, ["retire", "vn-thuy-dien-vo", "--db", url])
    assert again.exit_code == 2 and "already retired" in again.output
    gone = runner.invoke(claims_app, ["match", "đập thủy điện sắp vỡ", "--json", "--db", url]).output
    assert "vn-thuy-dien-vo" not in gone
    missing = runner.invoke(claims_app, ["show", "khong-co", "--db", url])
    assert missing.exit_code == 2 and "no fact-check with id 'khong-co'" in missing.output


def test_bad_records_are_reported_by_number_and_field(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    src = tmp_path / "feed.jsonl"
    src.write_text(
        '{"claim": "Sóng 5G làm lây lan virus cúm", "rating": "Sai", "url": "https://k.example.vn/5g"}\n'
        '{"claim": "Uống nước đá gây ung thư", "url": "https://k.example.vn/da"}\n', encoding="utf-8")
    done = runner.invoke(claims_app, ["import", str(src), "--publisher", "Báo Mẫu", "--db", url])
    assert done.exit_code == 1
    assert "feed.jsonl: record 2: rating: missing" in done.output
    assert "1 added, 0 updated, 0 unchanged, 1 refused" in done.output
    listed = runner.invoke(claims_app, ["list", "--db", url]).output
    assert "Báo Mẫu" in listed


def test_match_says_when_no_publisher_is_trusted(tmp_path, fixtures):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    runner.invoke(claims_app, ["import", str(fixtures / "factchecks.csv"), "--db", url])
    out = runner.invoke(claims_app, ["match", "giá vàng miếng giảm một nửa", "--db", url])
    assert "no publisher is trusted" in out.output
    assert runner.invoke(claims_app, ["trust", "Kiểm Chứng Mẫu", "--db", url]).exit_code == 0
    assert "Kiểm Chứng Mẫu" in runner.invoke(claims_app, ["publishers", "--db", url]).output
    out = runner.invoke(claims_app, ["match", "giá vàng miếng giảm một nửa", "--db", url])
    assert "csv-vang-mieng" in out.output
    assert runner.invoke(claims_app, ["untrust", "kiểm chứng mẫu", "--db", url]).exit_code == 0


def test_a_file_that_is_not_json_is_one_line_and_exit_2(tmp_path):
    src = tmp_path / "bad.jsonld"
    src.write_text('{"@type": "ClaimReview",', encoding="utf-8")
    done = runner.invoke(claims_app, ["import", str(src), "--db", f"sqlite:///{tmp_path / 'k.db'}"])
    assert done.exit_code == 2 and "not JSON" in done.output
