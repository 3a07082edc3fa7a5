"""The engine fingerprint changes with everything that can change a decision, and with nothing else."""

from __future__ import annotations

import copy
import shutil

import pytest
import yaml

from khien import Engine, Item
from khien.cli.options import build_engine
from khien.detect.context import DetectorContext
from khien.impersonation.registry import entities_from
from khien.model import Decision
from khien.policy import read_policy_document
from khien.resources import packaged_path


def _write_policy(tmp_path, doc, name="policy.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def packaged():
    return Engine.from_policy()


def test_same_inputs_same_fingerprint_and_it_is_on_every_decision(packaged, tmp_path):
    again = Engine.from_policy()
    assert again.fingerprint == packaged.fingerprint and len(packaged.fingerprint) == 16
    # the resolved config, not the spelling: a default written out resolves to the same detector part
    doc = copy.deepcopy(read_policy_document())
    doc["detectors"]["patterns.v1"] = {"file": "packaged:patterns"}
    spelt = Engine.from_policy(_write_policy(tmp_path, doc))
    by_name = lambda e: {d.name: d for d in e.provenance.detectors}  # noqa: E731
    assert by_name(spelt) == by_name(packaged)
    assert spelt.fingerprint != packaged.fingerprint  # the policy text itself differs
    decision = packaged.decide(Item("1", "Tuyển CTV việc nhẹ lương cao, nạp tiền làm nhiệm vụ"))
    assert decision.fingerprint == packaged.fingerprint
    assert decision.to_dict()["fingerprint"] == packaged.fingerprint


def test_policy_content_changes_it(packaged, tmp_path):
    doc = copy.deepcopy(read_policy_document())
    doc["rules"][0]["description"] += " (sửa)"
    assert Engine.from_policy(_write_policy(tmp_path, doc)).fingerprint != packaged.fingerprint


def test_a_lexicon_file_changes_it(packaged, tmp_path):
    lexicon = tmp_path / "vay.tsv"
    lexicon.write_text("# lexicon: vay\n# version: 1\n# category: scam\nterm\tweight\ttag\tfold\n"
                       "vay nóng không thế chấp\t0.6\t\tyes\n", encoding="utf-8")
    doc = copy.deepcopy(read_policy_document())
    doc["detectors"]["lexicon.v1"] = {"extra": [str(lexicon)]}
    path = _write_policy(tmp_path, doc)
    first = Engine.from_policy(path).fingerprint
    assert first != packaged.fingerprint
    assert Engine.from_policy(path).fingerprint == first
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "giải ngân trong ngày\t0.5\t\tyes\n", encoding="utf-8")
    assert Engine.from_policy(path).fingerprint != first  # same config, other content


def test_model_override_changes_it(packaged, tmp_path):
    copy_dir = tmp_path / "model"
    shutil.copytree(packaged_path("default", "model"), copy_dir)
    with_model = build_engine(None, model=copy_dir)
    assert with_model.fingerprint != packaged.fingerprint
    loads = {d.name: d.loads for d in with_model.provenance.detectors}["classifier.v1"]
    assert [load.digest for load in loads] == [
        load.digest for load in {d.name: d.loads for d in packaged.provenance.detectors}["classifier.v1"]
    ]  # same bytes, same digest: only the configured path differs


def test_registry_override_and_registry_content_change_it(packaged, tmp_path):
    registry = tmp_path / "registry.yaml"
    registry.write_text(packaged_path("default", "registry").read_text(encoding="utf-8"), encoding="utf-8")
    first = build_engine(None, registry=registry).fingerprint
    assert first != packaged.fingerprint
    registry.write_text(registry.read_text(encoding="utf-8").replace("Vietcombank Digibank", "VCB Digibank Mới"),
                        encoding="utf-8")
    assert build_engine(None, registry=registry).fingerprint != first


def test_a_registry_from_the_context_is_part_of_it(packaged):
    one = entities_from([{"id": "sao-mai", "kind": "bank", "names": ["Ngân Hàng Sao Mai"]}])
    two = entities_from([{"id": "sao-mai", "kind": "bank", "names": ["Ngân Hàng Sao Mai", "SMB"]}])
    a = Engine.from_policy(context=DetectorContext(registry=one)).fingerprint
    assert a != packaged.fingerprint
    assert a == Engine.from_policy(context=DetectorContext(registry=one)).fingerprint
    assert a != Engine.from_policy(context=DetectorContext(registry=two)).fingerprint


def test_the_provenance_form_keeps_signal_details_and_round_trips(packaged):
    item = Item.from_dict({
        "id": "p-42",
        "text": "Khách hàng Vietcombank xác minh tài khoản tại vietcombank-xacthuc.xyz, liên hệ zalo 0912345678",
    })
    decision = packaged.decide(item)
    stored = decision.to_dict(dsa=True, provenance=True)
    records = {r["signal"]: r for r in stored["signals"]}
    assert records["impersonation.v1"]["details"]["entity"] == "vietcombank"
    assert records["impersonation.v1"]["details"]["why"]
    assert {"host": "vietcombank-xacthuc.xyz", "flags": ["cheap_tld"]} in records["contacts.v1"]["details"]["links"]
    assert records["intent.v1"]["details"]["model"] == "khien-intent-v1"
    assert Decision.from_dict(stored).to_dict(dsa=True, provenance=True) == stored
    assert Decision.from_dict(stored).signals == decision.signals
    # the scan form is unchanged: no signals unless asked
    assert "signals" not in decision.to_dict(dsa=True)
    old = decision.to_dict()
    assert Decision.from_dict(old).signals == ()
