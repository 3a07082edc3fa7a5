"""khien.settings: defaults, the environment, flags, bad values, misspelt variables, masking."""

from __future__ import annotations

import logging

import pytest

from khien.settings import (
    DEFAULT_DATABASE_URL, OTHER_VARIABLES, SETTINGS, Settings, Source, mask_url, resolve, setting_value,
    typo_warnings,
)
from khien.strict import ConfigError


def test_defaults_when_the_environment_is_empty():
    resolved = resolve({}, {})
    assert resolved.settings == Settings()
    assert resolved.settings.database_url == DEFAULT_DATABASE_URL
    assert resolved.settings.worker_batch == 500 and resolved.settings.claim_ttl_s == 900.0
    assert set(resolved.sources.values()) == {Source.DEFAULT}
    assert resolved.warnings == ()


def test_every_setting_is_declared_with_help_and_a_khien_variable():
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)
    for s in SETTINGS:
        assert s.env == "KHIEN_" + s.name.upper()
        assert s.help.strip(), s.name


def test_environment_values_are_typed_and_flags_win():
    env = {"KHIEN_WORKER_BATCH": " 64 ", "KHIEN_CLAIM_TTL_S": "120", "KHIEN_WEBHOOKS": "off",
           "KHIEN_DATABASE_URL": "sqlite:///từ-env.db", "KHIEN_POLICY": ""}
    resolved = resolve(env, {"database_url": "sqlite:///từ-cờ.db", "worker": None})
    s = resolved.settings
    assert (s.worker_batch, s.claim_ttl_s, s.webhooks) == (64, 120.0, False)
    assert s.database_url == "sqlite:///từ-cờ.db"
    assert resolved.sources["database_url"] is Source.FLAG
    assert resolved.sources["worker_batch"] is Source.ENV
    assert resolved.sources["worker"] is Source.DEFAULT  # a flag of None was not given
    assert resolved.sources["policy"] is Source.DEFAULT and s.policy is None  # empty counts as unset


def test_from_env_keeps_its_old_call_shape(monkeypatch):
    monkeypatch.setenv("KHIEN_MAX_BATCH_ITEMS", "10")
    s = Settings.from_env(database_url="sqlite:///x.db", policy=None, worker=False)
    assert (s.max_batch_items, s.database_url, s.worker) == (10, "sqlite:///x.db", False)


@pytest.mark.parametrize("env, message", [
    ({"KHIEN_WORKER_BATCH": "abc"}, "KHIEN_WORKER_BATCH: expected an integer, found 'abc'"),
    ({"KHIEN_WORKER_BATCH": "0"}, "KHIEN_WORKER_BATCH: expected an integer ≥ 1, found '0'"),
    ({"KHIEN_WORKER_BATCH": "2.5"}, "KHIEN_WORKER_BATCH: expected an integer, found '2.5'"),
    ({"KHIEN_CLAIM_TTL_S": "mười phút"}, "KHIEN_CLAIM_TTL_S: expected a number, found 'mười phút'"),
    ({"KHIEN_WEBHOOK_BACKOFF_S": "nan"}, "KHIEN_WEBHOOK_BACKOFF_S: expected a number, found 'nan'"),
    ({"KHIEN_WORKER": "có"}, "KHIEN_WORKER: expected true or false, found 'có'"),
])
def test_a_bad_value_names_the_variable_and_the_setting(env, message):
    with pytest.raises(ConfigError) as caught:
        resolve(env)
    assert caught.value.message == message
    assert caught.value.field == next(iter(env))
    name = next(iter(env)).removeprefix("KHIEN_").lower()
    assert f"setting {name}:" in str(caught.value)
    assert not isinstance(caught.value, ValueError)


def test_an_unknown_or_wrong_typed_flag_is_refused_with_the_nearest_name():
    with pytest.raises(ConfigError, match="flag.databse_url: unknown key; did you mean `database_url`"):
        resolve({}, {"databse_url": "sqlite:///x.db"})
    with pytest.raises(ConfigError, match="flag.worker_batch: expected an integer"):
        resolve({}, {"worker_batch": "nhiều"})
    with pytest.raises(ConfigError, match="worker_batch: expected an integer ≥ 1"):
        resolve({}, {"worker_batch": 0})


