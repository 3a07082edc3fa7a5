"""Names of API keys and console accounts: one spelling per person, checked before it is stored.

A name appears on decisions and in the audit log, so two names a reader cannot tell apart must not
both exist. :func:`clean_name` returns the stored spelling (NFKC, so full-width and compatibility
forms collapse to one), refusing control, format and zero-width characters (``"an\\u200b"`` looks
like ``"an"``), surrounding or inner whitespace, and the reserved ``system:`` prefix (the engine's own
actor). :func:`name_key` is the comparison form kept in a uniquely indexed column: NFKC after
case folding, so ``An`` and ``an`` are one name.
"""

from __future__ import annotations

import unicodedata

from ..errors import InputError

__all__ = ["MAX_NAME", "RESERVED_PREFIXES", "clean_name", "name_key"]

MAX_NAME = 200
RESERVED_PREFIXES = ("system:",)  # actors the service itself uses (``system:engine``)

# Unicode categories refused anywhere in a name: controls (Cc), format characters such as the
# zero-width space/joiners and bidi overrides (Cf), separators (Zs/Zl/Zp), surrogates and unassigned.
_REFUSED = {"Cc", "Cf", "Zs", "Zl", "Zp", "Cs", "Co", "Cn"}


def name_key(name: str) -> str:
    """The case-insensitive comparison form of a (clean) name: NFKC of its case folding."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def clean_name(name: str, *, field: str = "name", account: bool = False) -> str:
    """``name`` as it is stored, or an :class:`InputError` naming ``field`` and the offending character.

    Key names may hold single spaces between words (``Nguyễn Thị Lan``; runs of spaces become one);
    an ``account`` name (a console sign-in name) has no spaces and no ``:`` at all.
    """
    normal = unicodedata.normalize("NFKC", name).strip()
    if not account:
        normal = " ".join(part for part in normal.split(" ") if part)
    if not normal or len(normal) > MAX_NAME:
        raise InputError(f"field '{field}' must be 1 to {MAX_NAME} characters, found {len(normal)}", field=field)
    for ch in normal:
        if (ch != " " or account) and (unicodedata.category(ch) in _REFUSED or ch.isspace()):
            raise InputError(
                f"field '{field}' must not contain {'spaces, ' if account else ''}control or invisible characters; "
                f"found U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')}) in {normal!r}",
                field=field, hint="Type the name again without copying it from a formatted document.")
    if account and ":" in normal:
        raise InputError(f"field '{field}' must not contain ':', found {normal!r}", field=field)
    lowered = name_key(normal)
    for prefix in RESERVED_PREFIXES:
        if lowered.startswith(prefix):
            raise InputError(f"field '{field}' must not start with the reserved prefix {prefix!r}, found {normal!r}",
                             field=field)
    return normal
