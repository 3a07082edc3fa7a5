import pytest

from khien.errors import RegistryError
from khien.impersonation.registry import load_registry, parse_registry


def write(tmp_path, text):
    path = tmp_path / "protected.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_registry_loads_and_covers_the_big_targets():
    reg = load_registry("packaged:default")
    ids = {e.id for e in reg.entities}
    assert {"vietcombank", "bidv", "agribank", "momo", "vneid", "bhxh", "shopee", "vnexpress", "dhl"} <= ids
    assert 60 <= len(reg) <= 120
    assert reg.official_domains["vietcombank.com.vn"] == "vietcombank"


def test_duplicate_id_names_the_entity(tmp_path):
    path = write(tmp_path, "entities:\n  - id: vcb\n    names: [Vietcombank]\n  - id: vcb\n    names: [VCB]\n")
    with pytest.raises(RegistryError, match=r"entity 'vcb' \(entry 2\): duplicate id 'vcb'"):
        load_registry(path)


def test_missing_names_and_bad_kind_name_entity_and_field(tmp_path):
    with pytest.raises(RegistryError, match=r"entity 'bidv'.*field 'names'"):
        load_registry(write(tmp_path, "entities:\n  - id: bidv\n    kind: bank\n"))
    with pytest.raises(RegistryError, match=r"entity 'bidv'.*field 'kind' must be one of bank, government"):
        load_registry(write(tmp_path, "entities:\n  - id: bidv\n    kind: ngan-hang\n    names: [BIDV]\n"))


def test_unknown_field_lists_valid_fields(tmp_path):
    with pytest.raises(RegistryError) as info:
        load_registry(write(tmp_path, "entities:\n  - id: bidv\n    names: [BIDV]\n    website: bidv.com.vn\n"))
    assert "unknown field 'website'" in str(info.value) and "domains" in str(info.value)


def test_unreadable_avatar_is_a_registry_error(images):
    path = images / "reg.yaml"
    path.write_text("entities:\n  - id: vcb\n    kind: bank\n    names: [Vietcombank]\n    avatars: [broken.png]\n")
    with pytest.raises(RegistryError, match=r"entity 'vcb'.*field 'avatars'.*broken.png"):
        load_registry(path)
    path.write_text("entities:\n  - id: vcb\n    kind: bank\n    names: [Vietcombank]\n    avatars: [nope.png]\n")
    with pytest.raises(RegistryError, match="does not exist"):
        load_registry(path)


def test_avatars_are_hashed_relative_to_the_registry(images):
    path = images / "reg.yaml"
    path.write_text("entities:\n  - id: vcb\n    kind: bank\n    names: [Vietcombank]\n    avatars: [vcb.png]\n")
    reg = load_registry(path)
    assert len(reg.entities[0].avatar_hashes) == 1


def test_bad_yaml_and_missing_file(tmp_path):
    with pytest.raises(RegistryError, match="not valid YAML at line"):
        load_registry(write(tmp_path, "entities: [\n"))
    with pytest.raises(RegistryError, match="does not exist"):
        load_registry(tmp_path / "missing.yaml")
    with pytest.raises(RegistryError, match="'entities' list"):
        parse_registry({"entity": []})


def test_an_official_domain_belongs_to_one_entity():
    doc = {"entities": [{"id": "a", "names": ["A bank"], "domains": ["abank.vn"]},
                        {"id": "b", "names": ["B bank"], "domains": ["ABANK.vn"]}]}
    with pytest.raises(RegistryError, match="already official for entity 'a'"):
        parse_registry(doc)
