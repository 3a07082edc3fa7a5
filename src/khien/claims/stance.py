"""Stance of a post towards a fact-checked claim: spreads it, debunks it, or asks about it.

A post that warns "tin vỡ đập Hòa Bình là tin giả" shares almost every word with the claim it
debunks; retrieval alone would label the very people correcting the hoax. So a matched post gets
a stance, and only ``spreads`` may reach the ``label`` tier (:mod:`khien.claims.tiers`).

How, in the spirit of the scam lexicon's guard (``khien.detect.lexicon``: quoted lures and negated
terms count less, because people quote a scam to warn about it): cues written for Khiên from
general knowledge of Vietnamese, matched on the engine's folded view (teencode undone, accents
removed) so ``tin gia`` and ``ko dung`` count as ``tin giả`` and ``không đúng``; and one cue that
compares the post with the claim: a negator (``khien.text.tables.negators``) the post has and the
claim has not ("vắc xin sởi KHÔNG gây tự kỷ" against "vắc xin sởi gây tự kỷ"). A cue word the claim
itself contains ("... là tin giả" inside a claim) is not counted. Debunking cues win over question
cues ("thật không? tin giả đấy"). The cues were tuned on the calibration batches only.

**Scope.** A long post is mostly not about the claim: "hôm qua mẹ mình không đi chợ được ... cả nhà
khỏe không?" around a claim passed on in good faith carries a negator and a question mark that say
nothing of the claim. So the cues are of two strengths:

- :data:`VERDICT` cues name the claim false or a correction ("tin giả", "bác bỏ", "đính chính",
  "đừng chia sẻ"): people use them about a hoax, hardly ever in passing; they count anywhere in the post;
- questions about truth (:data:`ASK_TRUTH`: "thật không", "tin này thật hay giả") count anywhere too;
- the rest of :data:`DEBUNK` counts inside the claim's *window* (:func:`claim_window`): the
  sentences holding the word pairs the post shares with the claim, and the sentence after them
  (where "không đúng đâu" sits after a claim repeated to be corrected);
- questions to the audience (:data:`ASK_GENERIC`: "có ai biết...") count only in the claim's own
  sentences, and a question mark there or closing a short next sentence;
- a negator the claim lacks counts when it comes right before a word of the claim ("KHÔNG gây tự
  kỷ"): "không ai đền", "không cứu kịp" in the story around a claim negate nothing of it.

Without matched spans (``window=None``) the whole post is the window: a short post is its own window.

Contract: :func:`stance` is pure and deterministic; it errs towards ``debunks``/``asks`` (which only
cost a label, never a suggestion to a reviewer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from typing import Sequence

from ..text import views
from ..text.tables import negators

__all__ = ["ClaimStance", "StanceCues", "stance", "stance_cues", "claim_window", "sentences", "VERDICT", "DEBUNK",
           "ASK", "ASK_TRUTH", "ASK_GENERIC"]


class ClaimStance(StrEnum):
    SPREADS = "spreads"
    DEBUNKS = "debunks"
    ASKS = "asks"
    UNCLEAR = "unclear"


# Folded (no accents, lower case). Phrases, matched on syllable boundaries.
DEBUNK = (
    "tin gia", "tin don", "tin nham", "tin bia", "bia dat", "sai su that", "khong dung", "khong chinh xac",
    "khong co that", "khong phai su that", "khong co chuyen", "khong he", "khong co co so", "khong co can cu",
    "chua co bang chung", "khong co bang chung", "bac bo", "dinh chinh", "lua dao", "gia mao",
    "la gia", "deu gia", "anh ghep", "cat ghep", "chinh sua", "anh cu", "video cu", "dung tin", "dung chia se",
    "dung share", "dung chuyen tiep", "dung hoang mang", "dung hoang", "dung lo", "dung so", "dung bam",
    "dung bo", "dung nghe", "dung vi", "dung de", "khong bam", "cau view", "cau like", "hoang mang", "van an toan",
    "van binh thuong", "binh thuong", "chinh thuc", "xac nhan khong", "da xac minh", "khong co thong bao",
    "nguoi ta don", "don bay", "tro lua", "bi lua", "ngo nhan", "hieu nham", "gay hieu nham", "thuc ra",
    "thuc te la", "su that la", "khong lien quan", "vo can cu", "fake", "fake news", "hoax", "tin vit", "la sai",
    "anh ai", "lam gi co", "deepfake", "chua tung", "thieu boi canh", "khong co quy dinh", "khong co chinh sach",
    "khong he co", "khong co goi",
)
# Questions about the claim's truth ("thật không?", "tin này thật hay giả?"): anywhere in the post, as
# verdicts: a long post asks them sentences after the claim ("quy định này có đúng không ạ?").
ASK_TRUTH = (
    "that khong", "that ko", "that k", "that hong", "that ha", "that hay", "that a", "that sao", "co that",
    "phai khong", "phai ko", "dung khong", "dung ko", "dung hong", "co dung", "co phai", "khong a", "ko a",
    "khong vay", "ko vay", "khong nhi", "hay khong", "hay ko", "kiem chung giup", "xac minh giup", "nguon dau",
    "o dau ra", "that hay gia", "that hay lua", "that hay dua", "that hay khong", "that hay ko", "that gia",
)
# Questions to the audience about anything ("có ai biết chỗ bán...?"): a post passing a claim on asks
# them too, so only inside the claim's own sentences.
ASK_GENERIC = (
    "khong mn", "khong moi nguoi", "khong ca nha", "cho hoi", "cho em hoi", "cho minh hoi", "cho toi hoi",
    "xin hoi", "ai biet", "co ai", "ai da", "ai co", "the nao", "sao vay", "nhu the nao",
)
ASK = ASK_TRUTH + ASK_GENERIC
# A question mark in the sentence after the claim counts when that sentence is this short ("Thật không ạ?").
SHORT_QUESTION_WORDS = 8
# How many content words (function syllables skipped) after a negator may be the claim's for the
# negator to negate the claim ("KHÔNG gây tự kỷ", "không có gói hỗ trợ nào"); "không ai đền" or
# "không cứu kịp" in a story negate nothing of it.
NEGATED_REACH = 2
# Syllables too common to tie a negator to the claim ("không có", "không được").
_FUNCTION = frozenset("co la duoc phai the nay nhu ai gi bi cho di den mot nhung cac va voi thi ma de nen con lai "
                      "ra vao len xuong biet can nua hon roi se da dang van cung".split())

# The verdict cues: a subset of DEBUNK that names the claim false or corrected; counted anywhere.
VERDICT = frozenset({
    "tin gia", "tin don", "tin nham", "tin bia", "bia dat", "sai su that", "khong co that",
    "khong phai su that", "khong co chuyen", "khong co co so", "khong co can cu", "chua co bang chung",
    "khong co bang chung", "bac bo", "dinh chinh", "gia mao", "anh ghep", "cat ghep", "dung tin",
    "dung chia se", "dung share", "dung chuyen tiep", "da xac minh", "tro lua", "bi lua", "ngo nhan",
    "gay hieu nham", "su that la", "vo can cu", "fake", "fake news", "hoax", "tin vit", "la sai", "deepfake",
    "cau view", "cau like",
})

# Spreaders' idioms that carry a negator without negating the claim ("không tin thì thôi").
# "bác sĩ giấu không nói": the hoax's own claim that it is being hidden (docs DOMAIN: "they don't want you to know").
SPREAD_IDIOMS = ("khong tin thi thoi", "ai khong tin", "khong tin thi", "khong ai noi", "ma khong ai", "khong ai biet",
                 "khong noi ra", "khong cong bo", "giau khong noi", "giau khong cho", "khong muon dan biet",
                 "khong muon ban biet", "khong bao gio noi")

_WORD = re.compile(r"[^\W_]+")
# A sentence ends at . ! ? … or a line break (a run of them), or at the end of the text.
_SENTENCE_END = re.compile(r"[.!?…\n]+")


def sentences(text: str) -> list[tuple[int, int]]:
    """The ``[start, end)`` spans of ``text``'s sentences, each with its closing punctuation."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if text[start:m.end()].strip():
            out.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def claim_window(text: str, spans: Sequence[tuple[int, int]], after: int = 1) -> tuple[int, int] | None:
    """The part of ``text`` about the claim, and ``after`` sentences more; None without spans.

    The claim's sentences are those holding at least half as many of ``spans`` (the matched word
    pairs) as the sentence holding most: a place name the claim shares ("Hòa Bình") met again
    later in the story does not make that sentence part of the claim.
    """
    if not spans:
        return None
    parts = sentences(text)
    counts = [sum(1 for s, e in spans if s < b and e > a) for a, b in parts]
    best = max(counts, default=0)
    if best == 0:
        return None
    hit = [i for i, n in enumerate(counts) if n > 0 and 2 * n >= best]
    return parts[hit[0]][0], parts[min(len(parts) - 1, hit[-1] + after)][1]


