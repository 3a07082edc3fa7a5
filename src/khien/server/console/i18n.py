"""Message catalogues: ``locales/<lang>.json``, a flat map of keys to text with ``{name}`` fields.

Vietnamese is the default; English is one click away. A key missing from a catalogue falls back
to Vietnamese, then to the key itself, so a forgotten string shows up instead of crashing a page.

Rule descriptions are written in English in the policy. ``locales/rules.<lang>.json`` translates
the default policy's rules, each entry keeping the English it was translated from: a policy whose
rule of the same id says something else gets its own text, never a translation of another rule.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

__all__ = ["LANGS", "DEFAULT_LANG", "catalogue", "translator", "rule_text"]

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
_DIR = Path(__file__).parent / "locales"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    with open(_DIR / f"{lang}.json", encoding="utf-8") as fh:
        return json.load(fh)


def translator(lang: str) -> Callable[..., str]:
    """``_(key, **fields)`` for ``lang``."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    primary, fallback = catalogue(lang), catalogue(DEFAULT_LANG)

    def _(key: str, **fields: Any) -> str:
        text = primary.get(key) or fallback.get(key) or key
        return text.format(**fields) if fields else text

    return _


@lru_cache(maxsize=None)
def _rule_table(lang: str) -> dict[str, dict[str, str]]:
    path = _DIR / f"rules.{lang}.json"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def rule_text(lang: str, rule_id: str, description: str) -> str:
    """A rule's description in ``lang``: the translation when it was made from this very text, else the policy's."""
    entry = _rule_table(lang).get(rule_id) if lang in LANGS else None
    if entry and " ".join(entry.get("source", "").split()) == " ".join(description.split()):
        return entry["text"]
    return description
