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
import threading
import zlib
from dataclasses import dataclass
from itertools import chain
from typing import Sequence

import numpy as np

from ..text.links import Contact, Link, find_contacts, find_links
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
# A text _LINKISH can match holds "://", "www.", "@" or a dot before a letter; one _DIGITS needs
# a digit. (Cheap searches that skip the costly ones when they cannot match.)
_LINK_HINT = re.compile(r"\.[a-z]|@|://|www\.")
_HAS_DIGIT = re.compile(r"\d")
# _MAYBE_CONTACT's alternatives, split so that most are plain substring tests
_DIGIT_OR_DOT_WORD = re.compile(r"\d|\.\w")
_APP_WORDS = ("zalo", "za lo", "tele", "te le", "whatsapp", "viber")
_SHORT_APP = re.compile(r"\b(?:zl|tg|line)\b")


def _maybe_contact(text: str) -> bool:
    """``_MAYBE_CONTACT.search(text)`` is not None, computed faster."""
    return ("@" in text or _DIGIT_OR_DOT_WORD.search(text) is not None or any(w in text for w in _APP_WORDS)
            or (("zl" in text or "tg" in text or "line" in text) and _SHORT_APP.search(text) is not None))


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
    if _LINK_HINT.search(text):
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
    """CRC-32 of each word n-gram (unigrams when the text is shorter than ``n``), deduplicated:
    :func:`shingle_batch` for one text. crc32 is stable across processes (unlike hash()), so
    signatures are reproducible."""
    flat, _ = shingle_batch([tokens], n)
    return np.unique(flat)


# token -> its row in the vocabulary arrays: the CRC-32 of the token, of " " + token, and its UTF-8
# length. Vocabulary repeats across posts, so a batch's tokens are looked up at C speed and only
# new ones are hashed; the vocabulary is emptied when full, which bounds it without changing a hash.
_VOCAB: dict[str, int] = {}
_VOCAB_LOCK = threading.Lock()
_VOCAB_MAX = 200_000
_CRC = np.zeros(_VOCAB_MAX, dtype=np.uint32)
_SPACED = np.zeros(_VOCAB_MAX, dtype=np.uint32)
_SIZE = np.zeros(_VOCAB_MAX, dtype=np.int64)
_MAX_LEN = 64  # byte lengths the CRC shift table covers; longer tokens' grams are hashed one by one


