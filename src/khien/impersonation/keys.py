"""Name keys: the forms under which a protected name and a candidate name are compared.

A name such as ``"Vietcombank - CSKH 24h"``, ``"V1etcombank"`` or ``"Viеtcombank"`` (Cyrillic ``е``)
is reduced to a *key*: look-alike letters of other scripts folded to Latin (the project's
confusables table), lower case, Vietnamese diacritics removed (``đ`` → ``d``, ``ơ`` → ``o``, tone
marks), digits written for letters read as letters (``0`` → ``o``), ``rn`` read as ``m`` and ``vv``
as ``w``, then spaces and punctuation removed; words written in camel case
(``VietcombankTuyenDung``) are words of their own. The *core* is the key after the affix words
scammers add (``CSKH``, ``Hỗ trợ``, ``Tuyển dụng``, years…: the affix families of
:mod:`.vocabulary`, see :mod:`.affixes`) are stripped from both ends. What was changed on the
way is kept as :class:`Disguise` notes, because a disguise is evidence too.

The folding itself is the text package's (:func:`khien.text.fold_accents`,
:func:`khien.text.tables.confusables`, :func:`khien.text.tables.leet`); this module only adds
what names need on top of it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, NamedTuple

from ..text import tables
from ..text.views import fold_accents
from .affixes import AFFIXES, affix_class, affix_only, may_strip, strip_affixes
from .syllables import is_syllabic, is_vietnamese_syllable, syllable_count

__all__ = [
    "AFFIXES",
    "Disguise",
    "NameKey",
    "name_key",
    "key_of",
    "quick_compact",
    "strength",
    "split_camel",
    "written_tokens",
    # re-exported: keys are built with them
    "affix_class",
    "affix_only",
    "is_syllabic",
    "is_vietnamese_syllable",
]

@dataclass(frozen=True, slots=True)
class Disguise:
    """One deliberate-looking change found while building a key, with its why-text."""

    kind: str  # confusable | leet | rn_m | mixed_case_l
    why: str


class NameKey(NamedTuple):
    """The keys of one name.

    ``tokens`` are the folded words; ``compact`` is all tokens joined; ``core`` is ``compact``
    after the affixes at both ends were stripped (``compact`` itself when nothing was);
    ``affixes`` are the stripped affixes (folded); ``stages`` are the keys after each stripping
    step, outermost first, with the affixes stripped so far, and ``spans`` where they lie in
    ``compact``. Words written together in camel case ("VietcombankTuyenDung") are tokens of
    their own.
    """

    text: str
    tokens: tuple[str, ...]
    compact: str
    core: str
    affixes: tuple[str, ...]
    disguises: tuple[Disguise, ...]
    stages: tuple[tuple[str, tuple[str, ...]], ...]
    spans: tuple[tuple[int, int], ...] = ()  # where each stage's key lies in ``compact``

    @property
    def bounds(self) -> frozenset[int]:
        """Token boundaries in ``compact`` (start offsets and the end)."""
        out = {0}
        pos = 0
        for t in self.tokens:
            pos += len(t)
            out.add(pos)
        return frozenset(out)


_LEET_DEFAULTS = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], dict[str, str], frozenset[str]]:
    """The name table, the leet map and the set of look-alike characters.

    The name table sends every character in one step to what the text package makes of it:
    look-alikes of other scripts and fullwidth forms to Latin (:func:`tables.confusables`),
    then lower case and :func:`fold_accents`. Built once from those functions, not re-written.
    """
    confusable = dict(tables.confusables())
    for cp in range(0xFF01, 0xFF5F):
        confusable.setdefault(chr(cp), chr(cp - 0xFEE0))
    table: dict[int, str] = {}
    for cp in list(range(0x41, 0x5B)) + list(range(0xC0, 0x2000)) + [ord(c) for c in confusable]:
        ch = chr(cp)
        out = fold_accents(confusable.get(ch, ch).lower())
        if out != ch:
            table[cp] = out
    leet = {k: v for k, v in tables.leet().items() if len(k) == 1 and (k.isdigit() or k in "@$!|")}
    for k, v in _LEET_DEFAULTS.items():
        leet.setdefault(k, v)
    return table, leet, frozenset(c for c in confusable if not c.isascii())


_SCRIPT_CACHE: dict[str, str] = {}


def _script(ch: str) -> str:
    got = _SCRIPT_CACHE.get(ch)
    if got is None:
        name = unicodedata.name(ch, "")
        got = name.split(" ", 1)[0].capitalize() if name else "Unknown"
        if got == "Fullwidth":
            got = "Fullwidth"
        _SCRIPT_CACHE[ch] = got
    return got


_LEET_RE_CACHE: list[re.Pattern[str]] = []


def _leet_re() -> re.Pattern[str]:
    if not _LEET_RE_CACHE:
        chars = "".join(re.escape(c) for c in _tables()[1])
        # A leet character stands for a letter when a letter touches it and no digit does:
        # "v1etcombank", "h0tr0", "c@o", "Hả1 Phòng" — but not "24h", "vcb2024", "247", "lan1",
        # "hoatran0" (a final 0 is a letter only after another leet letter in the word).
        _LEET_RE_CACHE.append(
            re.compile(
                rf"(?<=[a-z])[{chars}](?=[a-z])|(?:(?<=[{chars}][a-z])|(?<=[{chars}][a-z]{{2}})|(?<=[{chars}][a-z]{{3}}))0(?![0-9a-z])"
                rf"|(?<![0-9a-z])[{chars}](?=[a-z]{{2}})"
                rf"|(?<= [a-z])[{chars}](?= [a-z])|(?<=[a-z]{{2}})[{chars}](?= [a-z])"
            )
        )
    return _LEET_RE_CACHE[0]


_MIXED_L = re.compile(r"(?<=[a-z])I(?=[a-z])")
_SPLIT = re.compile(r"[a-z]+|[0-9]+h?")
_LEET_ANY = re.compile(r"[0-9@$!|]")
# ASCII and the Latin letters of Vietnamese (precomposed, NFC): what most names are made of.
_PLAIN_VIETNAMESE = re.compile(
    "[\\x00-\\x7fÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯưẠ-ỹ]*"
)


@lru_cache(maxsize=1)
def _letter_table() -> dict[int, str]:
    """Each character to its folded letter or digit, one for one; anything else to a space."""
    table: dict[int, str] = {}
    for cp in range(0x2000):
        ch = chr(cp)
        f = ch if ch.isascii() else fold_accents(ch)
        out = f if len(f) == 1 and f.isascii() and f.isalnum() else " "
        if out != ch:
            table[cp] = out
    return table


@lru_cache(maxsize=16384)
def written_tokens(text: str, tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The ``tokens`` of :func:`name_key` as the user wrote them (lower case, with diacritics),
    when they align letter for letter; else ``tokens`` itself (look-alike letters, leetspeak,
    or no diacritics at all: nothing more to read)."""
    if text.isascii():
        return tokens
    work = split_camel(unicodedata.normalize("NFC", text)).lower()
    folded = work.translate(_letter_table())
    spans = [(m.start(), m.end()) for m in _SPLIT.finditer(folded)]
    if len(spans) != len(tokens):
        return tokens
    written = tuple(work[a:b] for a, b in spans)
    if any(folded[a:b] != t for (a, b), t in zip(spans, tokens)):
        # 'rn' read as 'm' in a word (see name_key): read the written word the same way.
        written = tuple(w.replace("rn", "m").replace("vv", "w") for w in written)
        if any(fold_accents(w) != t for w, t in zip(written, tokens)):
            return tokens
    return written


