"""``khien items failed`` / ``khien items retry``: list quarantined items and send one back."""

import orjson
from typer.testing import CliRunner

from khien.cli.items_cmd import items_app
from khien.model import Item
from khien.review import Actor, intake
from khien.store import Store, upgrade

runner = CliRunner()


class _Broken:
    def __init__(self, engine):
        self.policy = engine.policy

    def decide_batch(self, items):
        raise RuntimeError("mô hình không tải được")


def test_failed_items_are_listed_and_retried(tmp_path):
    from khien.engine import Engine

    url = f"sqlite:///{tmp_path / 'k.db'}"
    store = Store(url)
    upgrade(store)
    with store.write() as tx:
        intake.ingest(tx, [Item("p1", "Hôm nay trời đẹp quá", platform="forum")], Actor("app", "ingest"))
    intake.decide_pending(store, _Broken(Engine.from_policy()))
    listed = runner.invoke(items_app, ["failed", "--db", url, "--json"])
    assert listed.exit_code == 0, listed.output
    entry = orjson.loads(listed.stdout.splitlines()[0])
    assert entry["id"] == "p1" and entry["error"] == "RuntimeError: mô hình không tải được"
    done = runner.invoke(items_app, ["retry", "p1", "--platform", "forum", "--db", url])
    assert done.exit_code == 0 and "pending again" in done.stdout
    again = runner.invoke(items_app, ["retry", "p1", "--platform", "forum", "--db", url])
    assert again.exit_code == 2 and "is pending; it cannot be retried" in again.output
    with store.read() as tx:
        assert intake.item_state(tx, "forum", "p1").status == "pending"
    store.dispose()
