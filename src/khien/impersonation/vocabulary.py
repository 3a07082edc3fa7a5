"""The vocabulary of names: what the words around a protected name are, grouped into families.

A scammer's account or domain is a protected name plus words that say what the account *does*
for the organisation ("Tuyển dụng", "Tin nóng", "Vé rẻ", "Tiếp nhận khiếu nại", "hotro", "vay").
Those words come from a few families of Vietnamese (and generic English) service vocabulary, and
the families, not any list of phrases, are what the matcher learns: a word of a family counts
as an affix wherever it stands, and :mod:`.context` also counts any other ordinary word of the
language. Three kinds of family:

- **affix** families (``strong``: support, official claims, staff, finance, account security,
  recruitment, news, promotions, travel and tickets, complaints and legal, authority, delivery,
  public services, notices, generic service nouns, descriptors; ``weak``: channels,
  organisation types, places, times) — words a name is dressed in;
- **blocker** families — words that make the name *another* identity that merely contains the
  protected one: a person (surnames, middle names, given names, kinship terms), a business
  (``Trà sữa``, ``Bakery``, ``Tiệm nail``), a community or commentary page about the brand
  (``Hội những người yêu``, ``Review``, ``Anti``), a school;
- **connectors** (``của``, ``tại``, ``by``) — neither.

Every entry is written with its diacritics, lower case; matching is done on the accent-folded
form, and on the written form too when the user wrote diacritics (so "Tín", a given name, is
not "tin", news). The words are data, ``khien/data/vocabulary.tsv`` (``packaged:vocabulary``);
docs: docs/DOMAIN.md, "Affix vocabulary".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..errors import InputError
from ..resources import resolve
from ..text.tables import read_tsv

__all__ = [
    "BRANCH_MARKERS",
    "FAMILIES",
    "INSTITUTION_WORDS",
    "LOCATION_MARKERS",
    "LURE_PLACES",
    "Family",
    "Vocabulary",
    "fold",
    "vocabulary",
]


@dataclass(frozen=True, slots=True)
class Family:
    """A family of words: its name, its role (``affix``, ``blocker`` or ``connector``) and, for
    affix families, how much evidence one of its words is (``strong`` or ``weak``)."""

    name: str
    role: str
    strength: str
    words: tuple[str, ...]


def _read_table() -> tuple[tuple[Family, ...], dict[str, tuple[str, ...]]]:
    """The families and the named word lists of ``khien/data/vocabulary.tsv``, in file order."""
    _, rows = read_tsv(resolve("packaged:vocabulary", "table", record=False))  # read at import
    families: dict[str, tuple[str, str, list[str]]] = {}
    lists: dict[str, list[str]] = {}
    for row in rows:
        name, role, strength, phrase = row["family"], row["role"], row["strength"], row["phrase"]
        if role == "list":
            lists.setdefault(name, []).append(phrase)
        elif role in ("affix", "blocker", "connector"):
            families.setdefault(name, (role, strength, []))[2].append(phrase)
        else:
            raise InputError(f"vocabulary.tsv: family '{name}' has unknown role '{role}'",
                             hint="Roles: affix, blocker, connector, list.")
    return (tuple(Family(name, role, strength, tuple(words)) for name, (role, strength, words) in families.items()),
            {name: tuple(words) for name, words in lists.items()})


FAMILIES, _LISTS = _read_table()
SURNAMES = frozenset(_LISTS["surname"])
# The surnames of most of the population: an unaccented name that starts with one ("phan anh
# minh minh") is read as a person's name; with a rarer one ("tong dai nam nam") it is not.
COMMON_SURNAMES = frozenset(_LISTS["common_surname"])
MIDDLE_NAMES = frozenset(_LISTS["middle_name"])
GIVEN_NAMES = frozenset(_LISTS["given_name"])
KINSHIP = frozenset(_LISTS["kinship"])
# Words that open the name of an institution ("Bộ Công an", "Báo Tuổi Trẻ", "Cục Thuế"): such a
# name is a proper name even when every other word in it is an everyday word.
INSTITUTION_WORDS = frozenset(_LISTS["institution"])
# Place markers: the words after them are a place's name ("xã Tân Hòa", "Quận 7"); a branch
# ("Chi nhánh Tân Bình") also claims to be part of the organisation.
LOCATION_MARKERS = frozenset(_LISTS["location_marker"])
BRANCH_MARKERS = frozenset(_LISTS["branch_marker"])
# Place words scammers add most, lure words by themselves (most places are name syllables).
LURE_PLACES = frozenset(_LISTS["lure_place"])


_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, without Vietnamese diacritics (``"Tuyển Dụng"`` → ``"tuyen dung"``)."""
    text = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE).lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def _surface(text: str) -> str:
    return unicodedata.normalize("NFC", text.lower())


@dataclass(frozen=True, slots=True)
class Entry:
    """One vocabulary phrase: its words as written (lower case, NFC), the family it belongs to."""

    written: tuple[str, ...]
    family: Family


