"""The audit log is a hash chain: any edited or deleted row is found, and named."""

from sqlalchemy import text
from typer.testing import CliRunner

from khien.audit import events, record, record_many, verify
from khien.audit.chain import AuditEvent, event_hash


def _decided(i):
    return events.CaseDecided(item=f"p{i}", platform="", subject=f"item:p{i}", decision=i, action="remove",
                              clause="1.1", category="scam", proposed_action="review")


def _fill(store, n=5):
    with store.write() as tx:
        for i in range(1, n + 1):
            record(tx, "an", f"case:{i}", _decided(i))


def test_a_fresh_chain_verifies(store):
    _fill(store)
    result = verify(store)
    assert result.ok and result.events == 5 and result.head_seq == 5


def test_each_hash_covers_the_event_and_the_one_before(store):
    _fill(store, 2)
    with store.read() as tx:
        rows = [dict(r._mapping) for r in tx.conn.execute(text("SELECT * FROM audit_events ORDER BY seq"))]
    assert rows[0]["prev_hash"] == "0" * 64
    assert rows[1]["prev_hash"] == rows[0]["hash"]
    import orjson

    r = rows[1]
    assert r["hash"] == event_hash(r["seq"], r["time"], r["actor"], r["type"], r["subject"], orjson.loads(r["payload"]),
                                   r["prev_hash"])


def test_an_edited_payload_is_named(store):
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET payload = '{\"action\":\"allow\"}' WHERE seq = 3"))
    result = verify(store)
    assert not result.ok and result.bad_seq == 3
    assert "event 3" in result.problem and "changed" in result.problem


def test_an_edited_actor_is_named(store):
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 2"))
    assert verify(store).bad_seq == 2


def test_a_deleted_row_is_found(store):
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 4"))
    result = verify(store)
    assert not result.ok and result.bad_seq == 4 and "missing" in result.problem


def test_a_deleted_tail_is_found(store):
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 5"))
    result = verify(store)
    assert not result.ok and result.bad_seq == 5


def test_a_rewritten_chain_still_fails_at_the_head(store):
    _fill(store, 3)
    with store.engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM audit_events WHERE seq = 3")).mappings().one()
        forged = event_hash(3, row["time"], row["actor"], row["type"], row["subject"], {"action": "allow"},
                            row["prev_hash"])
        conn.execute(text("UPDATE audit_events SET payload = '{\"action\":\"allow\"}', hash = :h WHERE seq = 3"),
                     {"h": forged})
    result = verify(store)
    assert not result.ok and result.bad_seq == 3


def test_many_events_in_one_transaction_chain_in_order(store):
    with store.write() as tx:
        record_many(tx, [AuditEvent("system:engine", f"item:{i}", events.DecisionAutomated(
            decision=i, action="allow", category=None, categories=(), rules=(), policy="p"))
                         for i in range(50)])
    assert verify(store).events == 50


def test_cli_verify_exits_1_naming_the_first_bad_event(store, db_url):
    from khien.cli.main import _register, app

    _register()
    _fill(store)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--db", db_url])
    assert ok.exit_code == 0, ok.output
    assert "OK: 5 events" in ok.output
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET subject = 'case:99' WHERE seq = 2"))
    bad = runner.invoke(app, ["audit", "verify", "--db", db_url])
    assert bad.exit_code == 1
    assert "event 2" in bad.output
