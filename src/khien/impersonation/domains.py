"""Domain look-alikes: typos, brand-plus-service labels, subdomain tricks, IDN homographs, cheap TLDs.

The patterns are those of docs/DOMAIN.md ("Fake-domain patterns"): ``vietcombannk.com.vn`` (one
edit from the official domain), ``vay-vietcombank.biz`` (brand and a service word),
``agribank.com.vn.login-verify.xyz`` (the official domain as a subdomain), ``acb.vn-banking.xyz``
(the brand as a subdomain of a lure host), ``d-ienmayxanh.com`` (hyphens inside the brand),
``vietcombаnk.com`` with a Cyrillic ``а`` (IDN homograph) and ``vietcombank.xyz`` (the exact
brand on a cheap TLD). Domains are split offline with :func:`khien.text.links.split_domain`;
official domains of every entity are never flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from ..detect.contacts import CHEAP_TLDS, FREE_HOSTS
from ..text.links import split_domain
from .affixes import affix_only
from .index import KeyHit, NameIndex, lookup
from .keys import name_key
from .registry import Entity, normalise_domain

__all__ = ["DomainHit", "DomainChecker", "host_of"]

_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)


def host_of(value: str) -> str:
    """The host of a URL or bare domain (``https://a.b/c`` → ``a.b``), lower case."""
    value = value.strip()
    value = _SCHEME.sub("", value)
    host = re.split(r"[/?#]", value, maxsplit=1)[0].rsplit("@", 1)[-1].split(":")[0]
    return host.lower().strip(".")


@dataclass(slots=True)
class DomainHit:
    """A domain that imitates one entity: score, the official domain or name it imitates, why."""

    entity: int
    score: float
    matched: str
    why: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)


def _decode_idn(host: str) -> str:
    if "xn--" not in host:
        return host
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return ".".join(labels)


_BASE = {
    # (how, strength, affix class) -> score
    ("exact", "strong", ""): 0.75, ("exact", "strong", "weak"): 0.85, ("exact", "strong", "strong"): 0.92,
    ("exact", "weak", ""): 0.6, ("exact", "weak", "weak"): 0.7, ("exact", "weak", "strong"): 0.8,
    ("exact", "person", ""): 0.45, ("exact", "person", "weak"): 0.5, ("exact", "person", "strong"): 0.75,
    ("near", "strong", ""): 0.9, ("near", "strong", "weak"): 0.9, ("near", "strong", "strong"): 0.92,
}