class Vocabulary:
    """Every family's phrases, indexed by folded words (for names) and by compact form (for
    handles and domain labels, which have no spaces)."""

    def __init__(self, families: tuple[Family, ...] = FAMILIES) -> None:
        self.families = families
        self.phrases: dict[tuple[str, ...], list[Entry]] = {}
        self.compact: dict[str, list[Entry]] = {}
        for family in families:
            for phrase in family.words:
                written = tuple(_surface(phrase).replace("/", " ").split())
                folded = tuple(_NON_ALNUM.sub("", fold(w)) for w in written)
                folded = tuple(w for w in folded if w)
                entry = Entry(written, family)
                self.phrases.setdefault(folded, []).append(entry)
                self.compact.setdefault("".join(folded), []).append(entry)
        self.longest = max(len(k) for k in self.phrases)
        self.compact_longest = max(len(k) for k in self.compact)
        self.firsts = frozenset(k[0] for k in self.phrases)
        self.lasts = frozenset(k[-1] for k in self.phrases)
        self.surnames = frozenset(_surface(w) for w in SURNAMES)
        self.given = frozenset(_surface(w) for w in GIVEN_NAMES | MIDDLE_NAMES)
        self.kin = frozenset(_surface(w) for w in KINSHIP)
        self.folded_surnames = frozenset(fold(w) for w in self.surnames)
        self.folded_common_surnames = frozenset(fold(w) for w in COMMON_SURNAMES)
        self.folded_given = frozenset(fold(w) for w in self.given)
        self.folded_kin = frozenset(fold(w) for w in self.kin)
        self.folded_names = self.folded_given | self.folded_surnames
        # Place markers by their folded words, with how they are written and how strong they are.
        self.markers: dict[tuple[str, ...], tuple[str, str]] = {
            tuple(fold(w).split()): (_surface(w).split()[0], "strong" if w in BRANCH_MARKERS else "weak")
            for w in LOCATION_MARKERS | BRANCH_MARKERS
        }
        self.institutions = frozenset(tuple(fold(w).split()) for w in INSTITUTION_WORDS)

    def family_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.families)

    def affix_phrases(self, strength: str | None = None) -> frozenset[tuple[str, ...]]:
        """Folded phrases of the affix families (of one strength, or all)."""
        return frozenset(
            k for k, entries in self.phrases.items()
            if any(e.family.role == "affix" and (strength is None or e.family.strength == strength) for e in entries)
        )

    def lookup(self, folded: tuple[str, ...], written: tuple[str, ...] | None = None, *,
               accented: bool = False) -> Entry | None:
        """The entry for a run of words, if the vocabulary has it.

        ``written`` is how the user wrote the words. In a name typed with diacritics
        (``accented``) every word is taken as written ("Tín" and "Gia" are names, not "tin",
        news, and "giá", price); in one typed without any, words match by their folded form
        (``tuyen dung``), as people type without accents.
        """
        entries = self.phrases.get(folded)
        if not entries:
            return None
        if written is None:
            return _best(entries)
        if accented:
            exact = [e for e in entries if e.written == written]
            return _best(exact) if exact else None
        agreeing = [e for e in entries if _agrees(written, e.written)]
        exact = [e for e in agreeing if e.written == written]
        return _best(exact or agreeing) if agreeing else None

    def read(self, folded: tuple[str, ...], written: tuple[str, ...], *, accented: bool) -> Entry | None:
        """:meth:`lookup`, and for one word typed without spaces (``hotro``, ``tuyendung``)
        its compact form: in a name typed with diacritics only a phrase of several words
        ("hỗ trợ"), since one short word without them ("gia") is then what it says."""
        entry = self.lookup(folded, written, accented=accented)
        if entry is None and len(folded) == 1 and written[0] == folded[0]:
            entry = self.lookup_compact(folded[0])
            if entry is not None and accented and len(entry.written) == 1:
                return None
        return entry

    def lookup_compact(self, compact: str) -> Entry | None:
        entries = self.compact.get(compact)
        return _best(entries) if entries else None

    def contains(self, word: str) -> bool:
        """Whether a folded word or compact phrase is anywhere in the vocabulary (any family)."""
        return (word,) in self.phrases or word in self.compact


_ROLE_ORDER = {"affix": 0, "connector": 1, "blocker": 2}


def _best(entries: list[Entry]) -> Entry:
    """An affix reading before a neutral or blocking one: a word that can say what an account
    does ("hot", "care") is read that way."""
    return min(entries, key=lambda e: (_ROLE_ORDER[e.family.role], e.family.strength != "strong"))


def _agrees(written: tuple[str, ...], entry: tuple[str, ...]) -> bool:
    if len(written) != len(entry):
        return True  # compact or split differently: judged on the folded form
    for w, e in zip(written, entry):
        if not w.isascii() and w != e and fold(w) == fold(e):
            return False
    return True


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The packaged vocabulary, built once."""
    return Vocabulary()
