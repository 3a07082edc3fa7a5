"""Signed checkpoints catch what the chain alone cannot: someone with write access to the database who
deletes the newest events and fixes the head, reorders events, or recomputes every hash. Each tamper
is named by its first bad event; a missing head row or a forged checkpoint is a clear failure."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import text

from khien.audit import events, record, verify
from khien.audit.chain import GENESIS, event_hash
from khien.audit.checkpoint import Checkpoint, CheckpointError, append, make, read, record_checkpoint, verify_against
from khien.audit.signing import generate_key, load_private_key, parse_public_key
from khien.clock import FakeClock


def _decided(i: int, action: str = "remove") -> events.CaseDecided:
    return events.CaseDecided(item=f"fb:{i}", platform="facebook", subject=f"item:fb:{i}", decision=i, action=action,
                              clause="3.2 Lừa đảo tuyển cộng tác viên", category="scam",
                              proposed_action="review")


def _fill(store, n: int, start: int = 1) -> None:
    with store.write() as tx:
        for i in range(start, start + n):
            record(tx, "kiemduyet-lan", f"case:{i}", _decided(i))


@pytest.fixture
def key(tmp_path):
    path = tmp_path / "checkpoint.key"
    public = generate_key(path)
    return load_private_key(path), parse_public_key(public)


def _checkpoint(store, key, clock=None) -> Checkpoint:
    made = make(store, key[0], clock=clock or FakeClock())
    record_checkpoint(store, made, clock=clock or FakeClock())
    return made


def _rows(store) -> list[dict]:
    with store.engine.begin() as conn:
        return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM audit_events ORDER BY seq"))]


def _rewrite(store, rows: list[dict]) -> None:
    """What an attacker with write access does: store ``rows`` as the whole chain, every hash recomputed."""
    prev = GENESIS
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
        for seq, row in enumerate(rows, 1):
            h = event_hash(seq, row["time"], row["actor"], row["type"], row["subject"], orjson.loads(row["payload"]),
                           prev)
            conn.execute(text("INSERT INTO audit_events (seq, time, actor, type, subject, payload, prev_hash, hash) "
                              "VALUES (:seq, :time, :actor, :type, :subject, :payload, :prev, :hash)"),
                         {**row, "seq": seq, "prev": prev, "hash": h})
            prev = h
        conn.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"),
                     {"seq": len(rows), "hash": prev})


def test_a_checkpoint_signs_the_head_and_verifies(store, key):
    _fill(store, 5)
    made = _checkpoint(store, key)
    assert (made.seq, made.events) == (5, 5)
    assert made.time == FakeClock().iso()
    with store.read() as tx:
        fifth = tx.conn.execute(text("SELECT hash FROM audit_events WHERE seq = 5")).scalar_one()
    assert made.hash == fifth
    _fill(store, 2, start=6)  # events after the checkpoint are the chain's to vouch for
    result = verify_against(store, [made], key[1])
    assert result.ok and result.events == 8 and result.checkpoints == 1  # 5 + the checkpoint event + 2


def test_an_edited_event_is_named(store, key):
    _fill(store, 5)
    made = _checkpoint(store, key)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET payload = replace(payload, '\"remove\"', '\"allow\"') "
                          "WHERE seq = 3"))
    result = verify_against(store, [made], key[1])
    assert not result.ok and result.bad_seq == 3 and "changed" in result.problem


def test_deleting_the_newest_events_and_fixing_the_head_is_caught_only_by_a_checkpoint(store, key):
    _fill(store, 5)
    made = _checkpoint(store, key)  # covers events 1..5; event 6 is the checkpoint itself
    rows = _rows(store)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq >= 4"))
        conn.execute(text("UPDATE audit_head SET seq = 3, hash = :h WHERE id = 1"), {"h": rows[2]["hash"]})
    assert verify(store).ok  # the chain alone cannot tell
    result = verify_against(store, [made], key[1])
    assert not result.ok and result.bad_seq == 4
    assert "events 4 to 5 were deleted" in result.problem


def test_reordered_events_are_caught(store, key):
    _fill(store, 5)
    made = _checkpoint(store, key)
    # Swapping two rows' sequence numbers breaks the chain at the first of them.
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_events SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_events SET seq = 3 WHERE seq = -1"))
    result = verify_against(store, [made], key[1])
    assert not result.ok and result.bad_seq == 2


def test_reordered_events_with_recomputed_hashes_are_caught_only_by_a_checkpoint(store, key):
    _fill(store, 5)
    made = _checkpoint(store, key)
    rows = _rows(store)
    rows[1], rows[2] = rows[2], rows[1]
    _rewrite(store, rows)
    assert verify(store).ok
    result = verify_against(store, [made], key[1])
    assert not result.ok and result.bad_seq == 5
    assert "rewritten" in result.problem and "events 1 to 5" in result.problem


def test_a_full_rewrite_is_named_within_the_span_between_checkpoints(store, key):
    clock = FakeClock()
    _fill(store, 3)
    first = _checkpoint(store, key, clock)  # covers 1..3; event 4 is this checkpoint
    _fill(store, 3, start=5)
    clock.advance(3600)
    second = _checkpoint(store, key, clock)  # covers 1..7
    rows = _rows(store)
    payload = orjson.loads(rows[5]["payload"])
    payload["action"] = "allow"  # event 6: a removal turned into an allow
    rows[5]["payload"] = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode()
    _rewrite(store, rows)
    assert verify(store).ok
    result = verify_against(store, [first, second], key[1])
    assert not result.ok and result.bad_seq == 7
    assert "events 4 to 7 were rewritten" in result.problem  # event 3 still holds: the first checkpoint says so


def test_a_missing_head_row_is_a_clear_failure_not_a_traceback(store, key):
    _fill(store, 4)
    made = _checkpoint(store, key)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_head"))
    result = verify(store)
    assert not result.ok and result.bad_seq == 6 and "head row is missing" in result.problem
    assert "event 5" in result.problem
    result = verify_against(store, [made], key[1])
    assert not result.ok and "head row is missing" in result.problem


def test_a_checkpoint_with_a_bad_signature_is_refused(store, key, tmp_path):
    _fill(store, 3)
    made = _checkpoint(store, key)
    forged = Checkpoint(**{**orjson.loads(made.to_line()), "seq": 2})
    result = verify_against(store, [forged], key[1])
    assert not result.ok and result.bad_seq == 2 and "bad signature" in result.problem
    other_path = tmp_path / "other.key"
    generate_key(other_path)
    foreign = make(store, load_private_key(other_path), clock=FakeClock())
    result = verify_against(store, [foreign], key[1])
    assert not result.ok and "signed by" in result.problem and "not by the key given" in result.problem


def test_a_broken_chain_is_never_signed(store, key):
    from khien.audit.checkpoint import ChainBroken

    _fill(store, 3)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'ai-do' WHERE seq = 2"))
    with pytest.raises(ChainBroken, match="event 2"):
        make(store, key[0])


def test_checkpoint_files_round_trip_and_bad_lines_are_named(store, key, tmp_path):
    _fill(store, 2)
    path = tmp_path / "checkpoints.jsonl"
    first = _checkpoint(store, key)
    append(path, first)
    second = _checkpoint(store, key)
    append(path, second)
    assert read(path) == [first, second]
    with open(path, "a", encoding="utf-8") as out:
        out.write('{"seq": 9, "hash": "x"}\n')
    with pytest.raises(CheckpointError, match=r"checkpoints.jsonl:3.time: required"):
        read(path)
    path.write_text("")
    with pytest.raises(CheckpointError, match="holds no checkpoint"):
        read(path)


def test_the_key_file_is_private_and_never_overwritten(tmp_path):
    from khien.audit.signing import SigningError

    path = tmp_path / "k.pem"
    public = generate_key(path)
    assert public.startswith("ed25519:") and (path.stat().st_mode & 0o777) == 0o600
    with pytest.raises(SigningError, match="refusing to overwrite"):
        generate_key(path)
    path.chmod(0o644)
    with pytest.raises(SigningError, match="readable by others"):
        load_private_key(path)
    with pytest.raises(SigningError, match="base64 of 32 bytes"):
        parse_public_key("ed25519:not-a-key")


def test_the_transparency_report_names_the_latest_checkpoint(store, key):
    from khien.report import transparency_report

    _fill(store, 3)
    assert transparency_report(store)["checkpoint"] is None
    clock = FakeClock()
    _checkpoint(store, key, clock)
    _fill(store, 1, start=10)
    clock.advance(60)
    latest = _checkpoint(store, key, clock)
    shown = transparency_report(store)["checkpoint"]
    assert shown == {"seq": latest.seq, "hash": latest.hash, "time": latest.time, "public_key": latest.public_key,
                     "covers_report": True}
    _fill(store, 1, start=11)  # a decision after the latest checkpoint
    assert transparency_report(store)["checkpoint"]["covers_report"] is False


# ---- the commands ---------------------------------------------------------------------------------

def _cli(*args, env=None):
    from typer.testing import CliRunner

    from khien.cli.main import _register, app

    _register()
    return CliRunner().invoke(app, list(args), env=env)


def test_cli_keygen_checkpoint_and_verify_catch_a_deleted_tail(store, db_url, tmp_path):
    key_path, log = tmp_path / "audit.key", tmp_path / "checkpoints.jsonl"
    made = _cli("audit", "keygen", "--out", str(key_path))
    assert made.exit_code == 0, made.output
    public = made.stdout.strip().splitlines()[-1]
    assert public.startswith("ed25519:") and (key_path.stat().st_mode & 0o777) == 0o600
    _fill(store, 5)
    signed = _cli("audit", "checkpoint", "--db", db_url, "--out", str(log),
                  env={"KHIEN_AUDIT_CHECKPOINT_KEY": str(key_path)})
    assert signed.exit_code == 0, signed.output
    line = orjson.loads(log.read_text().splitlines()[-1])
    assert line["seq"] == 5 and line["public_key"] == public
    assert orjson.loads(signed.stdout.strip().splitlines()[-1]) == line
    ok = _cli("audit", "verify", "--db", db_url, "--checkpoint", str(log), "--public-key", public)
    assert ok.exit_code == 0 and "OK: 6 events; 1 signed checkpoint holds" in ok.output, ok.output

    rows = _rows(store)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq >= 5"))
        conn.execute(text("UPDATE audit_head SET seq = 4, hash = :h WHERE id = 1"), {"h": rows[3]["hash"]})
    assert _cli("audit", "verify", "--db", db_url).exit_code == 0  # the chain alone is fooled
    bad = _cli("audit", "verify", "--db", db_url, "--checkpoint", str(log), "--public-key", public)
    assert bad.exit_code == 1 and "BROKEN at event 5" in bad.output and "deleted" in bad.output
    # The truncated chain is consistent in itself, so it can be signed again; the old line still catches it.
    assert _cli("audit", "checkpoint", "--db", db_url, "--key", str(key_path), "--out", str(log)).exit_code == 0
    still = _cli("audit", "verify", "--db", db_url, "--checkpoint", str(log), "--public-key", public)
    assert still.exit_code == 1 and "BROKEN at event 5" in still.output


def test_cli_names_a_missing_head_and_a_forged_checkpoint(store, db_url, tmp_path):
    key_path, log = tmp_path / "audit.key", tmp_path / "checkpoints.jsonl"
    public = _cli("audit", "keygen", "--out", str(key_path)).stdout.strip().splitlines()[-1]
    _fill(store, 3)
    assert _cli("audit", "checkpoint", "--db", db_url, "--key", str(key_path), "--out", str(log)).exit_code == 0
    forged = orjson.loads(log.read_text())
    forged["hash"] = "f" * 64
    forged_log = tmp_path / "forged.jsonl"
    forged_log.write_bytes(orjson.dumps(forged) + b"\n")
    bad_sig = _cli("audit", "verify", "--db", db_url, "--checkpoint", str(forged_log), "--public-key", public)
    assert bad_sig.exit_code == 1 and "BROKEN at event 3" in bad_sig.output and "bad signature" in bad_sig.output

    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_head"))
    for args in ((), ("--checkpoint", str(log), "--public-key", public)):
        result = _cli("audit", "verify", "--db", db_url, *args)
        assert result.exit_code == 1, result.output
        assert "head row is missing" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output


def test_cli_checkpoint_needs_a_key_and_verify_needs_both_options(store, db_url, tmp_path):
    no_key = _cli("audit", "checkpoint", "--db", db_url, env={"KHIEN_AUDIT_CHECKPOINT_KEY": ""})
    assert no_key.exit_code == 2 and "khien audit keygen" in no_key.output
    half = _cli("audit", "verify", "--db", db_url, "--checkpoint", str(tmp_path / "c.jsonl"))
    assert half.exit_code == 2 and "--public-key" in half.output
    unreadable = tmp_path / "c.jsonl"
    unreadable.write_text("không phải JSON\n", encoding="utf-8")
    public = _cli("audit", "keygen", "--out", str(tmp_path / "k")).stdout.strip().splitlines()[-1]
    result = _cli("audit", "verify", "--db", db_url, "--checkpoint", str(unreadable), "--public-key", public)
    assert result.exit_code == 1 and "c.jsonl:1: not a JSON line" in result.output


def test_cli_posts_the_checkpoint_to_a_webhook_and_records_it_only_once_delivered(store, db_url, tmp_path,
                                                                                  monkeypatch):
    import httpx

    key_path = tmp_path / "audit.key"
    _cli("audit", "keygen", "--out", str(key_path))
    _fill(store, 2)
    posted = []

    def fake_post(url, *, content, headers, timeout):
        posted.append((url, orjson.loads(content)))
        return httpx.Response(503 if len(posted) == 1 else 204)

    monkeypatch.setattr(httpx, "post", fake_post)
    refused = _cli("audit", "checkpoint", "--db", db_url, "--key", str(key_path),
                   "--webhook", "https://neo.example.vn/khien/checkpoints")
    assert refused.exit_code == 1 and "answered 503" in refused.output and "not recorded" in refused.output
    assert verify(store).events == 2  # nothing recorded
    sent = _cli("audit", "checkpoint", "--db", db_url, "--key", str(key_path),
                "--webhook", "https://neo.example.vn/khien/checkpoints")
    assert sent.exit_code == 0, sent.output
    assert posted[-1][0] == "https://neo.example.vn/khien/checkpoints" and posted[-1][1]["seq"] == 2
    assert verify(store).events == 3  # the audit.checkpoint event
