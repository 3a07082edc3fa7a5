"""Contacts and links detector: links (also defanged), domains, phones, bank accounts, chat handles, APKs.

Contact details are not harmful in themselves; this detector reports them (in ``details``, for
reviewers) and scores the risky ones as ``scam`` cues: blocklisted domains, APK downloads, bare IP
links, IDN look-alikes, free-host and cheap-TLD sites, URL shorteners, and moves off the platform.
Tags name each cue so policy rules can combine them with lexicon lures.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ..model import Evidence, Signal
from ..scores import noisy_or
from ..resources import read_words
from .base import Example, Prepared, configure
from .context import DetectorContext
from .domains import DomainList, load_domain_list

__all__ = ["ContactsConfig", "ContactsDetector", "CHEAP_TLDS", "SHORTENERS", "FREE_HOSTS"]


@dataclass(frozen=True, slots=True)
class ContactsConfig:
    """``contacts.v1`` config: domain lists (paths or ``packaged:NAME``, see khien/detect/domains.py).

    - ``blocklist``: hosts, URLs and host/path entries marked ``blocklisted``;
    - ``allowlist``: official domains never scored as risky.
    """

    blocklist: tuple[str, ...] = ("packaged:block_domains",)
    allowlist: tuple[str, ...] = ("packaged:allow_domains",)

# Host lists are data (khien/data/lists), read through the one packaged: scheme; read at import,
# so covered by the fingerprint's digest of the packaged lists rather than recorded per engine.
CHEAP_TLDS = frozenset(read_words("packaged:cheap_tlds", record=False))
SHORTENERS = frozenset(read_words("packaged:shorteners", record=False))
FREE_HOSTS = frozenset(read_words("packaged:free_hosts", record=False))

_DIGIT = re.compile(r"\d")
_log = logging.getLogger("khien.lists")

_WEIGHTS = {
    "blocklisted": 0.95,
    "apk": 0.6,
    "apk_mention": 0.15,
    "ip_link": 0.5,
    "idn": 0.4,
    "free_host": 0.3,
    "cheap_tld": 0.3,
    "shortener": 0.25,
    "off_platform": 0.2,
    "bank_account": 0.2,
    "phone": 0.05,
    "email": 0.02,
    "link": 0.0,
}


class ContactsDetector:
    name = "contacts.v1"
    requires = ("nfc", "folded")
    emits = ("scam",)

    Config = ContactsConfig

    def __init__(self, config: ContactsConfig | Mapping[str, Any] | None = None,
                 context: DetectorContext | None = None, /, **options: Any) -> None:
        self.config = configure(ContactsConfig, self.name, config, options)
        blocklist, allowlist = self.config.blocklist, self.config.allowlist
        self.blocklist = DomainList(name="blocklist")
        self.allowlist = DomainList(name="allowlist")
        warnings = []
        for attr, sources in (("blocklist", blocklist), ("allowlist", allowlist)):
            for src in sources:
                loaded = load_domain_list(src)
                if loaded.skipped_count:
                    warnings.append(loaded.describe_skips())
                setattr(self, attr, getattr(self, attr) | loaded)
        # Lines a feed publishes that name nothing matchable are skipped, not fatal; whoever runs
        # the engine is told once, here, where the policy is loaded (the CLI prints it on stderr).
        self.list_warnings: tuple[str, ...] = tuple(warnings)
        for message in warnings:
            _log.warning("khien: warning: %s", message)

    @property
    def signals(self) -> tuple[str, ...]:
        return (self.name,)

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(_WEIGHTS) - {"link", "email"}

    @property
    def examples(self) -> tuple[Example, ...]:
        return (
            Example("Tải app tại hxxps://vneid-capnhat[.]xyz/app.apk để cập nhật", emits=("scam",)),
            Example("Truy cập vietcombank.com.vn để biết thêm", not_emits=("scam",)),
        )

    def link_flags(self, host: str, registrable: str, suffix: str, path: str, is_ip: bool, is_idn: bool) -> list[str]:
        """The cues one link carries. ``path`` is what follows the host (``/a?b=1``), or ``""``.

        An allow-listed host (or a subdomain of one) carries no cue at all: official sites are not
        scam signals because of their TLD, a short name or a subdomain. Only a block-list entry
        more specific than the allow-list entry it falls under (``sites.google.com/view/x`` under
        ``google.com``: a page on a site where anyone publishes) still marks it ``blocklisted``.
        """
        allowed = self.allowlist.lookup(host)
        blocked = self.blocklist.lookup(host, path)
        if allowed is not None:
            if blocked is not None and blocked.specificity > allowed.specificity:
                return ["allowlisted", "blocklisted"]
            return ["allowlisted"]
        flags = []
        if blocked is not None:
            flags.append("blocklisted")
        if is_ip:
            flags.append("ip_link")
        if is_idn:
            flags.append("idn")
        if registrable in SHORTENERS:
            flags.append("shortener")
        if registrable in FREE_HOSTS or any(host == h or host.endswith("." + h) for h in FREE_HOSTS):
            flags.append("free_host")
        if suffix.split(".")[-1] in CHEAP_TLDS:
            flags.append("cheap_tld")
        if path.lower().split("?")[0].endswith(".apk"):
            flags.append("apk")
        return flags

    def detect_one(self, prepared: Prepared) -> list[Signal]:
        v = prepared.views
        text = v.nfc.text
        # Fast exit: nothing that could be a link or a contact.
        if "." not in text and "@" not in text and "/" not in text and _DIGIT.search(text) is None:
            lowered = v.folded.text
            if "zalo" not in lowered and "tele" not in lowered and "apk" not in lowered:
                return []
        evidence: list[Evidence] = []
        cues: set[str] = set()
        links_out: list[dict[str, Any]] = []
        for link in prepared.links:
            d = link.domain
            flags = self.link_flags(d.host, d.registrable, d.suffix, link.path, d.is_ip, d.is_idn)
            if link.defanged:
                flags.append("defanged")
            cues.update(f for f in flags if f in _WEIGHTS)
            links_out.append({"text": link.text, "url": link.url, "domain": d.registrable, "host": d.host, "flags": flags})
            evidence.append(Evidence(link.start, link.end, link.text, label="link:" + (",".join(flags) or "plain")))
        contacts_out: list[dict[str, Any]] = []
        for c in prepared.contacts:
            if c.kind == "handle":
                cues.add("off_platform")
            elif c.kind == "apk":
                cues.add("apk_mention")  # a word about an APK; only an APK link is tagged "apk"
            elif c.kind in _WEIGHTS:
                cues.add(c.kind)
            contacts_out.append({"kind": c.kind, "text": c.text, "value": c.value})
            evidence.append(Evidence(c.start, c.end, c.text, label=c.kind))
        if not evidence:
            return []
        score = noisy_or(_WEIGHTS.get(cue, 0.0) for cue in cues)
        details: dict[str, Any] = {}
        if links_out:
            details["links"] = links_out
        if contacts_out:
            details["contacts"] = contacts_out
        return [
            Signal(
                detector=self.name,
                category="scam",
                score=round(score, 4),
                evidence=tuple(sorted(evidence, key=lambda e: (e.start, e.end))),
                tags=frozenset(cues),
                details=details,
            )
        ]

    def detect_batch(self, batch: Sequence[Prepared]) -> list[list[Signal]]:
        return [self.detect_one(p) for p in batch]
