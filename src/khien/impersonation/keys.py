"""Name keys: the forms under which a protected name and a candidate name are compared.

A name such as ``"Vietcombank - CSKH 24h"``, ``"V1etcombank"`` or ``"Viеtcombank"`` (Cyrillic ``е``)
is reduced to a *key*: look-alike letters of other scripts folded to Latin (the project's
confusables table), lower case, Vietnamese diacritics removed (``đ`` → ``d``, ``ơ`` → ``o``, tone
marks), digits written for letters read as letters (``0`` → ``o``), ``rn`` read as ``m`` and ``vv``
as ``w``, then spaces and punctuation removed. The *core* is the key after the affix words
scammers add (``CSKH``, ``Hỗ trợ``, ``Official``, years…) are stripped from both ends. What was
changed on the way is kept as :class:`Disguise` notes, because a disguise is evidence too.

The folding itself is the text package's (:func:`khien.text.fold_accents`,
:func:`khien.text.tables.confusables`, :func:`khien.text.tables.leet`); this module only adds
what names need on top of it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ..text import tables
from ..text.views import fold_accents

__all__ = [
    "AFFIXES",
    "Disguise",
    "NameKey",
    "name_key",
    "key_of",
    "is_vietnamese_syllable",
    "is_syllabic",
    "affix_only",
    "strength",
]

# Affix vocabulary, accent-folded (docs/DOMAIN.md, "Affix vocabulary"): words and phrases
# scammers add to a protected name. Matched as whole tokens at either end of a name, and in
# compact form ("hotro", "chamsockhachhang") inside handles and domain labels.
_AFFIX_WORDS = """
official cskh hotline support care help fanpage page tintuc news vay online ebank ibank ebanking
ibanking banking bank digital app mobile sms otp login verify secure account tuyendung khuyenmai
hoantien giaingan chinhanh tuvan dichvu vn vietnam hcm tphcm hn sg group nhom fan club real
nganhang congty tapdoan theoluong tindung thetindung
"""
_AFFIX_PHRASES = """
chinh thuc|chinh hang|cham soc khach hang|cham soc|ho tro|ho tro khach hang|tong dai|tin tuc|
thong bao|customer service|customer care|vay von|vay tien|vay nhanh|vay online|tin dung|
the tin dung|nang han muc|dao han|giai ngan|dang ky|xac thuc|xac minh|bao mat|dang nhap|
tai khoan|khoa tai khoan|mo khoa|tuyen dung|khuyen mai|uu dai|hoan tien|tri an|qua tang|su kien|
trung thuong|tu van|dich vu|chi nhanh|phong giao dich|van phong dai dien|cong an|an ninh mang|
phong chong lua dao|lay lai tien|ho tro nan nhan|viet nam|ho chi minh|ha noi|sai gon|da nang|
mien bac|mien nam|fan club|chinh chu|24 7|ngan hang|cong ty|tap doan|tong cong ty|tap chi|
hang hang khong|dai truyen hinh|theo luong|chuyen phat nhanh|quoc te|cap nhat|dinh danh|xac nhan|
kich hoat|nhan qua|nhan thuong|thanh toan|tra cuu|hoan thue|nop phat|dong bo
"""
# Affixes that only place or date a name, or say what it is ("Ngân hàng", "Báo"): weak evidence.
# Every other affix (support, service, authority, promotion words) is strong evidence.
_WEAK_AFFIXES = frozenset("""
vn vietnam viet nam vietnam hcm tphcm ho chi minh hochiminh ha noi hanoi hn sg sai gon saigon
da nang danang mien bac mienbac mien nam miennam 24h 247 24 7 group nhom fan club fanclub fan page
fanpage news tin tuc tintuc online app mobile real digital bank ngan hang nganhang cong ty congty
tap doan tapdoan tong cong ty tongcongty tap chi tapchi hang hang khong hanghangkhong
dai truyen hinh daitruyenhinh
quoc te quocte
""".split("\n"))


def _affix_set() -> frozenset[tuple[str, ...]]:
    phrases = {tuple(p.split()) for p in _AFFIX_PHRASES.replace("\n", "").split("|") if p.strip()}
    compact = {("".join(p),) for p in phrases}
    words = {(w,) for w in _AFFIX_WORDS.split()}
    return frozenset(phrases | compact | words)


AFFIXES: frozenset[tuple[str, ...]] = _affix_set()
_AFFIX_MAX = max(len(a) for a in AFFIXES)
# Compact forms for handles and domain labels, which have no spaces.
_AFFIX_COMPACT = frozenset("".join(a) for a in AFFIXES)
_AFFIX_COMPACT_MAX = max(len(a) for a in _AFFIX_COMPACT)
_AFFIX_FIRST = frozenset(a[0] for a in AFFIXES)
_AFFIX_LAST = frozenset(a[-1] for a in AFFIXES)
_WEAK_SET = frozenset(w for line in _WEAK_AFFIXES for w in [line.strip()] if w) | frozenset(
    " ".join(line.split()[i : i + 1]) for line in _WEAK_AFFIXES for i in range(len(line.split()))
)
_STRONG_COMPACT = tuple(sorted(a for a in _AFFIX_COMPACT - {"".join(w.split()) for w in _WEAK_SET} if len(a) >= 3))
_STRONG_RE = re.compile("|".join(sorted(_STRONG_COMPACT, key=len, reverse=True)))
_NUMBER = re.compile(r"\d+h?")


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
    step, outermost first, with the affixes stripped so far.
    """

    text: str
    tokens: tuple[str, ...]
    compact: str
    core: str
    affixes: tuple[str, ...]
    disguises: tuple[Disguise, ...]
    stages: tuple[tuple[str, tuple[str, ...]], ...]

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
_VOWELS = "aeiouy"
# Vietnamese syllable: onset, vowel nucleus, optional coda (accent-folded).
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"(?:uye|uya|oai|oay|uay|uoi|uou|ieu|yeu|uoi|oeo|oa|oe|uy|ua|uo|ue|ui|ia|ie|ye|yu|iu|eo|ao|au|ay|ai|oi|ui|ue|eu|ou|ia|[aeiouy])"
    r"(?:ch|ng|nh|[cmnpt]|[iouy])?"
)


