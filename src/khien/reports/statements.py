"""The comparison key of a reporter's free-text statement.

Coordinated reporters often paste one statement, sometimes with an emoji, another punctuation or
the accents dropped. The key folds those away (``khien.text.fold_accents``, case, every
non-letter/non-digit run becomes one space) and is compared exactly: near-identical pastes collide,
independently written statements do not. Short statements ("lừa đảo", "scam") are written
independently by many honest people, so a statement under ``MIN_WORDS`` words has no key.

Only the statement's shape is compared, never its meaning: the detector does not read what the
reported person said, and it does not judge the reporter's opinion either.
"""

from __future__ import annotations

import re
from functools import lru_cache

from khien.text import fold_accents

__all__ = ["MIN_WORDS", "statement_key"]

MIN_WORDS = 4
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=65_536)  # copy-pasted statements repeat; the cache is bounded
def statement_key(statement: str) -> int | None:
    """A hash of the folded statement, or ``None`` when it is too short to be a signal."""
    folded = _NON_WORD.sub(" ", fold_accents(statement).casefold()).strip()
    if folded.count(" ") + 1 < MIN_WORDS:
        return None
    return hash(folded)
