"""Impersonation detector: authors and links that imitate a protected entity of the registry.

For each post it checks the author (display name, handle, profile URL; platform-verified authors
are skipped) and every link in the text (also defanged ones) against the protected-entity
registry (:mod:`khien.impersonation`), and emits one ``impersonation`` signal for the entity
imitated most, with evidence spans into the text for links and ``author.*`` field evidence for
the author, and the reasons in words in ``details``. A post with no author and no ``.`` in its
text costs one membership test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ..errors import DetectorError, RegistryError
from ..impersonation.matcher import VERSION as MATCHER_VERSION
from ..impersonation.matcher import Match, Matcher
from ..impersonation.registry import PACKAGED_DEFAULT, Registry, load_registry, registry_digest
from ..model import Evidence, Signal
from ..resources import note_content
from ..scores import noisy_or
from .base import Example, Prepared, configure
from .context import DetectorContext

__all__ = ["ImpersonationConfig", "ImpersonationDetector"]

_MISSING = object()
_TAGS = frozenset(
    "author link affix typo homograph contains subdomain cheap_tld hyphen brand_elsewhere avatar entity_claim".split()
)
# A post that speaks in the name of an organisation ("Vietcombank thông báo: ...") is weak evidence
# on its own; policy rules combine it with scam cues.
CLAIM_SCORE = 0.3
_CLAIM_MIN_LETTERS = 6


@dataclass(frozen=True, slots=True)
class ImpersonationConfig:
    """``impersonation.v1`` config.

    - ``registry``: the protected-entity registry, a YAML path or ``packaged:default``; an engine
      context that carries a registry (``DetectorContext(registry=...)``) takes precedence;
    - ``min_score``: signals below it are dropped (default 0.3);
    - ``include_verified``: also check platform-verified authors (default false).
    """

    registry: str = PACKAGED_DEFAULT
    min_score: float = 0.3
    include_verified: bool = False


class ImpersonationDetector:
    """Authors and links that imitate a protected entity; see :class:`ImpersonationConfig`."""

    name = "impersonation.v1"
    requires = ("nfc",)
    emits = ("impersonation",)
    Config = ImpersonationConfig

    def __init__(self, config: ImpersonationConfig | Mapping[str, Any] | None = None,
                 context: DetectorContext | None = None, /, **options: Any) -> None:
        self.config = configure(ImpersonationConfig, self.name, config, options)
        min_score = self.config.min_score
        if not 0.0 <= min_score <= 1.0:
            raise DetectorError(f"detectors.impersonation.v1.min_score: must be a number in [0, 1], found {min_score!r}",
                                field="detectors.impersonation.v1.min_score")
        if context is not None and context.registry is not None:
            loaded = context.registry
            note_content("registry", "context", registry_digest(loaded))
        else:
            try:
                loaded = load_registry(self.config.registry)  # records the YAML file's digest
            except RegistryError as exc:
                raise DetectorError(f"impersonation.v1: {exc}") from exc
            if any(e.avatar_hashes for e in loaded.entities):  # image files the YAML only names
                note_content("avatars", self.config.registry, registry_digest(loaded))
        self.registry = loaded
        self.matcher = Matcher(loaded)
        self.min_score = float(min_score)
        self.include_verified = self.config.include_verified
        self._kinds = {e.id: e.kind for e in loaded.entities}
        self._claims = self._claim_automaton(loaded)
        # Authors repeat across posts: their matches (immutable once built) are kept.
        self._authors: dict[tuple[str | None, str | None, str | None], Match | None] = {}

    @staticmethod
    def _claim_automaton(registry: Registry) -> Any:
        """Folded organisation names long enough to be unambiguous in running text."""
        import ahocorasick

        from ..text.views import fold_accents, views

        automaton = ahocorasick.Automaton()
        count = 0
        for entity in registry.entities:
            if entity.kind == "person":
                continue
            for name in entity.names:
                key = fold_accents(views(name).canonical.text).strip()
                if sum(c.isalpha() for c in key) >= _CLAIM_MIN_LETTERS:
                    automaton.add_word(key, (len(key), entity.id))
                    count += 1
        if not count:
            return None
        automaton.make_automaton()
        return automaton

    def _claims_in(self, prepared: Prepared) -> list[Signal]:
        if self._claims is None:
            return []
        author = prepared.item.author
        if author is not None and author.verified:
            return []
        folded = prepared.views.folded
        text = folded.text
        found: dict[str, list[Evidence]] = {}
        for end_idx, (length, entity) in self._claims.iter(text):
            start, end = end_idx - length + 1, end_idx + 1
            if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
                continue
            o_start, o_end, quoted = folded.quote(start, end)
            found.setdefault(entity, []).append(Evidence(o_start, o_end, quoted, label=f"claims:{entity}"))
        return [
            Signal(self.name, "impersonation", CLAIM_SCORE, tuple(ev[:3]), frozenset({"entity_claim"}),
                   {"entity": entity, "why": [f"the text speaks of '{ev[0].text}', a protected organisation"]})
            for entity, ev in found.items()
        ]

    @property
    def signals(self) -> tuple[str, ...]:
        return (self.name,)

    @property
    def tags(self) -> frozenset[str]:
        return _TAGS

    @property
    def examples(self) -> tuple[Example, ...]:
        return (
            Example("Quý khách vui lòng xác thực tại vietcombank-xacthuc.xyz để tránh bị khóa tài khoản",
                    emits=("impersonation",)),
            Example("Thông báo: tài khoản của bạn sẽ bị tạm khóa, liên hệ ngay để được hỗ trợ.",
                    emits=("impersonation",),
                    author={"display_name": "Vietcombank - Chăm sóc khách hàng", "handle": "vcb.cskh24h"}),
            Example("Tuyển nhân viên đóng gói tại nhà, thu nhập 500k/ngày, inbox ngay.",
                    emits=("impersonation",),
                    author={"display_name": "Shopee Tuyển Dụng 2026", "handle": "tuyendung_shopee"}),
            Example("Nộp hồ sơ tố giác tại congan-vneid.com để được hỗ trợ.", emits=("impersonation",)),
            Example("Trà sữa trân châu giảm 20% hôm nay, ghé quán nha!", not_emits=("impersonation",),
                    author={"display_name": "Trà sữa Momo", "handle": "trasuamomo"}),
            Example("Chuyến bay hôm qua đúng giờ, cảm ơn các bạn!", not_emits=("impersonation",),
                    author={"display_name": "Hội những người yêu Vietnam Airlines"}),
            Example("Đọc bài ở https://vnexpress.net/gia-vang-hom-nay-123.html", not_emits=("impersonation",)),
            Example("Lịch nghỉ Tết của ngân hàng", not_emits=("impersonation",),
                    author={"display_name": "Vietcombank", "handle": "vietcombank", "verified": True}),
        )

    def detect_one(self, prepared: Prepared) -> list[Signal]:
        return self._accounts_and_links(prepared) + self._claims_in(prepared)

    def _accounts_and_links(self, prepared: Prepared) -> list[Signal]:
        item = prepared.item
        author = item.author
        text = item.text
        has_dot = "." in text
        if author is None and not has_dot:
            return []
        matches: list[Match] = []
        if author is not None and (self.include_verified or not author.verified):
            key = (author.display_name, author.handle, author.url)
            found = self._authors.get(key, _MISSING)
            if found is _MISSING:
                found = self.matcher.account(author, include_verified=True, prefix="author.")
                if len(self._authors) >= 50_000:
                    self._authors.clear()
                self._authors[key] = found
            if found is not None:
                matches.append(found)
        spans: dict[str, list[Evidence]] = {}
        if has_dot:
            for link in prepared.links:
                for m in self.matcher.link(link.url, "text"):
                    spans.setdefault(m.entity, []).append(
                        Evidence(link.start, link.end, link.text, label=f"impersonation:{m.entity}")
                    )
                    matches.append(m)
        if not matches:
            return []
        by_entity: dict[str, list[Match]] = {}
        for m in matches:
            by_entity.setdefault(m.entity, []).append(m)
        scored = []
        for entity, ms in by_entity.items():
            ms.sort(key=lambda m: -m.score)
            # the best match counts fully, each further one for half (they are rarely independent)
            combined = noisy_or([ms[0].score] + [0.5 * other.score for other in ms[1:]])
            scored.append((min(0.99, combined), entity, ms))
        scored.sort(key=lambda t: -t[0])
        score, entity, ms = scored[0]
        if score < self.min_score:
            return []
        evidence: list[Evidence] = []
        seen: set[tuple[int, int, str]] = set()
        for e in spans.get(entity, ()):
            if (e.start, e.end, e.field) not in seen:
                seen.add((e.start, e.end, e.field))
                evidence.append(e)
        reasons = []
        tags: set[str] = set()
        for m in ms:
            tags |= m.tags & _TAGS
            for r in m.evidence:
                reasons.append(r.to_dict())
                if r.field.startswith("author."):
                    tags.add("author")
                if r.field.startswith("author.") and (0, len(r.value), r.field) not in seen:
                    seen.add((0, len(r.value), r.field))
                    evidence.append(Evidence(0, len(r.value), r.value, field=r.field, label=f"impersonation:{entity}"))
        kind = self._kinds.get(entity, "other")
        details: dict[str, Any] = {
            "entity": entity,
            "kind": kind,
            "why": [r["why"] for r in reasons],
            "matches": reasons,
            "matcher": MATCHER_VERSION,
        }
        others = [{"entity": e, "score": round(s, 4)} for s, e, _ in scored[1:] if s >= self.min_score]
        if others:
            details["others"] = others
        return [
            Signal(
                detector=self.name,
                category="impersonation",
                score=round(score, 4),
                evidence=tuple(evidence),
                tags=frozenset(tags),
                details=details,
            )
        ]

    def detect_batch(self, batch: Sequence[Prepared]) -> list[list[Signal]]:
        return [self.detect_one(p) for p in batch]