_SYLLABIC = re.compile("(?:(?>" + _SYLLABLE.pattern + "))++")


def is_vietnamese_syllable(token: str) -> bool:
    """Whether a folded token is a possible Vietnamese syllable (``hoang``, ``tre``; not ``momo``)."""
    return bool(_SYLLABLE.fullmatch(token))


def _cuts(tokens: tuple[str, ...], from_end: bool) -> list[tuple[int, list[str]]]:
    """Successive places where affix phrases or numbers can be cut off one end (longest first)."""
    n = len(tokens)
    cuts: list[tuple[int, list[str]]] = [(0, [])]
    pos, stripped = 0, []
    first, pick = (_AFFIX_LAST, (lambda p, k: tokens[n - p - k : n - p])) if from_end else (
        _AFFIX_FIRST, (lambda p, k: tokens[p : p + k]))
    while pos < n - 1:
        edge = tokens[n - 1 - pos] if from_end else tokens[pos]
        took = 0
        if edge in first:
            for k in range(min(_AFFIX_MAX, n - 1 - pos), 0, -1):
                if pick(pos, k) in AFFIXES:
                    took = k
                    break
        if not took and _NUMBER.fullmatch(edge):
            took = 1
        if not took:
            break
        stripped = stripped + [" ".join(pick(pos, took))]
        pos += took
        cuts.append((pos, stripped))
    return cuts