@lru_cache(maxsize=32)
def _folded(text: str) -> str:
    """`` syllable syllable ... `` of the folded view. Cached: the matcher reads one post's stance
    towards each of its candidates, so the same post, windows and claims are folded again and again."""
    return " " + " ".join(_WORD.findall(views(text).folded.text)) + " "


def _found(haystack: str, phrases: tuple[str, ...] | frozenset[str]) -> list[str]:
    return [p for p in phrases if f" {p} " in haystack]


@dataclass(frozen=True, slots=True)
class StanceCues:
    """Why a stance was given: the debunking cues, the question cues, the negators the claim lacks."""

    debunk: tuple[str, ...]
    ask: tuple[str, ...]
    negated: tuple[str, ...]
    question_mark: bool


def _without_idioms(folded: str) -> str:
    for idiom in SPREAD_IDIOMS:
        folded = folded.replace(f" {idiom} ", " ")
    return folded


def stance_cues(text: str, claim: str = "", window: tuple[int, int] | None = None,
                core: tuple[int, int] | None = None) -> StanceCues:
    """The cues of :func:`stance`: verdict cues from the whole post, the others from ``window`` (the
    claim's sentences and the next) and ``core`` (the claim's sentences); None: the whole post."""
    ref = _folded(claim)
    post = _without_idioms(_folded(text))
    near_text = text if window is None else text[window[0]:window[1]]
    core = window if core is None else core
    core_text = text if core is None else text[core[0]:core[1]]
    near = post if window is None else _without_idioms(_folded(near_text))
    mid = near if core == window else _without_idioms(_folded(core_text))
    debunk = tuple(p for p in _found(post, VERDICT) if f" {p} " not in ref)
    debunk += tuple(p for p in _found(near, DEBUNK) if p not in VERDICT and f" {p} " not in ref)
    ask = tuple(p for p in _found(post, ASK_TRUTH) + _found(mid, ASK_GENERIC) if f" {p} " not in ref)
    _, folded_negators = negators()
    claim_words = set(ref.split()) - _FUNCTION
    negated = tuple(n for n in _found(mid, folded_negators) if _negates(mid, n, claim_words, ref))
    rest = near_text[len(core_text):] if window is not None and core is not None else ""
    question = "?" in core_text or ("?" in rest and len(rest.split()) <= SHORT_QUESTION_WORDS)
    return StanceCues(debunk, ask, negated, question)


