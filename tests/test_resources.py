"""One packaged: scheme for every data file, and a record of what was loaded with its digest."""

from __future__ import annotations

import pytest

from khien.errors import InputError
from khien.resources import digest, read_words, resolve, tracking


def test_packaged_names_resolve_by_kind_and_unknown_ones_list_the_valid_names():
    assert resolve("packaged:scam", "lexicon").name == "scam.tsv"
    assert resolve("packaged:cheap_tlds", "list").name == "cheap_tlds.txt"
    assert resolve("packaged:default", "registry").name == "registry.yaml"
    with pytest.raises(InputError) as info:
        resolve("packaged:lua_dao", "lexicon")
    assert "scam" in str(info.value) and "violence" in str(info.value)


def test_loads_inside_a_tracking_block_are_recorded_with_their_digest(tmp_path):
    words = tmp_path / "tu.txt"
    words.write_text("# từ khóa cho vay\nvay nóng\ngiải ngân nhanh  # nhanh\n\n", encoding="utf-8")
    with tracking() as loads:
        assert read_words(words) == ("vay nóng", "giải ngân nhanh")
        read_words("packaged:shorteners", record=False)  # import-time reads are not recorded
    assert [(load.kind, load.source) for load in loads] == [("list", str(words))]
    assert loads[0].digest == digest(words)
    words.write_text("vay nóng\n", encoding="utf-8")
    assert digest(words) != loads[0].digest
    with tracking() as outside:
        pass
    assert outside == []


def test_packaged_host_lists_keep_the_cues_the_detector_had():
    from khien.detect.contacts import CHEAP_TLDS, FREE_HOSTS, SHORTENERS

    assert {"xyz", "top", "vip"} <= CHEAP_TLDS and "bit.ly" in SHORTENERS and "blogspot.com" in FREE_HOSTS
