"""Reading the words around a protected name: an affix, or another identity?

When a protected name is found inside a longer display name, handle or domain label
(``"Vietcombank Tuyển Dụng 2026"``, ``"tuyendung_mbbank"``, ``"congan-vneid.com"``), the rest is
read word by word, by position (before or after the name, and whether a space, hyphen, dot,
underscore or camel case separates it or it is glued on) and by what each word is:

1. a phrase of a vocabulary family (:mod:`.vocabulary`), longest first: recruitment, news,
   support, complaint... (an *affix*), a business, community or school word (a *blocker*), or a
   connector (``của``, ``by``); words written together are split first (``tuyendung``);
2. a place marker and the place it opens (``xã Tân Hòa``, ``Quận 7``): a weak affix, or a
   strong one for a branch (``Chi nhánh Tân Bình``);
3. a number or time (``2026``, ``24h``);
4. a person's name (:mod:`.people`): ``Bích Ngọc``, ``chị Lan``, ``Hương`` alone beside the
   brand, ``lananh`` in one word, or a whole name such as ``Hà Minh Công An``: a blocker;
5. any other ordinary word: a syllable that Vietnamese spelling allows (:mod:`.syllables`), a
   compound of them set off as a word of its own (``hocbong``), or an English word by its
   ending (``-ing``, ``-tion``, ``-ment``…): a *descriptive* word;
6. anything else (a coined word, an unknown acronym): another proper name, a blocker.

The reading is *generic* — the name plus words that only dress it, an impersonation — when no
blocker was found and the descriptive words may dress this name: any around a *distinctive*
name (a coined brand, an acronym, an institution's name: :func:`is_distinctive`); around an
everyday name (``Tuổi Trẻ``, ``Điện lực``, a person's name) English ones, and Vietnamese ones
only beside a strong family word, since everyday words run on into it as one phrase ("Tuổi trẻ
tài cao"). A name glued onto the words around it must touch a family word, a number or a
longer English word ("vietcombanktuyendung"), not a bare syllable ("momotaro").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .keys import NameKey
from .keys import written_tokens as _written_tokens
from .people import is_full_name, is_name_run, mark_people, name_role
from .syllables import is_syllabic, is_vietnamese_syllable, ordinary_syllable
from .vocabulary import Entry, Vocabulary, fold, vocabulary

__all__ = ["Unit", "Reading", "read_around", "glued_cleanly", "has_english_word", "is_distinctive", "written_tokens"]


@dataclass(frozen=True, slots=True)
class Unit:
    """One word or phrase around a name, as written (lower case), and what it was read as.

    ``kind``: ``affix`` (a family phrase; ``family`` names it), ``place``, ``number``, ``word``
    (an ordinary word: ``family`` is ``descriptive``), ``connector``, ``blocker`` (``family``
    is ``business``, ``community``, ``education``, ``person`` or ``name``). ``glued``: written
    against the protected name with no separator.
    """

    text: str
    kind: str
    family: str
    strength: str = ""
    glued: bool = False
    piece: bool = False  # found inside a longer glued word ("hot" in "hothu")


@dataclass(frozen=True, slots=True)
class Reading:
    """What surrounds a protected name: ``generic`` when every word only dresses it; ``klass``
    is ``strong``, ``weak``, ``number`` or ``""`` (as for stripped affixes); ``blocker`` is the
    first word that makes it another identity, if any."""

    generic: bool
    klass: str
    units: tuple[Unit, ...]
    blocker: Unit | None = None

    @property
    def affixes(self) -> tuple[str, ...]:
        return tuple(u.text for u in self.units if u.kind not in ("connector",))

    @property
    def families(self) -> tuple[str, ...]:
        out: list[str] = []
        for u in self.units:
            if u.kind in ("affix", "place", "number", "word") and u.family not in out:
                out.append(u.family)
        return tuple(out)


_NUMBER = re.compile(r"\d+h?|h\d+")
# English words by their derivational or inflectional ending: common nouns and verbs, rarely
# names. A word read so is marked ENGLISH (see _judge).
_ENGLISH = re.compile(
    r"[a-z]{2,}(?:ing|ings|tion|tions|sion|sions|ment|ments|ness|ity|ities|ance|ances|ence|ences|ship|ships|"
    r"ery|eries|ory|ories|ive|ives|ible|able|ful|less|ist|ists|ism|ize|izes|ise|ises|ers|ors|ics|ure|ures|"
    r"ary|aries|ward|wards|ly|ed|al|als)"
)
_ENGLISH_WORD = re.compile(r"(?<![^\W\d_])(?:" + _ENGLISH.pattern + r")(?![^\W\d_])", re.IGNORECASE)
ENGLISH = "english"
# Glued onto a protected name, a run of more syllables than this with no family word in it is
# one other word ("momotaro"), not words that dress the name.
_MAX_GLUED_SYLLABLES = 1


def has_english_word(text: str) -> bool:
    """Whether ``text`` holds a word that reads as English by its ending ("Onboarding")."""
    return _ENGLISH_WORD.search(text) is not None


def written_tokens(nk: NameKey) -> tuple[str, ...]:
    """``nk.tokens`` as the user wrote them (lower case, with diacritics), when they align."""
    return _written_tokens(nk.text, nk.tokens)


def is_distinctive(text: str, source: str = "name") -> bool:
    """Whether a protected name is a proper name even among everyday words.

    Distinctive: an acronym or camel-case coinage (``VTV``, ``MoMo``), a name with digits
    (``VTV24``), one written word (``Vietcombank``, ``Tiki``), a name with a word that is not a
    Vietnamese syllable (``Vietnam Airlines``), or one that opens with an institution word (``Bộ
    Công an``, ``Báo Tuổi Trẻ``). Not: everyday words (``Tuổi Trẻ``, ``Điện lực``, ``Dịch vụ
    công``). A domain label (``cake`` of cake.vn) is distinctive only when long and coined.
    """
    letters = re.sub(r"[^\w]", "", text)
    if source != "name":
        key = fold(letters)
        return len(key) >= 5 and not is_syllabic(key)
    words = re.findall(r"[^\W_]+", text)
    if not words:
        return False
    if any(ch.isdigit() for ch in text):
        return True
    for w in words:
        if len(w) >= 2 and (w.isupper() or (not w.islower() and not w.istitle())):
            return True
    folded = tuple(fold(w) for w in words)
    if len(folded) == 1:
        return True
    if not all(is_vietnamese_syllable(w) for w in folded):
        return True
    voc = vocabulary()
    return any(folded[:k] in voc.institutions for k in (1, 2))


# -- reading -------------------------------------------------------------------------------------

def _segment(voc: Vocabulary, compact: str) -> list[tuple[str, str]] | None:
    """Split a glued word (``tuyendung``, ``vegiare``, ``cskh24h``) into family phrases,
    numbers and syllables, preferring family phrases; ``None`` when it cannot be split."""
    n = len(compact)
    if n == 0 or n > 80:
        return [] if n == 0 else None
    inf = float("inf")
    best: list[float] = [inf] * (n + 1)
    back: list[tuple[int, str]] = [(0, "")] * (n + 1)
    best[0] = 0.0
    longest = voc.compact_longest
    for i in range(n):
        if best[i] == inf:
            continue
        m = _NUMBER.match(compact, i)
        if m and best[i] + 1.0 < best[m.end()]:
            best[m.end()], back[m.end()] = best[i] + 1.0, (i, "number")
        for j in range(i + 1, min(n, i + longest) + 1):
            piece = compact[i:j]
            # Two-letter acronyms ("cn", "hn", "tv") only stand alone, never inside a run.
            if (j - i >= 3 or (j - i == 2 and (is_vietnamese_syllable(piece) or (i == 0 and j == n)))) \
                    and best[i] + 1.0 < best[j] and _segmentable(voc, piece):
                best[j], back[j] = best[i] + 1.0, (i, "family")
            if 2 <= j - i <= 7 and best[i] + 1.5 < best[j] and not piece.isdigit() and ordinary_syllable(piece):
                best[j], back[j] = best[i] + 1.5, (i, "syllable")
    if best[n] == inf:
        return None
    out = []
    j = n
    while j > 0:
        i, what = back[j]
        out.append((compact[i:j], what))
        j = i
    return out[::-1]


def _segmentable(voc: Vocabulary, piece: str) -> bool:
    """A family phrase that may be read inside a glued word: not a connector ("in", "va")."""
    entry = voc.lookup_compact(piece)
    return entry is not None and entry.family.role != "connector"


def _family_unit(entry: Entry, text: str, glued: bool = False, piece: bool = False) -> Unit:
    return Unit(text, entry.family.role, entry.family.name, entry.family.strength, glued, piece)


def _units_of_side(voc: Vocabulary, words: list[tuple[str, str]], touch: str, accented: bool) -> list[Unit]:
    """Read one side of the name. ``words`` are (written, folded) pairs in order; ``touch`` is
    ``"end"`` (left side) or ``"start"`` (right side) when the word touching the name is glued
    to it without a separator, else ``""``."""
    units: list[Unit] = []
    n = len(words)
    i = 0
    while i < n:
        written, folded = words[i]
        glued = (touch == "start" and i == 0) or (touch == "end" and i == n - 1)
        # 1. family phrases, longest first; a place marker is read with the place it opens
        entry, took = None, 0
        for k in range(min(voc.longest, n - i), 0, -1):
            run = words[i:i + k]
            entry = voc.read(tuple(f for _, f in run), tuple(w for w, _ in run), accented=accented)
            if entry is not None:
                took = k
                break
        marker, strength = 0, ""
        for k in (2, 1):
            known = voc.markers.get(tuple(f for _, f in words[i:i + k]))
            if known is not None and (written == folded or written == known[0]):
                marker, strength = k, known[1]
                break
        if marker and marker >= took and i + marker < n:
            j = i + marker
            while j < min(n, i + marker + 3):
                w, f = words[j]
                if voc.lookup((f,), (w,), accented=accented) is not None and not _NUMBER.fullmatch(f):
                    break
                j += 1
            if j > i + marker:
                units.append(Unit(" ".join(w for w, _ in words[i:j]), "place", "place", strength))
                i = j
                continue
        if entry is not None:
            units.append(_family_unit(entry, " ".join(w for w, _ in words[i:i + took]), glued and took == 1))
            i += took
            continue
        # 2. numbers
        if _NUMBER.fullmatch(folded):
            units.append(Unit(written, "number", "number", glued=glued))
            i += 1
            continue
        # 3. one word: a name syllable, an ordinary word, a glued run of words, or another name
        units.extend(_one_word(voc, written, folded, touch=touch if glued else "", accented=accented))
        i += 1
    return units


def _one_word(voc: Vocabulary, written: str, folded: str, *, touch: str, accented: bool) -> list[Unit]:
    glued = bool(touch)
    role = name_role(voc, written, folded, accented)
    if role:
        return [Unit(written, "name?", role, glued=glued)]
    if ordinary_syllable(folded):
        return [Unit(written, "word", "descriptive", glued=glued)]
    parts = _segment(voc, folded) if written == folded else None
    english = written.isascii() and (_ENGLISH.fullmatch(folded) or (folded.endswith("s") and voc.contains(folded[:-1])))
    if english and not (parts and all(what != "syllable" for _, what in parts)):
        # An English word ("Onboarding", "Reservations"), unless it is family words written
        # together ("flightdeals"): it cannot run on into a Vietnamese name as a phrase.
        return [Unit(written, "word", "descriptive", ENGLISH, glued=glued)]
    if parts:
        def name_piece(p: str, what: str) -> bool:
            return what != "number" and name_role(voc, p, p) in ("given", "surname")

        syllables = [p for p, what in parts if what == "syllable"]
        affixes = [p for p, what in parts if what == "family" and voc.lookup_compact(p).family.role == "affix"]
        if len(parts) > 1 and (all(name_piece(p, what) for p, what in parts)
                               or (not affixes and is_name_run(voc, folded))):
            return [Unit(written, "blocker", "person", glued=glued)]  # a name in one word: "lananh"
        # A word of its own (set off by a space, hyphen, dot or case) may be a compound written
        # without spaces ("hocbong", "chuyenla"); glued onto the protected name it must hold a
        # family word ("momotaro" is one word).
        compound = not glued and len(syllables) == len(parts)
        if len(syllables) <= _MAX_GLUED_SYLLABLES or affixes or compound:
            out = []
            last = len(parts) - 1
            for k, (piece, what) in enumerate(parts):
                touching = (touch == "start" and k == 0) or (touch == "end" and k == last)
                entry = voc.lookup_compact(piece) if what == "family" else None
                if entry is not None and not (entry.family.role == "blocker" and ordinary_syllable(piece)):
                    out.append(_family_unit(entry, piece, touching, len(parts) > 1))
                elif what == "number":
                    out.append(Unit(piece, "number", "number", glued=touching))
                else:
                    # inside a compound one syllable is a word, whatever else it could be
                    out.append(Unit(piece, "word", "descriptive", glued=touching, piece=True))
            return out
    return [Unit(written, "blocker", "name", glued=glued)]


def glued_cleanly(nk: NameKey, start: int, end: int) -> bool:
    """A cheap test before :func:`read_around`: where ``nk.compact[start:end]`` begins or ends
    inside a word, the letters glued to it must end (before) or begin (after) with a family
    word or a number ("vietcombankhotro", "mb24h"), not with a syllable ("quocbinh" ∌ "ocb")."""
    bounds = nk.bounds
    compact = nk.compact
    voc = vocabulary()
    longest = voc.compact_longest
    if start not in bounds:
        left = compact[max(b for b in bounds if b < start):start]
        if not (left[-1:].isdigit() or left[-1:] == "h" and left[-2:-1].isdigit()
                or any(voc.lookup_compact(left[i:]) for i in range(max(0, len(left) - longest), len(left) - 1))):
            return False
    if end not in bounds:
        right = compact[end:min(b for b in bounds if b > end)]
        if not (right[:1].isdigit()
                or any(voc.lookup_compact(right[:j]) for j in range(2, min(len(right), longest) + 1))):
            return False
    return True


def read_around(nk: NameKey, start: int, end: int, *, distinctive: bool) -> Reading:
    """Read what surrounds ``nk.compact[start:end]`` (a protected name found there).

    ``distinctive``: the name is a proper name even among everyday words (:func:`is_distinctive`;
    a person's name never is).
    """
    voc = vocabulary()
    written = written_tokens(nk)
    left: list[tuple[str, str]] = []
    right: list[tuple[str, str]] = []
    glued_left = glued_right = False
    pos = 0
    for w, t in zip(written, nk.tokens):
        a, b = pos, pos + len(t)
        pos = b
        if b <= start:
            left.append((w, t))
        elif a >= end:
            right.append((w, t))
        else:
            # The name begins or ends inside this token: the rest of it is glued on. Written
            # and folded tokens align letter for letter (see keys.written_tokens).
            if a < start:
                left.append((w[: start - a], t[: start - a]))
                glued_left = True
            if b > end:
                right.append((w[end - a:], t[end - a:]))
                glued_right = True
    accented = written != nk.tokens
    if is_full_name(voc, written, nk.tokens, accented):
        # "Hà Minh Công An" is Hà (surname), Minh Công (middle names), An: a person, whatever
        # the words would mean elsewhere.
        return Reading(False, "", (), Unit(" ".join(written), "blocker", "person"))
    units: list[Unit] = []
    loose = False  # an everyday name glued onto ordinary syllables
    for side, glued, touch in ((left, glued_left, "end"), (right, glued_right, "start")):
        read = mark_people(voc, _units_of_side(voc, side, touch if glued else "", accented),
                           alone_is_name=True, accented=accented, make=Unit)
        loose = loose or (glued and not distinctive and any(u.kind == "word" and u.strength != ENGLISH for u in read))
        units.extend(read)
    return _judge(units, distinctive=distinctive, loose=loose)


def _judge(units: list[Unit], *, distinctive: bool, loose: bool = False) -> Reading:
    """Generic (every word dresses the name) or not, and how strong the words around it are."""
    blocker = next((u for u in units if u.kind == "blocker"), None)
    strong = any(u.kind in ("affix", "place") and u.strength == "strong" for u in units)
    weak = any(u.kind in ("affix", "place") and u.strength == "weak" for u in units)
    words = [u for u in units if u.kind == "word"]
    # Everyday Vietnamese words may run on into an everyday name as one phrase ("Tuổi trẻ tài
    # cao"); English words ("Reservations") cannot, so they dress any name.
    vietnamese = [u for u in words if u.strength != ENGLISH]
    numbers = any(u.kind == "number" for u in units)
    if blocker is None:
        # glued straight onto an ordinary syllable ("momotaro", "lanmomo"): one other word; an
        # English word of some length is no accident ("goldentechonboarding")
        blocker = next((u for u in units if u.glued and u.kind in ("word", "connector")
                        and not (u.strength == ENGLISH and len(u.text) >= 6)), None)
    generic = blocker is None and not loose and not (vietnamese and not distinctive and not strong)
    if generic:
        klass = "strong" if strong or (words and (distinctive or len(vietnamese) < len(words))) else (
            "weak" if weak or words else "number" if numbers else "")
        return Reading(True, klass, tuple(units), None)
    # Another identity, or an everyday name among everyday words: only clear strong words are
    # evidence, not one syllable found inside a longer glued word ("nhanh" in "dinhanh"), nor
    # the topic a community talks about ("Kinh nghiệm săn vé Vietjet").
    clear = (blocker is None or blocker.family != "community") and any(
        u.kind in ("affix", "place") and u.strength == "strong"
        and (not u.piece or not is_vietnamese_syllable(u.text)) for u in units)
    klass = "strong" if clear else "weak" if (weak or words or strong) else "number" if numbers else ""
    return Reading(False, klass, tuple(units), blocker)