def _written_once(text: str, tokens: tuple[str, ...]) -> Callable[[], tuple[str, ...] | None]:
    """The written tokens of a name, computed at most once and only if asked for (``None``
    when the name carries no diacritics to read)."""
    if text.isascii():
        return lambda: None
    memo: list[tuple[str, ...] | None] = []

    def get() -> tuple[str, ...] | None:
        if not memo:
            got = written_tokens(text, tokens)
            memo.append(got if got != tokens else None)
        return memo[0]

    return get


def _case_classes() -> tuple[str, str]:
    lower = "".join(chr(c) for c in range(0x61, 0x7B)) + "".join(
        chr(c) for c in range(0xC0, 0x1EFA) if chr(c).islower() and chr(c).isalpha())
    upper = "".join(chr(c) for c in range(0x41, 0x5B)) + "".join(
        chr(c) for c in range(0xC0, 0x1EFA) if chr(c).isupper() and chr(c).isalpha())
    return re.escape(lower), re.escape(upper)


_LOWER, _UPPER = _case_classes()
# A word boundary written in camel case: "tuyenDung", "VCBDigibank" ("VCB" + "Digibank").
_CAMEL = re.compile(f"(?<=[{_LOWER}])(?=[{_UPPER}])|(?<=[{_UPPER}][{_UPPER}])(?=[{_UPPER}][{_LOWER}])")
_HAS_CAMEL = re.compile(f"[{_LOWER}][{_UPPER}]|[{_UPPER}][{_UPPER}][{_UPPER}][{_LOWER}]")


def split_camel(text: str) -> str:
    """``"VietcombankTuyenDung"`` → ``"Vietcombank Tuyen Dung"``; other text unchanged."""
    if not _HAS_CAMEL.search(text):
        return text
    return _CAMEL.sub(" ", text)