def _hash_tokens(tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CRC-32 of each token, of " " + token, and its UTF-8 length."""
    raw = [t.encode() for t in tokens]
    return (np.fromiter(map(zlib.crc32, raw), dtype=np.uint32, count=len(raw)),
            np.fromiter((zlib.crc32(b" " + r) for r in raw), dtype=np.uint32, count=len(raw)),
            np.fromiter(map(len, raw), dtype=np.int64, count=len(raw)))


def _learn(tokens: set[str]) -> None:
    """Add ``tokens`` (none known yet, and room for them) to the vocabulary."""
    ordered = list(tokens)
    base, end = len(_VOCAB), len(_VOCAB) + len(ordered)
    _CRC[base:end], _SPACED[base:end], _SIZE[base:end] = _hash_tokens(ordered)
    _VOCAB.update(zip(ordered, range(base, end)))


def _shift_table() -> np.ndarray:
    """``T[n, i]``: what bit ``i`` of a CRC-32 contributes once ``n`` more bytes are appended.

    CRC-32 is affine in its starting value, so ``crc32(a + b) = shift(crc32(a), len(b)) ^
    crc32(b)`` with ``shift`` linear over GF(2) (zlib's crc32_combine): a gram's CRC comes from its
    tokens' CRCs without building the gram's string.
    """
    table = np.zeros((_MAX_LEN + 2, 32), dtype=np.uint32)
    for n in range(_MAX_LEN + 2):
        zeros = bytes(n)
        base = zlib.crc32(zeros, 0)
        table[n] = [zlib.crc32(zeros, 1 << i) ^ base for i in range(32)]
    return table


def _byte_table(bits: np.ndarray) -> np.ndarray:
    """The shift by byte of the CRC: ``B[n, k, v]`` is the XOR of ``bits[n, 8k + i]`` over the
    set bits ``i`` of ``v`` (four lookups per CRC instead of 32 bit tests)."""
    out = np.zeros((bits.shape[0], 4, 256), dtype=np.uint32)
    for k in range(4):
        for i in range(8):
            has = ((np.arange(256) >> i) & 1).astype(bool)
            out[:, k, has] ^= bits[:, 8 * k + i][:, None]
    return out.reshape(-1)


_SHIFT = _byte_table(_shift_table())


def _combine(crc: np.ndarray, tail_crc: np.ndarray, tail_len: np.ndarray) -> np.ndarray:
    """``crc32(a + b)`` from ``crc32(a)``, ``crc32(b)`` and ``len(b)`` (at most ``_MAX_LEN + 1``)."""
    base = tail_len.astype(np.intp) * 1024
    c = crc.astype(np.intp)
    out = tail_crc ^ _SHIFT[base + (c & 255)]
    out ^= _SHIFT[base + 256 + ((c >> 8) & 255)]
    out ^= _SHIFT[base + 512 + ((c >> 16) & 255)]
    out ^= _SHIFT[base + 768 + ((c >> 24) & 255)]
    return out


def shingle_batch(token_lists: Sequence[Sequence[str]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """The word n-gram hashes of a batch of texts: the CRC-32 of each gram's UTF-8 text (tokens
    joined by one space), as :func:`shingle_hashes` gives for one text, computed with numpy.

    Returns ``(flat, counts)``: ``flat`` (uint32) holds each text's gram hashes one text after the
    other, ``counts`` (int64) how many each text has (``len - n + 1``, or ``len`` unigrams when a
    text is shorter than ``n``). Hashes are not deduplicated: MinHash takes a minimum, which
    repeats do not change.
    """
    lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    every = list(chain.from_iterable(token_lists))
    total = len(every)
    with _VOCAB_LOCK:  # detectors in several threads share the vocabulary
        unknown = set(every).difference(_VOCAB)
        if len(_VOCAB) + len(unknown) > len(_CRC):  # full: start again with this batch's tokens
            _VOCAB.clear()
            unknown = set(every)
        if len(unknown) > len(_CRC):  # a batch with more distinct tokens than the vocabulary holds
            crc, spaced, size = _hash_tokens(every)
        else:
            if unknown:
                _learn(unknown)
            ids = np.fromiter(map(_VOCAB.__getitem__, every), dtype=np.int64, count=total)
            crc, spaced, size = _CRC[ids], _SPACED[ids], _SIZE[ids]
    if n <= 1 or total == 0:
        return crc, lengths
    h = crc.copy()
    long = np.zeros(total, dtype=bool)  # grams with a token too long for the table
    for j in range(1, n):  # h[i] = crc32(t[i] + " " + ... + " " + t[i+j])
        tail = size[j:] + 1
        over = tail > _MAX_LEN + 1
        long[:total - j] |= over
        h[:total - j] = _combine(h[:total - j], spaced[j:], np.minimum(tail, _MAX_LEN + 1))
    short = lengths < n
    # position of each token in its text, and whether a gram of n tokens starts there
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos = np.arange(total, dtype=np.int64) - starts
    short_tok = np.repeat(short, lengths)
    valid = (pos <= np.repeat(lengths - n, lengths)) | short_tok
    h = np.where(short_tok, crc, h)  # a text shorter than n: its tokens as unigrams
    for i in np.flatnonzero(long & valid & ~short_tok).tolist():  # rare: hash the gram's text
        text = np.repeat(np.arange(len(token_lists)), lengths)[i]
        k = int(pos[i])
        h[i] = zlib.crc32(" ".join(token_lists[text][k:k + n]).encode())
    counts = np.where(short, lengths, lengths - n + 1)
    return h[valid], counts


def entities(v: Views, links: Sequence[Link] | None = None,
             contacts: Sequence[Contact] | None = None) -> tuple[str, ...]:
    """The contacts of one text as sorted ``kind:value`` strings (phone, its block, handle, bank
    account, e-mail, link path, uncommon domain).

    ``links`` and ``contacts``, when given, are what ``find_links(v.nfc)`` and
    ``find_contacts(v.nfc, v.folded)`` return (the engine has them in the stream path:
    ``Prepared.links`` and the contacts detector's): they are used instead of searching again.
    """
    found: set[str] = set()
    # Every contact holds a digit, a dot, an "@" or a chat app's name: most posts hold none.
    # (Checked even with contacts given, so the entities are the same either way.)
    if not _maybe_contact(v.folded.text):
        return ()
    for c in (find_contacts(v.nfc, v.folded) if contacts is None else contacts):
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
    for link in (find_links(v.nfc) if links is None else links):
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
