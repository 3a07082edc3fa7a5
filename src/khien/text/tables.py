"""Loading of the packaged text tables (TSV under ``khien/text/data``).

A table file starts with ``#`` comment lines, then a header row, then data rows; columns are
separated by tabs. Every table is validated on load so a broken edit fails loudly.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import InputError

__all__ = ["read_tsv", "confusables", "leet", "teencode", "negators"]


def read_tsv(source: str | Path, *, package: str = "khien.text.data") -> tuple[dict[str, str], list[dict[str, str]]]:
    """Read a table: returns (``# key: value`` header comments, rows as dicts keyed by the header row).

    ``source`` is a file path, or the name of a file packaged in ``package``.
    """
    if isinstance(source, Path) or "/" in str(source):
        path = Path(source)
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read table {path}: {exc}") from exc
        name = str(path)
    else:
        raw = resources.files(package).joinpath(str(source)).read_text(encoding="utf-8")
        name = f"{package}/{source}"
    meta: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if sep and header is None:
                meta[key.strip().lower()] = value.strip()
            continue
        cells = line.split("\t")
        if header is None:
            header = [c.strip() for c in cells]
            continue
        if len(cells) < len(header):
            cells += [""] * (len(header) - len(cells))
        if len(cells) > len(header):
            raise InputError(f"{name}:{lineno}: expected {len(header)} columns, found {len(cells)}")
        rows.append({h: unicodedata.normalize("NFC", c.strip()) for h, c in zip(header, cells)})
    return meta, rows


@lru_cache(maxsize=None)
def confusables() -> dict[str, str]:
    """Look-alike characters of other scripts mapped to one Latin letter each."""
    _, rows = read_tsv("confusables.tsv")
    table: dict[str, str] = {}
    for row in rows:
        char, latin = row["char"], row["latin"]
        if len(char) != 1 or len(latin) != 1 or not latin.isascii():
            raise InputError(f"confusables.tsv: bad row {row!r}: one character to one ASCII letter expected")
        table[char] = latin
    return table


@lru_cache(maxsize=None)
def leet() -> dict[str, str]:
    """Characters that stand for letters inside words (``kh0ản``, ``v!ệc``, ``c@o``)."""
    _, rows = read_tsv("leet.tsv")
    return {row["char"]: row["letter"] for row in rows if len(row["char"]) == 1 and len(row["letter"]) == 1}


@lru_cache(maxsize=None)
def teencode() -> dict[str, str]:
    """Short forms and their expansions, lower case (``ko`` → ``không``)."""
    _, rows = read_tsv("teencode.tsv")
    table: dict[str, str] = {}
    for row in rows:
        short, expansion = row["short"].lower(), row["expansion"].lower()
        if not short or not expansion or " " in short:
            raise InputError(f"teencode.tsv: bad row {row!r}: a one-token short form and an expansion expected")
        table[short] = expansion
    return table


@lru_cache(maxsize=None)
def negators() -> tuple[frozenset[str], frozenset[str]]:
    """Negating words: (canonical forms, accent-free forms safe to match in unaccented text)."""
    from .views import canonical_text, fold_accents

    _, rows = read_tsv("negators.tsv")
    canon = frozenset(canonical_text(r["negator"]) for r in rows)
    folded = frozenset(fold_accents(canonical_text(r["negator"])) for r in rows if r.get("folded", "yes") == "yes")
    return canon, folded
