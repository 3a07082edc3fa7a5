"""Versions from content: a lock of which data files each versioned name stands for.

A signal name (``lexicon.scam.v1``) is stored in every decision and read by policies; it must
change when the data behind it changes, or two decisions that say ``v1`` were made by different
matchers. ``khien/data/versions.lock`` (TSV: name, data files, digest) records the digest of the
packaged files behind each versioned name. The test ``tests/test_versions_lock.py`` recomputes it:

- a file's digest changed and its name did not: bump the version (the lexicon header's
  ``# version:``, the model's name, the detector's or matcher's version), then regenerate;
- a name changed (a bump, a new lexicon): regenerate the lock.

Regenerate with::

    PYTHONPATH=src python -m khien.versions --write
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from .resources import digest, packaged_path

__all__ = ["LockRow", "LOCK", "current", "read_lock", "write_lock", "problems", "REGENERATE"]

LOCK = packaged_path("versions", "table").with_suffix(".lock")
REGENERATE = "PYTHONPATH=src python -m khien.versions --write"
_DIGEST_LENGTH = 16


@dataclass(frozen=True, slots=True)
class LockRow:
    """One versioned name, the packaged files behind it (relative to ``khien/``) and their digest."""

    name: str
    files: tuple[str, ...]
    digest: str


def _root() -> Path:
    return LOCK.parent.parent  # .../khien


def _row(name: str, files: list[Path]) -> LockRow:
    import hashlib

    h = hashlib.sha256()
    rel = []
    for f in files:
        r = f.relative_to(_root()).as_posix()
        rel.append(r)
        h.update(r.encode() + b"\0" + bytes.fromhex(digest(f)))
    return LockRow(name, tuple(rel), h.hexdigest()[:_DIGEST_LENGTH])


def current() -> list[LockRow]:
    """The lock as the packaged files are now."""
    import json

    from .detect.lexicon import load_lexicon, packaged_lexicons
    from .impersonation.matcher import VERSION as MATCHER_VERSION

    rows = []
    for name in packaged_lexicons():
        lex = load_lexicon(name)
        rows.append(_row(lex.signal, [packaged_path(name, "lexicon")]))
    rows.append(_row("patterns.v1", [packaged_path("patterns", "table")]))
    lists = ("allow_domains", "block_domains", "cheap_tlds", "free_hosts", "shorteners")
    rows.append(_row("contacts.v1", [packaged_path(n, "list") for n in lists]))
    rows.append(_row(f"impersonation.v1+{MATCHER_VERSION}",
                     [packaged_path("default", "registry"), packaged_path("vocabulary", "table")]))
    default = packaged_path("default", "model")
    model_name = json.loads((default / "model.json").read_text(encoding="utf-8"))["name"]
    rows.append(_row(f"classifier.v1+{model_name}", [default]))
    intent = packaged_path("intent", "model")
    intent_name = json.loads((intent / "intent.json").read_text(encoding="utf-8"))["name"]
    rows.append(_row(f"intent.v1+{intent_name}", [intent, packaged_path("vectors", "model")]))
    tiers = _root() / "data" / "claims_tiers.json"  # the fact-check matcher's calibration
    tiers_version = json.loads(tiers.read_text(encoding="utf-8"))["version"]
    rows.append(_row(f"claims.v1+tiers-{tiers_version}", [tiers]))
    return sorted(rows, key=lambda r: r.name)


def read_lock(path: Path = LOCK) -> list[LockRow]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("name\t"):
            continue
        name, files, dig = line.split("\t")
        rows.append(LockRow(name, tuple(files.split()), dig))
    return rows


def write_lock(rows: list[LockRow], path: Path = LOCK) -> None:
    head = ("# Versioned names and the digest of the packaged data behind each (khien/versions.py).\n"
            f"# Generated: {REGENERATE}\n")
    body = "".join(f"{r.name}\t{' '.join(r.files)}\t{r.digest}\n" for r in rows)
    path.write_text(head + "name\tfiles\tdigest\n" + body, encoding="utf-8")


def problems(locked: list[LockRow], now: list[LockRow]) -> list[str]:
    """What is wrong with the lock, each with what to do; empty when it matches the files."""
    out = []
    old = {r.name: r for r in locked}
    new = {r.name: r for r in now}
    for name, row in new.items():
        before = old.get(name)
        if before is None:
            out.append(f"{name}: not in versions.lock (a new or bumped name); regenerate: {REGENERATE}")
        elif before.digest != row.digest:
            out.append(f"{name}: the content of {', '.join(row.files)} changed but the name did not; bump the "
                       f"version (lexicon header '# version:', the model name, or the detector/matcher version) "
                       f"so decisions say which data made them, then regenerate: {REGENERATE}")
    for name in old.keys() - new.keys():
        out.append(f"{name}: in versions.lock but no longer packaged; regenerate: {REGENERATE}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m khien.versions", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite khien/data/versions.lock from the files")
    args = parser.parse_args(argv)
    if args.write:
        write_lock(current())
        print(f"wrote {LOCK}")
        return 0
    found = problems(read_lock(), current())
    for message in found:
        print(message, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