class DomainChecker:
    """Checks hosts against the protected names and official domains of a registry."""

    def __init__(self, index: NameIndex, entities: Sequence[Entity], official: dict[str, int]) -> None:
        self.index = index
        self.entities = entities
        self.official = official  # official domain -> entity position
        self._official_labels: dict[int, list[tuple[str, str]]] = {}
        # Official hosts below a registrable domain, flattened into one label
        # ("dichvucong.bocongan.gov.vn" → "dichvucongbocongan"), as in dichvucong-bocongan.online.
        self._flattened: dict[str, tuple[int, str]] = {}
        for domain, entity in official.items():
            d = split_domain(domain)
            if d is not None:
                self._official_labels.setdefault(entity, []).append((d.name.replace("-", ""), domain))
                if d.subdomain:
                    flat = (d.subdomain + d.name).replace(".", "").replace("-", "")
                    self._flattened[flat] = (entity, domain)
                    self._flattened[flat + d.suffix.replace(".", "")] = (entity, domain)

    def is_official(self, host: str) -> bool:
        host = normalise_domain(host)
        if host in self.official:
            return True
        d = split_domain(host)
        return d is not None and d.registrable in self.official

    def _imitated(self, entity: int, key: str) -> str:
        """The official domain nearest to ``key`` (for the why-text), else the entity's first name."""
        for label, domain in self._official_labels.get(entity, ()):
            if label == key:
                return domain
        labels = self._official_labels.get(entity)
        return labels[0][1] if labels else self.entities[entity].names[0]

    def check(self, value: str) -> list[DomainHit]:
        """Every entity the host of ``value`` imitates (none for official and unrelated hosts)."""
        host = host_of(value)
        if not host or "." not in host:
            return []
        decoded = _decode_idn(host)
        d = split_domain(decoded)
        if d is None or d.is_ip:
            return []
        if d.registrable in self.official or decoded in self.official:
            return []
        hits: dict[int, DomainHit] = {}

        def keep(hit: DomainHit) -> None:
            old = hits.get(hit.entity)
            if old is None or hit.score > old.score:
                hits[hit.entity] = hit

        idn = not decoded.isascii()
        # 1. An official domain written inside the host: agribank.com.vn.login-verify.xyz.
        if d.subdomain:
            labels = d.subdomain.split(".")
            for i in range(len(labels)):
                for j in range(i + 2, min(len(labels), i + 4) + 1):
                    official = ".".join(labels[i:j])
                    entity = self.official.get(official)
                    if entity is not None:
                        keep(DomainHit(entity, 0.95, official,
                                       [f"official domain '{official}' used as a subdomain of '{d.registrable}'"],
                                       {"subdomain"}))
        # 2. The registrable label: typo, brand + service word, hyphens, exact brand elsewhere.
        label_key = name_key(d.name.replace("-", " ").replace("_", " "))
        label_compact = d.name.replace("-", "")
        for hit in lookup(self.index, label_key, aligned=False):
            scored = self._score_label(hit, d.name, d.registrable, label_compact)
            if scored is not None:
                if label_key.disguises and (hit.how != "contains" or hit.affix_only):
                    scored.why.extend(x.why for x in label_key.disguises)
                    scored.tags.add("homograph")
                    scored.score = max(scored.score + 0.15, 0.95)
                keep(scored)
        # 2b. An official host flattened into the label: dichvucong-bocongan.online.
        if self._flattened:
            for flat, (entity, official) in self._flattened.items():
                at = label_compact.find(flat)
                if at >= 0 and affix_only(label_compact[:at] + label_compact[at + len(flat):]):
                    keep(DomainHit(entity, 0.95, official,
                                   [f"official host '{official}' written as the label '{d.name}'"], {"subdomain"}))
        # 3. The brand as a subdomain of a lure host: acb.vn-banking.xyz, vietcombank.weebly.com.
        if d.subdomain:
            lure = affix_only(label_compact) or d.suffix.split(".")[-1] in CHEAP_TLDS or d.registrable in FREE_HOSTS
            for part in d.subdomain.split("."):
                if part in ("www", "m", "") or len(part) < 2:
                    continue
                for hit in lookup(self.index, name_key(part.replace("-", " ")), aligned=False):
                    if hit.how != "exact" and not (hit.how == "contains" and hit.affix_only):
                        continue
                    strong = hit.entry.strength == "strong"
                    score = (0.9 if lure else 0.8) if strong else (0.8 if lure else 0.45)
                    why = f"brand '{hit.entry.text}' as a subdomain of " + (
                        f"the lure host '{d.registrable}'" if lure else f"'{d.registrable}'")
                    keep(DomainHit(hit.entry.entity, score, self._imitated(hit.entry.entity, hit.entry.key), [why],
                                   {"subdomain"}))
        if not hits:
            return []
        tld = d.suffix.split(".")[-1]
        for hit in hits.values():
            if idn:
                reads = ".".join(name_key(part).compact or part for part in decoded.split("."))
                hit.why.append(f"internationalised domain '{host}' reads as '{reads}'")
                hit.tags.add("homograph")
                hit.score = min(0.99, hit.score + 0.1)
                if reads in self.official:
                    hit.why.append(f"homograph of the official domain '{reads}'")
                    hit.score = max(hit.score, 0.97)
            if tld in CHEAP_TLDS and hit.score >= 0.4:
                hit.why.append(f"cheap TLD '.{tld}'")
                hit.tags.add("cheap_tld")
                hit.score = min(0.99, hit.score + 0.15)
        return sorted(hits.values(), key=lambda h: -h.score)

    def _score_label(self, hit: KeyHit, label: str, registrable: str, label_compact: str) -> DomainHit | None:
        entry = hit.entry
        strength = entry.strength
        imitated = self._imitated(entry.entity, entry.key)
        if hit.how == "exact" or (hit.how == "contains" and hit.affix_only):
            klass = hit.affix_class
            if klass == "number":
                klass = "weak" if strength == "strong" else ""
            score = _BASE[("exact", strength, klass)]
            if klass:
                words = ", ".join(f"'{a}'" for a in hit.affixes) if hit.affixes else f"'{hit.remainder}'"
                why = f"domain label '{label}' is '{entry.key}' with the added words {words}"
                tags = {"affix"}
            elif "-" in label and entry.key == label_compact and not set(label.split("-")) <= set(
                name_key(entry.text).tokens
            ):
                why = f"hyphens inside the brand '{entry.key}' ('{label}')"
                score = max(score, 0.85)
                tags = {"hyphen"}
            else:
                why = f"brand '{entry.key}' on '{registrable}', which is not an official domain" + (
                    f" (official: {imitated})" if "." in imitated else "")
                tags = {"brand_elsewhere"}
            return DomainHit(entry.entity, score, imitated, [why], tags)
        if hit.how == "near":
            score = _BASE[("near", "strong", hit.affix_class if hit.affix_class != "number" else "weak")]
            shown = registrable if not hit.affixes else label
            target = imitated if "." in imitated else f"'{entry.text}'"
            return DomainHit(entry.entity, score, imitated,
                             [f"domain '{shown}' is one edit from official '{target}'" if "." in imitated
                              else f"domain '{shown}' is one edit from the name {target}"], {"typo"})
        # contains, with other words around it
        if strength == "strong":
            score = 0.75 if hit.affix_class == "strong" else 0.6
        else:
            score = 0.65 if hit.affix_class == "strong" else 0.2
        return DomainHit(entry.entity, score, imitated,
                         [f"domain label '{label}' contains '{entry.key}'"], {"contains"})