def _negates(folded: str, negator: str, claim_words: set[str], ref: str) -> bool:
    """Whether some occurrence of ``negator`` in ``folded`` has a claim word within reach after it,
    in words the claim itself does not say ("pin không bị chai" in the claim is no negation of it)."""
    words = folded.split()
    size = len(negator.split())
    for i in range(len(words) - size + 1):
        if " ".join(words[i:i + size]) != negator:
            continue
        content = [j for j in range(i + size, min(len(words), i + size + 2 * NEGATED_REACH))
                   if words[j] not in _FUNCTION][:NEGATED_REACH]
        # the first claim word within reach decides: negated unless the claim says those words itself
        first = next((j for j in content if words[j] in claim_words), None)
        if first is not None and f" {' '.join(words[i:first + 1])} " not in ref:
            return True
    return False


def stance(text: str, claim: str = "", window: tuple[int, int] | None = None,
           core: tuple[int, int] | None = None) -> ClaimStance:
    """The post's stance towards ``claim`` (the matched fact-check's claim; empty: cues only).

    ``window``: the span of ``text`` about the claim and the sentence after (:func:`claim_window`),
    ``core``: the claim's sentences alone; None: all of the text.
    """
    if not text.strip():
        return ClaimStance.UNCLEAR
    cues = stance_cues(text, claim, window, core)
    if cues.debunk:
        return ClaimStance.DEBUNKS
    if cues.ask or cues.question_mark:
        return ClaimStance.ASKS
    if cues.negated:
        return ClaimStance.DEBUNKS
    return ClaimStance.SPREADS
