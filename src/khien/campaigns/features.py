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

import numpy as np

from ..text.links import find_contacts, find_links
from ..text.views import Views, views

__all__ = ["Features", "features", "fold_phrases", "shingle_hashes", "masked_tokens", "COMMON_DOMAINS"]

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


@dataclass(frozen=True, slots=True)
class Features:
    """One post's shingle hashes (uint32, deduplicated) and entities (``kind:value`` strings)."""

    shingles: np.ndarray
    entities: tuple[str, ...]
    tokens: int  # masked tokens left after exempt phrases were removed


def masked_tokens(folded: str, exempt: tuple[str, ...] = ()) -> list[str]:
    """Tokens of a folded text with links and digit runs masked and exempt phrases removed."""
    text = _LINKISH.sub(" #link ", folded)
    text = _DIGITS.sub(" # ", text)
    for phrase in exempt:
        if phrase in text:
            text = text.replace(phrase, " ")
    return _TOKEN.findall(text)


def shingle_hashes(tokens: list[str], n: int) -> np.ndarray:
    """CRC-32 of each word n-gram (unigrams when the text is shorter than ``n``), deduplicated."""
    if len(tokens) < n:
        grams = tokens
    else:
        grams = [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    # crc32 is stable across processes (unlike hash()), so signatures are reproducible.
    return np.array(list({zlib.crc32(g.encode()) for g in grams}), dtype=np.uint32)


def _entities(v: Views) -> tuple[str, ...]:
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
    return Features(shingle_hashes(tokens, shingle_words), _entities(v), len(tokens))


def fold_phrases(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """Exempt phrases as the folded view spells them (lower case, no diacritics, teencode expanded)."""
    return tuple(views(p).folded.text for p in phrases if p.strip())
