"""Matching accounts, names, handles and links against a registry, with the reasons in words.

:class:`Matcher` is built once from a :class:`~khien.impersonation.registry.Registry` (keys of
every name, official handle and domain label go into one :class:`NameIndex`) and then answers,
for a display name, a handle, a URL or a whole account, which protected entity it imitates, how
strongly (``score`` in [0, 1]) and why (:class:`Reason`: field, value, what it matched, why).

Scoring follows one idea: a match needs more evidence the more ordinary the protected name is.
A long coined name (``Vietcombank``) matched exactly is strong; a short or everyday one (``MB``,
``MoMo``, ``Tuổi Trẻ``) or a person's name is weak unless a service affix (``CSKH``, ``Tuyển
dụng``, ``Tin nóng``, ``Vé rẻ``, ``Tiếp nhận khiếu nại``: the word families of
:mod:`.vocabulary`, or any ordinary words around a distinctive name, see :mod:`.context`) or a
disguise (Cyrillic letters, ``0`` for ``o``) comes with it; a protected name that is part of
another identity (``Trà sữa Momo``, ``Vũ Thị Zalo Hồng``, ``Hội những người yêu Vietcombank``)
is weaker still.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..scores import noisy_or
from ..model import Account
from ..text.links import split_domain
from ..text.views import fold_accents
from .avatars import AvatarIndex
from .context import is_distinctive
from .domains import DomainChecker, host_of
from .index import KeyHit, NameIndex, lookup
from .keys import NameKey, name_key, quick_compact, strength
from .registry import Entity, Registry, normalise_handle

__all__ = ["Reason", "Match", "Matcher", "FLAG_THRESHOLD", "VERSION"]

FLAG_THRESHOLD = 0.6
# The matching rules' version, reported with every impersonation signal: v2 reads the words
# around a protected name by word family (.vocabulary, .context).
VERSION = "registry-match.v2"

# (how, strength, affix class) -> score for names and handles.
_NAME_SCORES = {
    ("exact", "strong", ""): 0.7, ("exact", "strong", "weak"): 0.75, ("exact", "strong", "strong"): 0.92,
    ("exact", "weak", ""): 0.5, ("exact", "weak", "weak"): 0.55, ("exact", "weak", "strong"): 0.8,
    ("exact", "person", ""): 0.45, ("exact", "person", "weak"): 0.5, ("exact", "person", "strong"): 0.8,
    ("near", "strong", ""): 0.7, ("near", "strong", "weak"): 0.75, ("near", "strong", "strong"): 0.88,
}
_CONTAINS_SCORES = {  # (strength, affix class of what is around it)
    ("strong", "strong"): 0.65, ("strong", "weak"): 0.45, ("strong", ""): 0.45,
    ("weak", "strong"): 0.35, ("weak", "weak"): 0.15, ("weak", ""): 0.15,
    ("person", "strong"): 0.35, ("person", "weak"): 0.2, ("person", ""): 0.2,
}
_AUTHORITY_KINDS = ("bank", "government")
_PLATFORM_PREFIX = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:facebook|fb|tiktok|instagram|zalo|youtube|t)\.(?:com|me|vn)/", re.IGNORECASE)
_BLOCKER_WHY = {
    "person": "a person's name",
    "business": "the name of another business",
    "community": "a community or commentary about the name",
    "education": "a school's name",
    "name": "part of another name",
    "descriptive": "part of another word",
}


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence: which field, its value, what it matched, and why, in words."""

    field: str
    value: str
    matched: str
    why: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "value": self.value, "matched": self.matched, "why": self.why}


@dataclass(slots=True)
class Match:
    """An account, name or link that imitates one entity."""

    entity: str
    score: float
    evidence: list[Reason] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)

    def to_dict(self, ident: Any = None) -> dict[str, Any]:
        out: dict[str, Any] = {} if ident is None else {"id": ident}
        out.update({"entity": self.entity, "score": round(self.score, 4),
                    "evidence": [r.to_dict() for r in self.evidence]})
        return out


def _as_written(text: str, affix: str) -> str:
    """The affix as the user wrote it (``'cskh'`` → ``'CSKH'``), when it can be found."""
    folded = fold_accents(text.lower())
    if len(folded) != len(text):
        return affix
    pattern = r"[\W_]*".join(re.escape(t) for t in affix.split())
    m = re.search(rf"(?<![a-z]){pattern}(?![a-z])", folded)
    return text[m.start():m.end()] if m else affix


def _quote_list(items: list[str]) -> str:
    return ", ".join(f"'{i}'" for i in items)