def _strip_affixes(tokens: tuple[str, ...]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Every way of stripping affix phrases and numbers off the ends, least stripped first.

    Returns (remaining tokens, affixes stripped) for each stage, so a protected name that itself
    starts or ends with an affix-like word ("Ngân hàng … Việt Nam", "Bộ Công an") is still found.
    """
    n = len(tokens)
    heads = _cuts(tokens, from_end=False)
    tails = _cuts(tokens, from_end=True)
    stages = []
    for h, head_affixes in heads:
        for t, tail_affixes in tails:
            if (h or t) and h + t < n:
                stages.append((h + t, tokens[h : n - t], tuple(head_affixes + tail_affixes)))
    stages.sort(key=lambda s: s[0])
    return [(rest, affixes) for _, rest, affixes in stages]


def affix_class(affixes: tuple[str, ...] | list[str]) -> str:
    """``"strong"`` if any affix is a support, service or authority word; ``"weak"`` if the
    affixes only place or date the name; ``"number"`` for numbers alone; ``""`` for none."""
    if not affixes:
        return ""
    numbers = True
    for a in affixes:
        if _NUMBER.fullmatch(a):
            continue
        numbers = False
        if a not in _WEAK_SET and a.replace(" ", "") not in _WEAK_SET:
            return "strong"
    return "number" if numbers else "weak"


@lru_cache(maxsize=65536)
def compact_affix_class(remainder: str) -> str:
    """The class of the affixes found inside a compact remainder (``"vay"``, ``"hotro24h"``)."""
    if not remainder:
        return ""
    if _STRONG_RE.search(remainder):
        return "strong"
    return "weak"


@lru_cache(maxsize=65536)
def affix_only(compact: str) -> bool:
    """Whether a compact remainder (``"cskh24h"``, ``"hotro"``) is made only of affixes and digits."""
    n = len(compact)
    if n == 0:
        return True
    ok = [False] * (n + 1)
    ok[0] = True
    for i in range(n):
        if not ok[i]:
            continue
        if compact[i].isdigit() or (compact[i] == "h" and i and compact[i - 1].isdigit()):
            ok[i + 1] = True
            continue
        for j in range(i + 2, min(n, i + _AFFIX_COMPACT_MAX) + 1):
            if compact[i:j] in _AFFIX_COMPACT:
                ok[j] = True
    return ok[n]


_LEET_ANY = re.compile(r"[0-9@$!|]")
# ASCII and the Latin letters of Vietnamese (precomposed, NFC): what most names are made of.
_PLAIN_VIETNAMESE = re.compile(
    "[\\x00-\\x7fÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯưẠ-ỹ]*"
)


def name_key(text: str) -> NameKey:
    """The keys of a display name, handle or domain label. Never raises on a ``str``."""
    trans, leet_map, lookalikes = _tables()
    disguises: list[Disguise] = []
    work = text
    if work.isascii():
        if "I" in work and _MIXED_L.search(work):
            disguises.append(Disguise("mixed_case_l", "capital 'I' written for a lower-case 'l'"))
            work = _MIXED_L.sub("l", work)
        work = work.lower()
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
        tokens = tuple(t.replace("rn", "m").replace("vv", "w") for t in tokens)
        compact = "".join(tokens)
        disguises.append(Disguise("rn_m", "'rn' or 'vv' written for 'm' or 'w'"))
    if tokens and (tokens[0] in _AFFIX_FIRST or tokens[-1] in _AFFIX_LAST or tokens[0][0].isdigit()
                   or tokens[-1][0].isdigit()):
        stages = tuple(("".join(t), a) for t, a in _strip_affixes(tokens))
    else:
        stages = ()
    core, stripped = stages[-1] if stages else (compact, ())
    return NameKey(text, tokens, compact, core, stripped, tuple(disguises), stages)


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


def affix_words(min_length: int = 3) -> frozenset[str]:
    """Compact affix words of at least ``min_length`` letters."""
    return frozenset(a for a in _AFFIX_COMPACT if len(a) >= min_length and not a.isdigit())


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
        return "weak" if _syllables(compact) <= 3 else "strong"
    if all(is_vietnamese_syllable(t) for t in tokens):
        return "weak"
    return "strong"


def is_syllabic(compact: str) -> bool:
    """Whether a compact key is a run of Vietnamese syllables (``dinhthanhhoa``), not a coined word.

    Greedy and possessive (no backtracking, so linear time): a rare real run of syllables may be
    missed, which only costs a one-edit look-up.
    """
    return _SYLLABIC.fullmatch(compact) is not None


def _syllables(compact: str) -> int:
    """How many Vietnamese syllables ``compact`` splits into (99 if it does not: a coined name)."""
    n = len(compact)
    best = [99] * (n + 1)
    best[0] = 0
    for i in range(n):
        if best[i] == 99:
            continue
        for j in range(i + 1, min(n, i + 7) + 1):
            if best[i] + 1 < best[j] and _SYLLABLE.fullmatch(compact, i, j):
                best[j] = best[i] + 1
    return best[n]
