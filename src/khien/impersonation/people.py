"""People's names: when the words around a protected name are a person's name.

Vietnamese names are a surname (``Nguyễn``, ``Trần``…), middle names (``Văn``, ``Thị``, ``Ngọc``…)
and a given name, each one syllable from a large but closed set, often preceded by a kinship
term (``chị Lan``, ``anh Tuấn``). Many of those syllables are also ordinary words or family words
("Khoa" and "khóa", lock; "Gia" and "giá", price; "Tín" and "tin", news), so a syllable is read
as part of a name only where it has a name's *shape*: after a surname or kinship term, beside
another name syllable, or alone beside the brand ("Hương Vietcombank"). With diacritics the
written form decides; without them ("tong dai nam nam") the folded form is ambiguous and only
common surnames make a whole name a person's.
"""

from __future__ import annotations

from typing import Callable, Protocol, TypeVar

from .syllables import syllable_count
from .vocabulary import Vocabulary, fold

__all__ = ["name_role", "is_name_run", "is_full_name", "mark_people"]


class _Unit(Protocol):
    text: str
    kind: str
    family: str
    glued: bool


U = TypeVar("U", bound=_Unit)


def name_role(voc: Vocabulary, written: str, folded: str, accented: bool = False) -> str:
    """``surname``, ``kin``, ``given`` or ``""`` for one word (by its diacritics when written)."""
    exact = written != folded or accented  # diacritics written: they must agree
    key = written if exact else folded
    for role, tables in (("kin", (voc.kin, voc.folded_kin)), ("surname", (voc.surnames, voc.folded_surnames)),
                         ("given", (voc.given, voc.folded_given))):
        if key in tables[0 if exact else 1]:
            return role
    return ""


def is_name_run(voc: Vocabulary, compact: str) -> bool:
    """Whether a run of letters splits wholly into name syllables ("lananh": Lan Anh), as few
    as it has syllables ("chuyenla" is two syllables, not Chu Yến La)."""
    names = voc.folded_names
    n = len(compact)
    best = [0] + [99] * n
    for i in range(n):
        if best[i] < 99:
            for j in range(i + 1, min(n, i + 7) + 1):
                if best[i] + 1 < best[j] and compact[i:j] in names:
                    best[j] = best[i] + 1
    return best[n] < 99 and best[n] <= syllable_count(compact)


def is_full_name(voc: Vocabulary, written: tuple[str, ...], tokens: tuple[str, ...], accented: bool) -> bool:
    """Whether the whole name is a person's: a surname and one to four name syllables. Without
    diacritics the reading is ambiguous ("tong dai nam nam": "Tổng đài" + a name, or "Tống Đại
    Nam Nam"), so only a common surname and up to four syllables make it a name."""
    if not 2 <= len(tokens) <= (5 if accented else 4):
        return False
    if name_role(voc, written[0], tokens[0], accented) != "surname":
        return False
    if not accented and tokens[0] not in voc.folded_common_surnames:
        return False
    given, surnames = (voc.given, voc.surnames) if accented else (voc.folded_given, voc.folded_surnames)
    return all((w if accented else t) in given or (w if accented else t) in surnames
               for w, t in zip(written[1:], tokens[1:]))


def mark_people(voc: Vocabulary, units: list[U], *, alone_is_name: bool, accented: bool,
                make: Callable[..., U]) -> list[U]:
    """Name syllables read as a person's name where they have its shape, else as words.

    A one-syllable family word that is also a name syllable ("khoa": khóa, lock, or Khoa; "gia":
    giá, price, or Gia) counts as a name syllable here: beside a surname or another name
    syllable, or alone beside the brand, it is read as part of a name.
    """
    out = list(units)
    n = len(out)

    def capable(u: U) -> str:
        if u.kind == "name?":
            return u.family
        if u.kind == "affix" and " " not in u.text and len(u.text) <= 7:
            return name_role(voc, u.text, fold(u.text), accented)
        return ""

    roles = [capable(u) for u in out]
    alone = alone_is_name and sum(1 for u in out if u.kind != "number") == 1  # "khoa1": digits aside
    person = [False] * n
    for i, role in enumerate(roles):
        if not role:
            continue
        prev_role = roles[i - 1] if i else ""
        next_role = roles[i + 1] if i + 1 < n else ""
        person[i] = (
            (role in ("surname", "kin") and bool(next_role))
            or (role == "given" and bool(prev_role or next_role))
            or (i > 0 and person[i - 1])
            or alone
        )
    result = []
    for i, u in enumerate(out):
        if person[i]:
            result.append(make(u.text, "blocker", "person", "", u.glued))
        elif u.kind == "name?":
            result.append(make(u.text, "word", "descriptive", "", u.glued))
        else:
            result.append(u)
    return result