class Matcher:
    """Everything a registry protects, indexed for look-ups that do not scan the registry."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.entities: tuple[Entity, ...] = registry.entities
        self.index = NameIndex()
        self.official_handles: dict[str, int] = {}
        official_domains: dict[str, int] = {}
        self.avatars = AvatarIndex()
        for pos, entity in enumerate(self.entities):
            for name in entity.names:
                nk = name_key(name)
                level = strength(nk.tokens, nk.compact, entity.kind)
                self.index.add(nk.compact, pos, name, level, "name", level != "person" and is_distinctive(name))
            for handle in entity.handles:
                self.official_handles[normalise_handle(handle)] = pos
                nk = name_key(handle.replace(".", " ").replace("_", " "))
                if len(nk.compact) >= 4:
                    self.index.add(nk.compact, pos, handle, strength((nk.compact,), nk.compact, entity.kind), "handle",
                                   is_distinctive(nk.compact, "handle"))
            for domain in entity.domains:
                official_domains[domain] = pos
            for number, value in enumerate(entity.avatar_hashes):
                self.avatars.add(pos, number, value)
        self.domains = DomainChecker(self.index, self.entities, official_domains)
        for domain, pos in official_domains.items():
            # The label of an official registrable domain is a protected key too ("tpb" for
            # TPBank); a subdomain (dichvucong.bocongan.gov.vn) protects no label of its own.
            split = split_domain(domain)
            if split is None or split.registrable != domain:
                continue
            label = split.name.replace("-", "")
            if len(label) >= 3:
                entity = self.entities[pos]
                self.index.add(label, pos, domain, strength((label,), label, entity.kind), "domain",
                               is_distinctive(label, "domain"))
        self.index.build()
        self._cache: dict[tuple[str, str], list[Match]] = {}

    # -- single fields ---------------------------------------------------------------------

    def _cached(self, kind: str, value: str, compute: Any) -> list[Match]:
        key = (kind, value)
        got = self._cache.get(key)
        if got is None:
            got = compute()
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[key] = got
        return got

    def _dismiss(self, text: str) -> bool:
        """True when ``text`` cannot match anything (most names): one cheap pass, no cache."""
        quick = quick_compact(text)
        return quick is not None and (len(quick) < 2 or not self.index.may_match(quick, text))

    def name(self, text: str, field: str = "display_name") -> list[Match]:
        """Entities a display name imitates, best first."""
        if not text or len(text) > 300 or self._dismiss(text):
            return []
        found = self._cached("name", text, lambda: self._names(text, text, aligned=True))
        return [self._copy(m, field) for m in found] if found else found

    def handle(self, text: str, field: str = "handle") -> list[Match]:
        """Entities a handle imitates (none when it is an official handle), best first."""
        if not text or len(text) > 300 or normalise_handle(text) in self.official_handles:
            return []
        if "/" not in text and self._dismiss(text):
            return []
        found = self._cached("handle", text, lambda: self._handles(text))
        return [self._copy(m, field) for m in found] if found else found

    def link(self, url: str, field: str = "url") -> list[Match]:
        """Entities a URL's host imitates (none for official domains), best first."""
        found = self._cached("link", host_of(url), lambda: self._links(url))
        return [self._copy(m, field) for m in found] if found else found

    @staticmethod
    def _copy(m: Match, field: str) -> Match:
        return Match(m.entity, m.score, [Reason(field, r.value, r.matched, r.why) for r in m.evidence], set(m.tags))

    def _names(self, text: str, value: str, *, aligned: bool, noun: str = "name") -> list[Match]:
        if not text or len(text) > 300:
            return []
        nk = name_key(text)
        if len(nk.compact) < 2:
            return []
        out: dict[int, Match] = {}
        for hit in lookup(self.index, nk, aligned=aligned):
            m = self._score_hit(hit, nk, text, value, noun)
            if m is None:
                continue
            old = out.get(hit.entry.entity)
            if old is None or m.score > old.score:
                out[hit.entry.entity] = m
        return sorted(out.values(), key=lambda m: -m.score)

    def _handles(self, text: str) -> list[Match]:
        # Case kept: a handle written in camel case ("VietcombankTuyenDung") shows its words.
        cleaned = text.strip().lstrip("@")
        cleaned = _PLATFORM_PREFIX.sub("", cleaned)
        return self._names(cleaned.replace(".", " ").replace("_", " ").replace("-", " "), text, aligned=False,
                           noun="handle")

    def _links(self, url: str) -> list[Match]:
        out = []
        for hit in self.domains.check(url):
            entity = self.entities[hit.entity]
            reasons = [Reason("", url, hit.matched, why) for why in hit.why]
            out.append(Match(entity.id, hit.score, reasons, set(hit.tags) | {"link"}))
        return out

    def _score_hit(self, hit: KeyHit, nk: NameKey, text: str, value: str, noun: str) -> Match | None:
        entry = hit.entry
        entity = self.entities[entry.entity]
        level = entry.strength
        reasons: list[str] = []
        tags: set[str] = set()
        shown = entry.text if entry.source == "name" else entry.key
        if hit.how in ("exact", "near") or (hit.how == "contains" and hit.affix_only):
            klass = hit.affix_class
            if klass == "number":  # "vietcombank2024" is weak evidence; "hung.nguyen90" none
                klass = "weak" if level == "strong" else ""
            if hit.how == "near":
                if level != "strong":
                    return None
                score = _NAME_SCORES[("near", "strong", klass)]
                tags.add("typo")
            else:
                score = _NAME_SCORES[("exact", level, klass)]
            affixes = [_as_written(text, fold_accents(a)) for a in hit.affixes] or (
                [hit.remainder] if hit.how == "contains" else [])
            removed = ""
            if affixes and klass:
                removed = f" after removing the {'affix' if len(affixes) == 1 else 'affixes'} {_quote_list(affixes)}"
                if hit.reading is not None and hit.reading.families:
                    removed += f" ({', '.join(hit.reading.families)} words)"
            if hit.how == "near":
                reasons.append(f"{noun} '{value}' is one edit from '{shown}'{removed}")
            else:
                reasons.append(f"{noun} equals '{shown}'{removed or ' (ignoring case, accents and spacing)'}")
            if klass:
                tags.add("affix")
            if nk.disguises:
                score += 0.15
                reasons.extend(d.why for d in nk.disguises)
                tags.add("homograph")
        else:
            score = _CONTAINS_SCORES[(level, hit.affix_class if hit.affix_class != "number" else "")]
            reasons.append(f"{noun} contains '{shown}'" + (
                " with the words '" + hit.remainder + "'" if hit.remainder and noun == "handle" else ""))
            blocker = hit.reading.blocker if hit.reading is not None else None
            if blocker is not None:
                reasons.append(f"'{_as_written(text, fold_accents(blocker.text))}' reads as "
                               + _BLOCKER_WHY.get(blocker.family, "part of another name"))
            tags.add("contains")
        if entity.kind in _AUTHORITY_KINDS and score >= 0.5:
            score += 0.05
        score = min(0.99, score)
        matched = entry.text
        return Match(entity.id, score, [Reason("", value, matched, why) for why in reasons], tags)

    # -- whole accounts --------------------------------------------------------------------

    def account(
        self,
        account: Account | Mapping[str, Any],
        *,
        avatar_hash: int | None = None,
        include_verified: bool = False,
        prefix: str = "",
    ) -> Match | None:
        """The entity an account imitates most, with every field's evidence; ``None`` if none.

        Official accounts (an official handle) are never matched; platform-verified accounts only
        with ``include_verified``. Fields: display name, handle, URL, avatar (a precomputed pHash).
        """
        if type(account) is dict or not isinstance(account, Account):
            get = account.get
            verified, handle, name, url = get("verified"), get("handle"), get("display_name"), get("url")
        else:
            verified, handle, name, url = account.verified, account.handle, account.display_name, account.url
        if verified is True and not include_verified:
            return None
        if handle and isinstance(handle, str) and normalise_handle(handle) in self.official_handles:
            return None
        per_entity: dict[str, list[Match]] = {}
        if name and isinstance(name, str):
            for m in self.name(name, prefix + "display_name"):
                per_entity.setdefault(m.entity, []).append(m)
        if handle and isinstance(handle, str):
            for m in self.handle(handle, prefix + "handle"):
                per_entity.setdefault(m.entity, []).append(m)
        if url and isinstance(url, str):
            for m in self.link(url, prefix + "url"):
                per_entity.setdefault(m.entity, []).append(m)
        if avatar_hash is not None:
            for pos, (bits, number) in self.avatars.near(avatar_hash).items():
                entity = self.entities[pos]
                score = 0.75 if bits <= 4 else 0.6
                why = f"avatar is {bits} bits (of 64) from the image '{entity.avatars[number]}'"
                avatar = account.get("avatar") if isinstance(account, dict) else getattr(account, "avatar", None)
                reason = Reason(prefix + "avatar", str(avatar or ""), entity.avatars[number], why)
                per_entity.setdefault(entity.id, []).append(Match(entity.id, score, [reason], {"avatar"}))
        if not per_entity:
            return None
        best: Match | None = None
        for entity_id, matches in per_entity.items():
            matches.sort(key=lambda m: -m.score)
            # Fields often repeat one claim (name "X CSKH", handle "x.cskh"): they corroborate
            # the best one a little, not as independent evidence.
            score = noisy_or([matches[0].score] + [0.25 * other.score for other in matches[1:]])
            combined = Match(entity_id, min(0.99, score), [r for m in matches for r in m.evidence],
                             set().union(*(m.tags for m in matches)))
            if best is None or combined.score > best.score:
                best = combined
        return best

