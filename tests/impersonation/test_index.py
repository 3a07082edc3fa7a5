from khien.impersonation.index import NameIndex, lookup
from khien.impersonation.keys import name_key


def build(keys):
    index = NameIndex()
    for i, (key, level) in enumerate(keys):
        index.add(key, i, key, level, "name")
    index.build()
    return index


def test_one_edit_is_found_and_two_edits_are_not():
    index = build([("vietcombank", "strong")])
    for typo in ("vietcombak", "vieetcombank", "vietconbank", "vietcomdank", "ivetcombank", "vietcombankk"):
        assert [e.key for e, _ in index.near(typo)] == ["vietcombank"], typo
    assert index.near("vietconbamk") == []
    assert index.near("vietcombank") == []  # equal is exact, not near


def test_short_and_weak_keys_are_never_matched_at_one_edit():
    index = build([("momo", "weak"), ("zalopay", "weak")])
    assert index.near("mama") == [] and index.near("zalopy") == []


def test_containment_respects_word_boundaries_for_names():
    index = build([("mb", "weak"), ("acb", "weak"), ("momo", "weak")])
    assert [h.entry.key for h in lookup(index, name_key("Kim Bảo Ngọc"), aligned=True)] == []
    # A short name among other words is no evidence at all: no hit.
    assert lookup(index, name_key("Trà sữa Momo"), aligned=True) == []
    hits = lookup(index, name_key("Momo hỗ trợ 24h"), aligned=True)
    assert [(h.entry.key, h.how) for h in hits] == [("momo", "exact")]
    hits = lookup(index, name_key("momocskh"), aligned=False)
    assert [(h.entry.key, h.how, h.affix_only) for h in hits] == [("momo", "contains", True)]


def test_results_do_not_depend_on_unrelated_entities():
    small = build([("vietcombank", "strong")])
    big = build([("vietcombank", "strong")] + [(f"congty{i:05d}x", "strong") for i in range(5000)])
    for name in ("Vietcombank CSKH", "Vietcombamk", "Hỗ trợ Vietcombank vay", "Nguyễn Văn An"):
        a = [(h.entry.key, h.how) for h in lookup(small, name_key(name), aligned=True)]
        b = [(h.entry.key, h.how) for h in lookup(big, name_key(name), aligned=True)]
        assert a == b, name
