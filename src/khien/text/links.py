"""Finding links, domains, phone numbers, bank accounts and chat handles in Vietnamese text.

Links are found also when defanged or spelled out (``hxxps``, ``[.]``, ``(.)``, `` chấm ``,
``[dot]``), and domains are split with the public-suffix snapshot bundled in ``tldextract``
(nothing is fetched). All spans are offsets into the original text.

Vietnamese posts often run two sentences together without a space ("Hết hàng rồi.Shop nghỉ tết"),
and many TLDs are ordinary words (``.shop``, ``.online``, ``.click``, ``.top``). A token such as
``rồi.Shop`` is therefore not taken as a link when it reads as a sentence break; see
:func:`_sentence_break` for the rule and its reasons. The same rule ends a real link before the
next sentence's first word (``momo.vn.Chúc`` is ``momo.vn``).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

import tldextract

from ..resources import read_words
from .offsets import rewrite
from .views import View

__all__ = ["Link", "Contact", "find_links", "find_contacts", "split_domain", "Domain"]

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

_DEFANG = re.compile(
    r"hxxps?|h\*\*ps?|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\s(?:chấm|cham|dot)\s|\[:\]|\[://\]",
    re.IGNORECASE,
)

_HOST = r"(?:[\w-]+\.)+(?:[a-z\u00c0-\u1ef9]{2,24}|xn--[a-z0-9-]+)"
_URL = re.compile(
    rf"(?:(?:https?|ftp)://|www\.)?(?:\d{{1,3}}(?:\.\d{{1,3}}){{3}}|{_HOST})(?::\d{{2,5}})?(?:/[^\s<>\"'）)\]]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@(?:[\w-]+\.)+[a-z]{2,}", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+])(?:\+84|84|0)(?:[\s.\-]?\d){8,9}(?!\d)|(?<!\d)1[89]00(?:[\s.\-]?\d){4,6}(?!\d)")
def _account_names() -> str:
    """The bank and wallet names of ``data/lists/account_names.txt`` as one alternation (order kept)."""
    names = read_words("packaged:account_names", record=False)
    return "|".join(re.escape(n) + (r"\b" if len(n) <= 2 else "") for n in names)


_ACCOUNT = re.compile(
    r"(?:\bstk\b|so tai khoan|so tk|\btk\b|tai khoan)\s*(?:so)?\s*[:.\-]?\s*(\d(?:[\s.\-]?\d){5,18})"
    r"|\b(" + _account_names() + r")\s*[:\-]?\s*(\d(?:[\s.\-]?\d){5,18})",
)
_HANDLE = re.compile(
    r"(?:\b(?:zalo|za lo|zl|telegram|tele|te le|tê lê|tg|whatsapp|viber|line)\b\s*[:\-]?\s*(@?[\w.]{3,32}|\+?\d[\d\s.]{7,14}))"
    r"|(?:t\.me|telegram\.me|zalo\.me)/[\w+]{3,64}",
    re.IGNORECASE,
)
_APK = re.compile(r"\.apk\b|\bfile apk\b|\btai apk\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Domain:
    host: str
    registrable: str  # e.g. vietcombank.com.vn
    name: str  # the label before the public suffix: vietcombank
    suffix: str  # com.vn
    subdomain: str

    @property
    def is_ip(self) -> bool:
        return bool(re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", self.host))

    @property
    def is_idn(self) -> bool:
        return not self.host.isascii() or "xn--" in self.host


@dataclass(frozen=True, slots=True)
class Link:
    start: int
    end: int
    text: str  # as written
    url: str  # re-fanged
    domain: Domain
    defanged: bool

    @property
    def path(self) -> str:
        """What follows the host and port (``/a/b?c=1``), as written; ``""`` for a bare host."""
        rest = _SCHEME_PREFIX.sub("", self.url)
        cut = _PATH_START.search(rest)
        return rest[cut.start():] if cut else ""


@dataclass(frozen=True, slots=True)
class Contact:
    kind: str  # phone | email | bank_account | handle | apk
    start: int
    end: int
    text: str
    value: str


@lru_cache(maxsize=65536)
def split_domain(host: str) -> Domain | None:
    """Split a host name with the bundled public-suffix list; ``None`` if it has no valid suffix."""
    host = host.lower().strip(".")
    if host.startswith("www."):
        host = host[4:]
    result = _EXTRACT(host)
    if re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", host):
        return Domain(host, host, host, "", "")
    if not result.suffix or not result.domain:
        return None
    registrable = f"{result.domain}.{result.suffix}"
    return Domain(host, registrable, result.domain, result.suffix, result.subdomain)


def _refang(m: re.Match[str]) -> str:
    token = m.group(0).lower().strip()
    if token.startswith("hxxp") or token.startswith("h**p"):
        return "http" + token[4:]
    if token in ("[:]",):
        return ":"
    if token in ("[://]",):
        return "://"
    return "."


_SCHEME_PREFIX = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)
_PATH_START = re.compile(r"[/?#]")
# One Vietnamese syllable with its marks removed: onset, one to three vowels, coda.
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")


def _skeleton(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _is_syllable(word: str) -> bool:
    return word.isalpha() and _SYLLABLE.fullmatch(_skeleton(word)) is not None


def _is_title(label: str) -> bool:
    return len(label) >= 2 and label[0].isupper() and label[1:].islower()


def _sentence_break(name: str, tld: str) -> bool:
    """Whether ``name.tld``, written with no scheme, ``www.``, path or port, is two sentences run together.

    Vietnamese writes every syllable as its own space-separated word, so the word before a full stop
    that lost its space is one syllable. A real domain label is almost never one syllable written
    with Vietnamese marks (``cốccốc``, ``shopgcaothụ`` are several run together), so
    ``rồi.online``, ``việc.click``, ``đây.top`` are sentence breaks whatever the case of the TLD.
    Hosts are typed in lower case or with a capitalised brand (``Vietcombank.com.vn``); a TLD that
    alone is capitalised (``xong.Click``, ``inbox.Shop``) is the first word of a new sentence when
    the word before it is a plain lower-case word or one syllable. Hyphens and digits
    (``vcb-xacthuc.Online``, ``0188vn.Shop``) mark a made-up name, so those stay links; so does
    anything written with a scheme, ``www.`` or a path (``http://abc.Online/x``, ``www.Shop.vn``).
    """
    if not name.isalpha():
        return False
    if not name.isascii() and _is_syllable(name):
        return True
    return _is_title(tld) and (name.islower() or _is_syllable(name))


def _end_of_host(host: str) -> str:
    """``host`` without a trailing label that is the next sentence's first word.

    ``momo.vn.Chúc`` (no valid suffix) is ``momo.vn``; ``abc.xyz.Click`` (``.click`` is a TLD, but
    only the last label is capitalised) is ``abc.xyz``. Hosts capitalised throughout
    (``Vietcombank.Com.Vn``) are left whole.
    """
    labels = host.split(".")
    if len(labels) < 3 or not labels[-1].isalpha():
        return host
    shorter = ".".join(labels[:-1])
    if split_domain(host) is None or (_is_title(labels[-1]) and not any(c.isupper() for c in labels[-2])):
        if split_domain(shorter) is not None:
            return shorter
    return host


_TAIL_WORD = re.compile(r"\.([^\W\d_]+)$")


def _end_of_path(raw: str) -> str:
    """``raw`` without a last ``.Word`` that starts the next sentence (``momo.vn/uu-dai.Chi tiết``).

    The word must be one Vietnamese syllable that is capitalised or written with Vietnamese marks;
    file extensions (``.apk``, ``.Apk``, ``.html``, ``.php``) are not syllables and stay.
    """
    m = _TAIL_WORD.search(raw)
    if m is None or "/" not in raw[: m.start()]:
        return raw
    word = m.group(1)
    if _is_syllable(word) and (_is_title(word) or not word.isascii()):
        return raw[: m.start()]
    return raw


_DOT_LETTER = re.compile(r"[\w-]\.(?:[^\W\d_]|xn--)|\d\.\d{1,3}\.\d|://", re.IGNORECASE)
_DEFANG_HINT = re.compile(r"hxxp|h\*\*p|\[\.|\(\.|\{\.|\[dot|\(dot|\s(?:chấm|cham|dot)\s|\[:", re.IGNORECASE)
_TOKEN_END = re.compile(r"[\s<>\"'）)\]]")
_SUFFIX_START = re.compile(r"\.(?:[a-z\u00c0-\u1ef9]{2}|xn--)|\d\.\d", re.IGNORECASE)
# How far before a hint its link may start: a host name is at most 253 characters (RFC 1035), plus
# a scheme and "www.". The bound keeps a long token without spaces (``a.a.a.…``) from costing a
# walk and a regex search over the whole token for each of its dots; only a "host" longer than
# any DNS name could be read differently.
_MAX_LEAD = 300
_SEPARATOR = re.compile("[\\s<>\"'(（[{“]")


def find_links(nfc: View) -> list[Link]:
    """Links in the text, defanged ones included."""
    text, offsets = nfc.text, nfc.offsets
    if _DEFANG_HINT.search(text):
        text, offsets = rewrite(text, offsets, len(nfc.original), _DEFANG, _refang)
    view = View("links", text, offsets, nfc.original)
    links = []
    last_end = 0
    # Every match of _URL holds a host ending in a dot and a suffix (or an IP address): where none
    # lies ahead, no search can succeed (positions, ascending, for a bisection).
    suffixes = [m.start() for m in _SUFFIX_START.finditer(text)]
    # Token starts: every separator's position, for a bisection instead of a walk per hint.
    separators = [m.start() for m in _SEPARATOR.finditer(text)]
    failed_at = -1  # hints of one long token share its start and the failed match there
    for hint in _DOT_LETTER.finditer(text):
        if hint.start() < last_end:
            continue
        # The token around the hint: back to the previous separator, forward to the next.
        before = bisect_left(separators, hint.start())
        start = max(last_end, hint.start() - _MAX_LEAD, separators[before - 1] + 1 if before else 0)
        start = min(start, hint.start())
        m = None
        # A match needs a host within _MAX_LEAD characters of its start: first try that prefix, so a
        # failed match costs no scan of the rest of a long dotted run (then match for the full path).
        if start != failed_at and _URL.match(text, start, start + _MAX_LEAD + 64) is not None:
            m = _URL.match(text, start)
        if m is None:
            failed_at = start
            # not a link where the token starts (e.g. a quote mark); try from the hint's word
            end = hint.end() + 64
            ahead = bisect_left(suffixes, start)
            if ahead == len(suffixes) or suffixes[ahead] >= end:
                continue
            m = _URL.search(text, start, end)
            if m is None or m.start() > hint.start():
                continue
        last_end = max(m.end(), hint.end())
        raw = m.group(0).rstrip(".,;:!?")
        if "." not in raw:
            continue
        scheme = _SCHEME_PREFIX.match(raw)
        host_at = scheme.end() if scheme else 0
        hostport = re.split(r"[/?#]", raw[host_at:], maxsplit=1)[0]
        host = hostport.split(":")[0]
        trimmed = _end_of_host(host)
        if trimmed != host:
            host = hostport = trimmed
            raw = raw[: host_at + len(trimmed)]
        elif len(hostport) < len(raw) - host_at:
            raw = _end_of_path(raw)
        has_www = raw.lower().startswith("www.")
        has_scheme = scheme is not None or has_www
        domain = split_domain(host)
        if domain is None:
            continue
        if not has_scheme and len(domain.name) < 2:
            continue
        s, e, quoted = view.quote(m.start(), m.start() + len(raw))
        defanged = quoted != raw
        if not has_scheme and not defanged and raw == hostport and host.count(".") == 1:
            name, tld = host.split(".")
            if _sentence_break(name, tld):
                continue
        url = raw if has_scheme else "http://" + raw
        links.append(Link(s, e, quoted, url, domain, defanged))
    return links


_HANDLE_WORDS = ("zalo", "za lo", "zl", "tele", "te le", "tg", "whatsapp", "viber", "line", "t.me", "zalo.me")


def find_contacts(nfc: View, folded: View) -> list[Contact]:
    """Phone numbers, e-mails, bank accounts, chat handles and APK mentions.

    Accounts, handles and APK mentions are read on the folded view (lower case, no diacritics,
    teencode expanded: "stk" reads "so tai khoan"); phones and e-mails on the NFC view.
    """
    found: list[Contact] = []
    text = nfc.text
    has_digit = any(c in text for c in "0123456789")
    if has_digit:
        for m in _PHONE.finditer(text):
            s, e, quoted = nfc.quote(m.start(), m.end())
            digits = re.sub(r"\D", "", m.group(0))
            found.append(Contact("phone", s, e, quoted, digits))
    if "@" in text:
        for m in _EMAIL.finditer(text):
            s, e, quoted = nfc.quote(m.start(), m.end())
            found.append(Contact("email", s, e, quoted, m.group(0).lower()))
    plain = folded.text
    if has_digit:
        for m in _ACCOUNT.finditer(plain):
            s, e, quoted = folded.quote(m.start(), m.end())
            number = re.sub(r"\D", "", m.group(1) or m.group(3) or "")
            found.append(Contact("bank_account", s, e, quoted, number))
    if any(word in plain for word in _HANDLE_WORDS):
        for m in _HANDLE.finditer(plain):
            s, e, quoted = folded.quote(m.start(), m.end())
            found.append(Contact("handle", s, e, quoted, m.group(0).lower()))
    if "apk" in plain:
        for m in _APK.finditer(plain):
            s, e, quoted = folded.quote(m.start(), m.end())
            found.append(Contact("apk", s, e, quoted, m.group(0).lower()))
    found.sort(key=lambda c: (c.start, c.end))
    return found
