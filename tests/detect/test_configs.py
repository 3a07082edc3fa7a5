"""Every detector declares a typed config: typos and wrong types fail at load, naming the detector
and the key path; engine resources arrive through a separate context."""

from __future__ import annotations

import copy
import dataclasses

import pytest
import yaml

from khien import Engine, Item
from khien.detect import registry
from khien.detect.context import DetectorContext
from khien.errors import DetectorError, KhienError
from khien.impersonation.registry import entities_from
from khien.policy import read_policy_document

TYPOS = [
    ("lexicon.v1", {"lexicns": ["scam"]}, "lexicons"),
    ("contacts.v1", {"blocklst": ["evil.example"]}, "blocklist"),
    ("patterns.v1", {"fil": "x.tsv"}, "file"),
    ("classifier.v1", {"min_scor": 0.3}, "min_score"),
    ("impersonation.v1", {"registy": "packaged:default"}, "registry"),
    ("intent.v1", {"evidence_min_scor": 0.4}, "evidence_min_score"),
]

WRONG_TYPES = [
    ("lexicon.v1", {"lexicons": "scam"}, "lexicons", "a list of texts"),
    ("contacts.v1", {"allowlist": [1, 2]}, "allowlist[0]", "a text"),
    ("classifier.v1", {"min_score": "0.3"}, "min_score", "a number"),
    ("impersonation.v1", {"include_verified": "có"}, "include_verified", "true or false"),
    ("intent.v1", {"min_score": "cao"}, "min_score", "a number"),
    ("patterns.v1", {"file": 3}, "file", "a text"),
]


def test_every_builtin_detector_declares_a_config_class():
    for name in ("lexicon.v1", "contacts.v1", "patterns.v1", "classifier.v1", "impersonation.v1", "intent.v1"):
        cls = registry.config_class(name)
        assert cls is not None and dataclasses.is_dataclass(cls), name


@pytest.mark.parametrize(("name", "config", "guess"), TYPOS)
def test_a_misspelt_key_fails_with_did_you_mean(name, config, guess):
    key = next(iter(config))
    with pytest.raises(DetectorError) as info:
        registry.create(name, config)
    assert f"detectors.{name}.{key}: unknown key; did you mean `{guess}`?" in info.value.message
    assert info.value.field == f"detectors.{name}.{key}"


@pytest.mark.parametrize(("name", "config", "path", "expected"), WRONG_TYPES)
def test_a_wrong_type_fails_at_load(name, config, path, expected):
    with pytest.raises(DetectorError) as info:
        registry.create(name, config)
    assert f"detectors.{name}.{path}: expected {expected}" in info.value.message


def _policy(tmp_path, detectors):
    doc = copy.deepcopy(read_policy_document())
    for name, cfg in detectors.items():
        doc["detectors"][name] = cfg
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_engine_refuses_a_detector_typo_in_the_policy_file(tmp_path):
    with pytest.raises(DetectorError, match=r"detectors\.contacts\.v1\.blocklst: unknown key; did you mean `blocklist`\?"):
        Engine.from_policy(_policy(tmp_path, {"contacts.v1": {"blocklst": ["lua-dao.xyz"]}}))


def test_a_string_where_a_number_belongs_fails_when_the_engine_is_built(tmp_path):
    with pytest.raises(DetectorError, match=r"detectors\.impersonation\.v1\.min_score: expected a number"):
        Engine.from_policy(_policy(tmp_path, {"impersonation.v1": {"min_score": "0.5"}}))


def test_direct_construction_checks_options_the_same_way():
    from khien.detect.contacts import ContactsDetector

    with pytest.raises(DetectorError, match="did you mean `allowlist`"):
        ContactsDetector(alowlist=["packaged:allow_domains"])


def test_a_registry_in_the_context_is_used_and_is_not_a_config_key():
    registry_in_memory = entities_from([
        {"id": "ngan-hang-lua", "kind": "bank", "names": ["Ngân Hàng Sao Mai"], "domains": ["saomaibank.vn"]},
    ])
    detector = registry.create("impersonation.v1", {}, DetectorContext(registry=registry_in_memory))
    assert detector.registry is registry_in_memory
    text = "Khách hàng Ngân Hàng Sao Mai vui lòng xác minh tại saomaibank-xacminh.xyz"
    signals = detector.detect_batch([__import__("khien.detect.base", fromlist=["Prepared"]).Prepared(Item("1", text))])[0]
    assert any(s.details.get("entity") == "ngan-hang-lua" for s in signals)
    # a resource cannot be smuggled in through the config: the config wants a path
    with pytest.raises(DetectorError, match=r"detectors\.impersonation\.v1\.registry: expected a text"):
        registry.create("impersonation.v1", {"registry": registry_in_memory})


def test_third_party_factories_get_config_and_context(monkeypatch):
    monkeypatch.setattr(registry, "_extra", {})
    seen = {}

    @dataclasses.dataclass(frozen=True)
    class EchoConfig:
        word: str = "lừa đảo"

    class Echo:
        name = "echo.v1"
        requires = ("canonical",)
        emits = ("scam",)
        Config = EchoConfig
        signals = ("echo.v1",)
        examples = ()

        def __init__(self, config, context):
            seen["config"], seen["context"] = config, context

        def detect_batch(self, batch):
            return [[] for _ in batch]

    registry.register("echo.v1", Echo)
    context = DetectorContext()
    registry.create("echo.v1", {"word": "chuyển khoản"}, context)
    assert seen["config"] == EchoConfig("chuyển khoản") and seen["context"] is context
    with pytest.raises(DetectorError, match="did you mean `word`"):
        registry.create("echo.v1", {"wrod": "x"})

    def plain_factory(config, context):  # no Config: the mapping as written
        seen["plain"] = config
        return Echo(config, context)

    registry.register("echo.v1", plain_factory)
    registry.create("echo.v1", {"anything": 1})
    assert seen["plain"] == {"anything": 1}


def test_config_errors_are_khien_errors_the_cli_can_render():
    with pytest.raises(KhienError):
        registry.create("lexicon.v1", {"lexicons": ["khong-co-lexicon-nay"]})