def name_key(text: str) -> NameKey:
    """The keys of a display name, handle or domain label. Never raises on a ``str``."""
    trans, leet_map, lookalikes = _tables()
    disguises: list[Disguise] = []
    work = text
    if work.isascii():
        if "I" in work and _MIXED_L.search(work):
            disguises.append(Disguise("mixed_case_l", "capital 'I' written for a lower-case 'l'"))
            work = _MIXED_L.sub("l", work)
        work = split_camel(work).lower()
    else:
        if not unicodedata.is_normalized("NFC", work):
            work = unicodedata.normalize("NFC", work)
        found = lookalikes.intersection(work)
        if found:
            by_script: dict[str, list[str]] = {}
            for ch in work:
                if ch in found:
                    chars = by_script.setdefault(_script(ch), [])
                    if ch not in chars:
                        chars.append(ch)
            for script, chars in by_script.items():
                shown = ", ".join(f"'{c}'" for c in chars[:3]) + (" …" if len(chars) > 3 else "")
                disguises.append(Disguise("confusable", f"{script} {shown} in a Latin name"))
        if "I" in work and _MIXED_L.search(work):
            disguises.append(Disguise("mixed_case_l", "capital 'I' written for a lower-case 'l'"))
            work = _MIXED_L.sub("l", work)
        work = split_camel(work)
        if found or not _PLAIN_VIETNAMESE.fullmatch(work):
            work = work.translate(trans)
        else:
            # Fast path, same result as the table for Vietnamese letters: decompose, drop marks.
            work = unicodedata.normalize("NFD", work.replace("đ", "d").replace("Đ", "d")).encode(
                "ascii", "ignore").decode("ascii").lower()
    if _LEET_ANY.search(work):
        pattern = _leet_re()
        chars = sorted({m.group(0) for m in pattern.finditer(work)})
        if chars:
            work = pattern.sub(lambda m: leet_map[m.group(0)], work)
            disguises.append(
                Disguise("leet", "; ".join(f"'{c}' written for the letter '{leet_map[c]}'" for c in chars))
            )
    tokens = tuple(_SPLIT.findall(work))
    compact = "".join(tokens)
    if "rn" in compact or "vv" in compact:
        read = tuple(t.replace("rn", "m").replace("vv", "w") for t in tokens)
        if read != tokens:  # within a word only: "gov-vn" has no 'w'
            tokens, compact = read, "".join(read)
            disguises.append(Disguise("rn_m", "'rn' or 'vv' written for 'm' or 'w'"))
    spans: tuple[tuple[int, int], ...] = ()
    if may_strip(tokens):
        cut = strip_affixes(tokens, _written_once(text, tokens))
        stages = tuple(("".join(t), a) for t, a, _, _ in cut)
        spans = tuple((len("".join(tokens[:h])), len("".join(tokens[:len(tokens) - t]))) for _, _, h, t in cut)
    else:
        stages = ()
    core, stripped = stages[-1] if stages else (compact, ())
    return NameKey(text, tokens, compact, core, stripped, tuple(disguises), stages, spans)


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


_DROP = bytes(c for c in range(128) if not chr(c).isalnum())


def quick_compact(text: str) -> str | None:
    """The compact key of a plain name, cheaply; ``None`` when the name needs :func:`name_key`
    (look-alike letters, digits inside words, ``rn``): used to dismiss ordinary names fast."""
    if text.isascii():
        raw = text.encode("ascii")
    elif _PLAIN_VIETNAMESE.fullmatch(text):
        raw = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d")).encode("ascii", "ignore")
    else:
        return None
    if b"I" in raw:
        return None
    work = raw.lower().translate(None, _DROP).decode("ascii")
    if (_LEET_ANY.search(work) and _leet_re().search(work)) or "rn" in work or "vv" in work:
        return None
    return work


def key_of(text: str) -> str:
    """The compact key alone (entity names are indexed under it)."""
    return name_key(text).compact


def strength(tokens: tuple[str, ...], compact: str, kind: str) -> str:
    """How much evidence a match on this name needs: ``strong``, ``weak`` or ``person``.

    - ``person``: a person's name; namesakes exist, so an exact name alone is not enough.
    - ``weak``: a coined name under six letters (``MB``, ``VCB``, ``MoMo``, ``Zalo``) or one to
      three ordinary Vietnamese syllables (``Tuổi Trẻ``, ``Hoàng Long``, ``Bộ Công an``).
    - ``strong``: a longer coined name (``Vietcombank``) or a name of four words or more
      (``Ngân hàng Đầu tư và Phát triển Việt Nam``).
    """
    if kind == "person":
        return "person"
    if len(tokens) >= 4 and len(compact) >= 12:
        return "strong"
    if len(compact) < 6:
        return "weak"
    if len(tokens) == 1:
        return "weak" if syllable_count(compact) <= 3 else "strong"
    if all(is_vietnamese_syllable(t) for t in tokens):
        return "weak"
    return "strong"