def test_a_misspelt_variable_gets_a_did_you_mean_warning_and_is_not_used():
    env = {"KHIEN_DATABSE_URL": "postgresql+psycopg://khien@db/khien", "KHIEN_WORKR_BATCH": "5",
           "KHIEN_TEST_PG_PORT": "55433", "KHIEN_SOMETHING_ELSE": "1", "HOME": "/root"}
    resolved = resolve(env)
    assert resolved.settings.database_url == DEFAULT_DATABASE_URL
    assert resolved.warnings == (
        "KHIEN_DATABSE_URL is not a Khiên setting and is ignored; did you mean KHIEN_DATABASE_URL?",
        "KHIEN_WORKR_BATCH is not a Khiên setting and is ignored; did you mean KHIEN_WORKER_BATCH?",
    )
    assert typo_warnings({name: "x" for name in OTHER_VARIABLES}) == ()


def test_from_env_logs_a_misspelt_variable_once(monkeypatch, caplog):
    monkeypatch.setenv("KHIEN_KEY_CACHE", "1")
    with caplog.at_level(logging.WARNING, logger="khien.settings"):
        Settings.from_env()
        Settings.from_env()
    hits = [r for r in caplog.records if "KHIEN_KEY_CACHE " in r.getMessage()]
    assert len(hits) == 1 and "did you mean KHIEN_KEY_CACHE_S?" in hits[0].getMessage()


def test_setting_value_reads_one_setting_alone():
    env = {"KHIEN_DATABASE_URL": "sqlite:///kiểm-thử.db", "KHIEN_WORKER_BATCH": "abc"}
    assert setting_value("database_url", environ=env) == "sqlite:///kiểm-thử.db"  # the bad batch is not read
    assert setting_value("database_url", "sqlite:///cờ.db", environ=env) == "sqlite:///cờ.db"
    assert setting_value("database_url", environ={}) == DEFAULT_DATABASE_URL
    with pytest.raises(ConfigError, match="did you mean `database_url`"):
        setting_value("database", environ={})


def test_open_store_takes_its_default_url_from_the_settings(monkeypatch, tmp_path):
    pytest.importorskip("sqlalchemy")
    from khien.store import open_store

    url = f"sqlite:///{tmp_path / 'từ-env.db'}"
    monkeypatch.setenv("KHIEN_DATABASE_URL", url)
    assert open_store().url == url


@pytest.mark.parametrize("url, shown", [
    ("postgresql+psycopg://khien:mật-khẩu@db.example:5432/khien", "postgresql+psycopg://khien:***@db.example:5432/khien"),
    ("postgresql+psycopg://khien@db.example/khien", "postgresql+psycopg://khien@db.example/khien"),
    ("postgresql+psycopg://db.example/khien?user=k&password=bí-mật&sslmode=require",
     "postgresql+psycopg://db.example/khien?user=k&password=***&sslmode=require"),
    ("sqlite:///out/khien.db", "sqlite:///out/khien.db"),
])
def test_passwords_in_database_urls_are_masked(url, shown):
    assert mask_url(url) == shown


def test_shown_rows_mask_secrets_and_say_where_values_came_from():
    resolved = resolve({"KHIEN_DATABASE_URL": "postgresql+psycopg://khien:s3cret@db/khien",
                        "KHIEN_DEMO_PASSWORD": "mật-khẩu-demo"}, {"worker": False})
    rows = {r.name: r for r in resolved.shown()}
    assert rows["database_url"].value == "postgresql+psycopg://khien:***@db/khien"
    assert rows["demo_password"].value == "***"
    assert rows["worker"].value == "false" and rows["worker"].source is Source.FLAG
    assert rows["policy"].value == "(unset)"
    assert all("s3cret" not in r.value and "mật-khẩu-demo" not in r.value for r in rows.values())
    assert list(rows) == [s.name for s in SETTINGS]


def test_the_server_settings_module_is_the_same_class():
    pytest.importorskip("fastapi")
    from khien.server import Settings as ServerSettings

    assert ServerSettings is Settings
