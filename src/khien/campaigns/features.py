"""What the campaign detector reads from one post: word shingles and shared entities.

Shingles are read on the engine's folded view (``khien.text.views``: canonical, then without
diacritics), so removed accents, teencode, look-alike letters and spaced-out words give the same
shingles as the plain text. Links, e-mails and digit runs are masked first (``#link``, ``#``): a
campaign that changes its phone number's last digits, or its tracking link, from post to post stays
one text. The masked-out contacts come back as *entities*, compared exactly (plus a phone's block,
the number without its last three digits, because numbers bought in series differ only there).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..text.links import find_contacts, find_links
from ..text.views import Views, views

__all__ = ["Features", "features", "fold_phrases", "shingle_hashes", "shingle_batch", "masked_tokens", "entities",
           "COMMON_DOMAINS"]

# Sites whose bare domain says nothing about coordination (everyone links to them); a link's
# path on them still counts.
COMMON_DOMAINS = frozenset({
    "facebook.com", "fb.com", "youtube.com", "youtu.be", "google.com", "tiktok.com", "shopee.vn",
    "lazada.vn", "tiki.vn", "zalo.me", "t.me", "instagram.com", "twitter.com", "x.com", "vnexpress.net",
    "wikipedia.org", "bit.ly",
})

_LINKISH = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?|[\w.+-]+@[\w-]+\.[\w.]+")
_DIGITS = re.compile(r"\d(?:[\s.\-]?\d)*")
_TOKEN = re.compile(r"[^\W_]+|#")
_HANDLE_MARK = re.compile(r"[\d@_./]")
_MAYBE_CONTACT = re.compile(r"[\d@]|\.\w|zalo|za lo|\bzl\b|tele|te le|\btg\b|whatsapp|viber|\bline\b")
# A text _LINKISH can match holds "." or "@", or "://" (http://localhost); one _DIGITS needs a digit.
_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Features:
    """One post's shingle hashes (uint32, deduplicated) and entities (``kind:value`` strings)."""

    shingles: np.ndarray
    entities: tuple[str, ...]
    tokens: int  # masked tokens left after exempt phrases were removed


def masked_tokens(folded: str, exempt: tuple[str, ...] = ()) -> list[str]:
    """Tokens of a folded text with links and digit runs masked and exempt phrases removed."""
    text = folded
    # Most posts hold no link and no digit: the cheap ``in`` tests skip the two costly scans (the
    # result is the same, as neither pattern can match without them).
    if "." in text or "@" in text or "://" in text:
        text = _LINKISH.sub(" #link ", text)
    if _HAS_DIGIT.search(text):
        text = _DIGITS.sub(" # ", text)
    for phrase in exempt:
        if phrase in text:
            text = text.replace(phrase, " ")
    if text.isascii():  # most folded texts: one C-level translate and split, same tokens as _TOKEN
        return text.translate(_ASCII_TOKENS).split()
    return _TOKEN.findall(text)


# ASCII characters as _TOKEN reads them: letters and digits kept, "#" a token of its own, the
# rest (including "_") a separator.
_ASCII_TOKENS = {i: (None if chr(i).isalnum() else " # " if chr(i) == "#" else " ") for i in range(128)}
_ASCII_TOKENS = str.maketrans({chr(i): v for i, v in _ASCII_TOKENS.items() if v is not None})


def shingle_hashes(tokens: list[str], n: int) -> np.ndarray:
    """The word n-gram hashes of one text (unigrams when it is shorter than ``n``), deduplicated:
    :func:`shingle_batch` for one text."""
    flat, _ = shingle_batch([tokens], n)
    return np.unique(flat)


# token -> CRC-32. Vocabulary repeats across posts, so a dict lookup replaces most crc32 calls;
# the cache is cleared when full, which bounds it without changing any hash.
_TOKEN_HASH: dict[str, int] = {}
_TOKEN_CACHE_MAX = 200_000
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GRAM = np.uint64(0x9E3779B97F4A7C15)


