"""The packaged text tables are valid and consistent with each other."""

from __future__ import annotations

import unicodedata

from khien.text import tables

VIETNAMESE = set("ăâêôơưđĂÂÊÔƠƯĐ")


def test_confusables_map_one_foreign_character_to_one_ascii_letter():
    table = tables.confusables()
    assert len(table) >= 30
    for char, latin in table.items():
        assert len(char) == 1 and len(latin) == 1 and latin.isascii() and latin.isalpha()
        assert not char.isascii()
        base = unicodedata.normalize("NFD", char)[0]
        assert base not in VIETNAMESE, f"Vietnamese letter {char!r} must not be folded"
        assert not (base.isascii() and base.isalpha()), f"accented Latin letter {char!r} must not be folded here"


def test_teencode_short_forms_are_single_tokens_and_expansions_are_final():
    table = tables.teencode()
    assert {"ko", "đc", "stk", "ctv", "lh"} <= set(table)
    for short, expansion in table.items():
        assert short == short.lower() and " " not in short
        for word in expansion.split():
            assert word not in table, f"expansion of {short!r} contains the short form {word!r}"


def test_leet_table_maps_symbols_to_letters():
    table = tables.leet()
    assert table["0"] == "o" and table["@"] == "a"
    assert all(v.isalpha() and len(v) == 1 for v in table.values())
