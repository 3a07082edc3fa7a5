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
cues ("thật không? tin giả đấy"). The cues were tuned on the calibration batches only (01, 04, 05).

Contract: :func:`stance` is pure and deterministic; it errs towards ``debunks``/``asks`` (which only
cost a label, never a suggestion to a reviewer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ..text import views
from ..text.tables import negators

__all__ = ["ClaimStance", "StanceCues", "stance", "stance_cues"]


class ClaimStance(StrEnum):
    SPREADS = "spreads"
    DEBUNKS = "debunks"
    ASKS = "asks"
    UNCLEAR = "unclear"


# Folded (no accents, lower case). Phrases, matched on syllable boundaries.
DEBUNK = (
    "tin gia", "tin don", "tin nham", "tin bia", "bia dat", "sai su that", "khong dung", "khong chinh xac",
    "khong co that", "khong phai su that", "khong co chuyen", "khong he", "khong co co so", "khong co can cu",
    "chua co bang chung", "khong co bang chung", "bac bo", "dinh chinh", "canh bao", "lua dao", "gia mao",
    "la gia", "deu gia", "anh ghep", "cat ghep", "chinh sua", "anh cu", "video cu", "dung tin", "dung chia se",
    "dung share", "dung chuyen tiep", "dung hoang mang", "dung hoang", "dung lo", "dung so", "dung bam",
    "dung bo", "dung nghe", "dung vi", "dung de", "khong bam", "cau view", "cau like", "hoang mang", "van an toan",
    "van binh thuong", "binh thuong", "chinh thuc", "xac nhan khong", "da xac minh", "khong co thong bao",
    "nguoi ta don", "don bay", "tro lua", "bi lua", "ngo nhan", "hieu nham", "gay hieu nham", "thuc ra",
    "thuc te la", "su that la", "khong lien quan", "vo can cu", "fake", "fake news", "hoax", "tin vit", "la sai",
    "anh ai", "lam gi co",
)
ASK = (
    "that khong", "that ko", "that k", "that hong", "that ha", "that hay", "that a", "that sao", "co that",
    "phai khong", "phai ko", "dung khong", "dung ko", "dung hong", "co dung", "co phai", "khong a", "ko a",
    "khong vay", "ko vay", "khong nhi", "khong mn", "khong moi nguoi", "khong ca nha", "cho hoi", "cho em hoi",
    "cho minh hoi", "cho toi hoi", "xin hoi", "ai biet", "co ai", "ai da", "ai co", "hay khong", "hay ko",
    "the nao", "sao vay", "nhu the nao", "kiem chung giup", "xac minh giup", "nguon dau", "o dau ra",
)

# Spreaders' idioms that carry a negator without negating the claim ("không tin thì thôi").
SPREAD_IDIOMS = ("khong tin thi thoi", "ai khong tin", "khong tin thi", "khong ai noi", "ma khong ai", "khong ai biet",
                 "khong noi ra", "khong cong bo")

_WORD = re.compile(r"[^\W_]+")


def _folded(text: str) -> str:
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


def stance_cues(text: str, claim: str = "") -> StanceCues:
    post, ref = _folded(text), _folded(claim)
    for idiom in SPREAD_IDIOMS:
        post = post.replace(f" {idiom} ", " ")
    debunk = tuple(p for p in _found(post, DEBUNK) if f" {p} " not in ref)
    ask = tuple(p for p in _found(post, ASK) if f" {p} " not in ref)
    _, folded_negators = negators()
    negated = tuple(n for n in _found(post, folded_negators) if f" {n} " not in ref)
    return StanceCues(debunk, ask, negated, "?" in text)


def stance(text: str, claim: str = "") -> ClaimStance:
    """The post's stance towards ``claim`` (the matched fact-check's claim; empty: cues only)."""
    if not text.strip():
        return ClaimStance.UNCLEAR
    cues = stance_cues(text, claim)
    if cues.debunk:
        return ClaimStance.DEBUNKS
    if cues.ask or cues.question_mark:
        return ClaimStance.ASKS
    if cues.negated:
        return ClaimStance.DEBUNKS
    return ClaimStance.SPREADS