def _token_hash(token: str) -> int:
    h = zlib.crc32(token.encode())  # stable across processes (unlike hash())
    if len(_TOKEN_HASH) >= _TOKEN_CACHE_MAX:
        _TOKEN_HASH.clear()
    _TOKEN_HASH[token] = h
    return h


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * _MIX1
        x = (x ^ (x >> np.uint64(27))) * _MIX2
    return x ^ (x >> np.uint64(31))


def shingle_batch(token_lists: Sequence[Sequence[str]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """The word n-gram hashes of a batch of texts, hashed together with numpy.

    Returns ``(flat, counts)``: ``flat`` (uint32) holds each text's gram hashes one text after the
    other, ``counts`` (int64) how many each text has (``len - n + 1``, or ``len`` unigrams when
    a text is shorter than ``n``). Hashes are not deduplicated: MinHash takes a minimum, which
    repeats do not change. A gram's hash mixes its tokens' CRC-32s in order, so it is the same in
    every process and run.
    """
    cache = _TOKEN_HASH
    lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
    th = np.fromiter((cache[t] if t in cache else _token_hash(t) for toks in token_lists for t in toks),
                     dtype=np.uint64, count=int(lengths.sum()))
    if n <= 1 or th.size == 0:
        return (_mix(th) >> np.uint64(32)).astype(np.uint32), lengths
    size = th.size
    h = th.copy()
    with np.errstate(over="ignore"):
        for j in range(1, n):  # h[i] = mix(... mix(t[i] * G + t[i+1]) * G + t[i+2] ...)
            h[:size - j] = _mix(h[:size - j] * _GRAM + th[j:])
    short = lengths < n
    # position of each token in its text, and whether a gram of n tokens starts there
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos = np.arange(size, dtype=np.int64) - starts
    short_tok = np.repeat(short, lengths)
    valid = (pos <= np.repeat(lengths - n, lengths)) | short_tok
    if short.any():  # a text shorter than n: its tokens as unigrams
        h = np.where(short_tok, _mix(th), h)
    counts = np.where(short, lengths, lengths - n + 1)
    return (h[valid] >> np.uint64(32)).astype(np.uint32), counts


def entities(v: Views) -> tuple[str, ...]:
    """The contacts of one text as sorted ``kind:value`` strings (phone, its block, handle, bank
    account, e-mail, link path, uncommon domain)."""
    found: set[str] = set()
    # Every contact holds a digit, a dot, an "@" or a chat app's name: most posts hold none.
    if not _MAYBE_CONTACT.search(v.folded.text):
        return ()
    for c in find_contacts(v.nfc, v.folded):
        if c.kind == "phone":
            found.add(f"phone:{c.value}")
            found.add(f"phone_block:{c.value[:-3]}")
        elif c.kind == "handle":
            # "zalo 0912..." and "t.me/abc": the handle without the app word's spelling
            value = re.sub(r"\s+", "", c.value.split(":")[-1])
            # "tg không" ("thời gian không") reads as a Telegram handle to the extractor; a real
            # handle here has an "@", a digit, "_", "." or "/" (t.me/...).
            if _HANDLE_MARK.search(value):
                found.add(f"handle:{value}")
        elif c.kind in ("bank_account", "email"):
            found.add(f"{c.kind}:{c.value}")
    for link in find_links(v.nfc):
        domain = link.domain.registrable.lower()
        # the query and fragment are per-post tracking more often than not
        path = re.split(r"[?#]", link.path, maxsplit=1)[0].rstrip("/")
        if path:
            found.add(f"url:{domain}{path.lower()}")
        if domain not in COMMON_DOMAINS:
            found.add(f"domain:{domain}")
    return tuple(sorted(found))


def features(text: str, *, shingle_words: int = 2, exempt: tuple[str, ...] = (),
             prepared: Views | None = None) -> Features:
    """The features of one text. ``prepared`` reuses views the engine already computed;
    ``exempt`` phrases must be folded already (:func:`fold_phrases`)."""
    v = prepared if prepared is not None else views(text)
    tokens = masked_tokens(v.folded.text, exempt)
    return Features(shingle_hashes(tokens, shingle_words), entities(v), len(tokens))


def fold_phrases(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """Exempt phrases as the folded view spells them (lower case, no diacritics, teencode expanded)."""
    return tuple(views(p).folded.text for p in phrases if p.strip())
