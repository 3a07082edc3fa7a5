"""Versions come from content: a data file cannot change while its versioned name stays the same."""

from __future__ import annotations

from khien.versions import REGENERATE, LockRow, current, problems, read_lock


def test_the_lock_matches_the_packaged_data():
    found = problems(read_lock(), current())
    assert not found, "\n".join(found)


def test_a_changed_file_under_the_same_name_asks_for_a_version_bump():
    locked = [LockRow("lexicon.scam.v1", ("data/lexicons/scam.tsv",), "aaaa")]
    now = [LockRow("lexicon.scam.v1", ("data/lexicons/scam.tsv",), "bbbb")]
    (message,) = problems(locked, now)
    assert "lexicon.scam.v1" in message and "bump the version" in message and REGENERATE in message


def test_a_bumped_name_asks_to_regenerate_the_lock():
    locked = [LockRow("lexicon.scam.v1", ("data/lexicons/scam.tsv",), "aaaa")]
    now = [LockRow("lexicon.scam.v2", ("data/lexicons/scam.tsv",), "bbbb")]
    found = problems(locked, now)
    assert any("lexicon.scam.v2: not in versions.lock" in m for m in found)
    assert any("lexicon.scam.v1: in versions.lock but no longer packaged" in m for m in found)


def test_every_packaged_lexicon_and_detector_data_is_locked():
    names = {r.name for r in read_lock()}
    assert "lexicon.scam.v1" in names and "contacts.v1" in names and "patterns.v1" in names
    assert any(n.startswith("impersonation.v1+") for n in names)
    assert any(n.startswith("classifier.v1+") for n in names) and any(n.startswith("intent.v1+") for n in names)
