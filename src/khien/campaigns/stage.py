"""The campaign stage: the streaming campaign detector run inside the engine (``campaigns.v1``).

Unlike the other detectors this one keeps state: each batch the engine decides is observed, in
``created_at`` order, by one :class:`~khien.campaigns.CampaignDetector` that lives as long as the
engine (one per process: ``khien scan``, each ``khien stream`` runner, each service process).

Contract:

- An item takes part only with ``author.id`` and a parseable ``created_at``; any other item gets no
  campaign signal and is never an error.
- Only a post that joined a cluster which *is a campaign at that moment* gets signals:
  ``campaign.member`` (score = the cluster's score; facts ``campaign``, ``campaign.size``,
  ``campaign.accounts``, ``campaign.signals``, ``campaign.confirmed_scam``) and, when the cluster's
  signals include ``shared_contact``, ``campaign.shared_contact`` (fact ``campaign.shared_entities``).
  Both have no category: they carry facts for rules, never a category score.
- Evidence is in the user's own words: the post's longest run of words also in the cluster's sample,
  and each shared contact as the post writes it.
- :meth:`CampaignStage.feedback` (called by the engine after policy evaluation) marks the clusters of
  posts removed as scam as confirmed; :meth:`confirm` does the same for a moderator's upheld scam.
- :meth:`touched` lists the campaigns that gained a member in the last batch, as they stand after it
  (for ``khien.review.campaigns.record_campaigns``).

Text is never normalised twice: the engine's views (``Prepared.views``) go to the detector.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ..clock import parse_iso
from ..detect.base import Example
from ..model import Decision, Evidence, Item, Signal
from ..text.links import Contact, find_contacts
from ..text.views import Views, views
from .config import CampaignConfig, parse_duration
from .detector import CampaignDetector
from .records import SHARED_CONTACT, Cluster, Membership, Post

__all__ = ["CampaignStage", "StageConfig", "MEMBER", "SHARED", "STAGE_FACTS"]

MEMBER = "campaign.member"
SHARED = "campaign.shared_contact"
STAGE_FACTS = ("campaign", "campaign.size", "campaign.accounts", "campaign.signals", "campaign.confirmed_scam",
               "campaign.shared_entities")
_WORD = re.compile(r"[^\W_]+")
_MAX_QUOTE = 200


@dataclass(frozen=True, slots=True)
class StageConfig:
    """``campaigns.v1`` config in a policy's ``detectors:`` block. Durations are ``"90s"``, ``"30m"``,
    ``"24h"``, ``"2d"`` or seconds; the other keys are :class:`~khien.campaigns.CampaignConfig`'s."""

    window: str | int | float = "24h"
    bucket: str | int | float = "1h"
    burst: str | int | float = "15m"
    min_accounts: int = 5
    min_similarity: float = 0.5
    young_days: float = 30.0
    exempt: tuple[str, ...] = CampaignConfig().exempt
    max_members: int = 10_000

    def detector_config(self) -> CampaignConfig:
        seconds = lambda v: float(v) if isinstance(v, (int, float)) else parse_duration(v)  # noqa: E731
        return CampaignConfig(window_s=seconds(self.window), bucket_s=seconds(self.bucket),
                              burst_s=seconds(self.burst), min_accounts=self.min_accounts,
                              min_similarity=self.min_similarity, young_days=self.young_days,
                              exempt=tuple(self.exempt), max_members=self.max_members)


def _post(item: Item, prepared_views: Views | None) -> Post | None:
    """The detector's record of an item, or None when it lacks an author id or a readable time."""
    author = item.author
    if author is None or not author.id or not item.created_at:
        return None
    try:
        ts = parse_iso(item.created_at)
    except (ValueError, TypeError):
        return None
    created = None
    if author.created_at:
        try:
            created = parse_iso(author.created_at)
        except (ValueError, TypeError):
            created = None
    return Post(item.id, author.id, ts, item.text, created, prepared_views)


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]


def matched_span(post: Views, sample: Views) -> Evidence | None:
    """The post's longest run of words (folded) that all occur in the sample: the part that matched,
    quoted from the original text."""
    vocab = {w for _s, _e, w in _words(sample.folded.text)}
    best: tuple[int, int] | None = None
    run_start: int | None = None
    words = _words(post.folded.text)
    for i, (_s, _e, w) in enumerate(words + [(0, 0, "")]):
        if w and w in vocab:
            if run_start is None:
                run_start = i
            continue
        if run_start is not None:
            if best is None or i - run_start > best[1] - best[0]:
                best = (run_start, i)
            run_start = None
    if best is None:
        return None
    start, end, quoted = post.folded.quote(words[best[0]][0], words[best[1] - 1][1])
    if end - start > _MAX_QUOTE:
        end = start + _MAX_QUOTE
        quoted = quoted[:_MAX_QUOTE]
    return Evidence(start, end, quoted, label="campaign")


def contact_spans(post: Views, entities: Sequence[str], links: Sequence[Any] = (),
                  contacts: Sequence[Contact] | None = None) -> list[Evidence]:
    """Each of the post's contacts that is one of ``entities`` (``kind:value``), as the post writes
    it. ``contacts`` are the post's (found again when not given)."""
    wanted = set(entities)
    out: dict[tuple[int, int], Evidence] = {}
    for c in (find_contacts(post.nfc, post.folded) if contacts is None else contacts):
        value = re.sub(r"\s+", "", c.value.split(":")[-1]) if c.kind == "handle" else c.value
        hit = (f"{c.kind}:{value}" in wanted
               or (c.kind == "phone" and f"phone_block:{c.value[:-3]}" in wanted))
        if hit:
            out[(c.start, c.end)] = Evidence(c.start, c.end, c.text, label="shared_contact")
    for link in links:
        domain = link.domain.registrable.lower()
        path = re.split(r"[?#]", link.path, maxsplit=1)[0].rstrip("/").lower()
        if f"url:{domain}{path}" in wanted or f"domain:{domain}" in wanted:
            s, e, quoted = post.nfc.quote(link.start, link.end)
            out[(s, e)] = Evidence(s, e, quoted, label="shared_contact")
    return [out[k] for k in sorted(out)]


SNAPSHOTS = 10_000  # campaigns whose latest state is kept for the store (campaigns in a window are few)
SEEN_ITEMS = 200_000  # items remembered as observed (about 100 bytes each, more for campaign members)


class CampaignStage:
    """``campaigns.v1``: a stateful detector the engine runs like the others (see the module doc)."""

    name = "campaigns.v1"
    requires = ("nfc", "folded")
    emits: tuple[str, ...] = ()
    Config = StageConfig

    def __init__(self, config: StageConfig | Mapping[str, Any] | None = None, context: Any = None, /) -> None:
        if not isinstance(config, StageConfig):
            from ..strict import parse
            from ..errors import DetectorError
            config = parse(StageConfig, dict(config or {}), f"detectors.{self.name}", error=DetectorError)
        self.config = config
        self.detector = CampaignDetector(config.detector_config())
        self._lock = threading.Lock()
        self._confirmed: set[str] = set()
        self._touched: list[Cluster] = []
        self._batch_keys: dict[str, str] = {}  # item id -> key of the campaign it joined (last batch)
        self._samples: dict[str, Views] = {}  # campaign key -> views of its sample (evidence)
        # (platform, item id) -> the signals it got when first observed: an item decided again (a
        # retried request, an explanation, a replayed stream batch) is not counted again, and gets
        # the same campaign signals (bounded: the oldest are forgotten first)
        self._seen: OrderedDict[tuple[str, str], list[Signal]] = OrderedDict()
        # campaign key -> the campaign as it stood after the last batch that touched it (what the
        # store records beside the decisions: see khien.review.intake.record_engine_decisions)
        self._snapshots: OrderedDict[str, Cluster] = OrderedDict()

    @property
    def signals(self) -> tuple[str, ...]:
        return (MEMBER, SHARED)

    @property
    def tags(self) -> frozenset[str]:
        return frozenset()

    @property
    def facts(self) -> tuple[str, ...]:
        return STAGE_FACTS

    @property
    def examples(self) -> tuple[Example, ...]:
        # one text is never a campaign (tests/campaigns/test_stage.py plants whole campaigns)
        return (Example("Tuyển CTV làm việc online tại nhà, thu nhập 300-500k mỗi ngày, liên hệ Zalo 0912345678",
                        not_emits=("scam", "spam")),)

    # -- the engine's calls --------------------------------------------------------------------

    def detect_batch(self, batch: Sequence[Any]) -> list[list[Signal]]:
        out: list[list[Signal]] = [[] for _ in batch]
        posts: list[tuple[int, Post]] = []
        repeats: list[tuple[int, tuple[str, str]]] = []
        with self._lock:
            seen = self._seen
            for i, prepared in enumerate(batch):
                ident = (prepared.item.platform or "", prepared.item.id)
                if ident in seen:
                    seen.move_to_end(ident)
                    out[i] = list(seen[ident])
                    repeats.append((i, ident))
        repeated = {i for i, _ in repeats}
        for i, prepared in enumerate(batch):
            if i in repeated:
                continue
            post = _post(prepared.item, None)
            if post is not None:  # the views only for items that take part
                posts.append((i, Post(post.id, post.account, post.ts, post.text, post.account_created,
                                      prepared.views, tuple(prepared.links), tuple(prepared.contacts))))
        with self._lock:
            self._batch_keys = {}
            self._touched = []
            if not posts:
                return out
            posts.sort(key=lambda ip: ip[1].ts)  # stable: file order among equal times
            members = self.detector.observe([p for _i, p in posts])
            for i, _post_ in posts:
                self._remember((batch[i].item.platform or "", batch[i].item.id), out[i])
            live = {m.item_id: m for m in members if m.campaign}
            if not live:
                return out
            # only the clusters this batch's members joined (every live cluster was recorded once per
            # batch before), each recorded once, as it stands after the batch
            records: dict[int, Cluster | None] = {}
            touched: dict[str, Cluster] = {}
            for i, post in posts:
                m = live.get(post.id)
                if m is None:
                    continue
                if m.cluster_id not in records:
                    found = self.detector.cluster(m.cluster_id)
                    records[m.cluster_id] = found if found is not None and found.campaign else None
                cluster = records[m.cluster_id]
                if cluster is None:
                    continue
                touched[cluster.key] = cluster
                self._batch_keys[post.id] = cluster.key
                out[i] = self._signals(batch[i], m, cluster)
                self._remember((batch[i].item.platform or "", batch[i].item.id), out[i])
            self._touched = list(touched.values())
            for key, cluster in touched.items():
                self._snapshots[key] = cluster
                self._snapshots.move_to_end(key)
            while len(self._snapshots) > SNAPSHOTS:
                self._snapshots.popitem(last=False)
        return out

    def feedback(self, batch: Sequence[Any], decisions: Sequence[Decision], scam_rules: frozenset[str]) -> None:
        """After policy evaluation: a member removed as a scam (its deciding rule, ``decision.rules[0]``,
        is one of ``scam_rules``) confirms its campaign, so later members carry ``campaign.confirmed_scam``."""
        with self._lock:
            for prepared, decision in zip(batch, decisions):
                key = self._batch_keys.get(prepared.item.id)
                if key and decision.action == "remove" and decision.rules and decision.rules[0] in scam_rules:
                    self._confirmed.add(key)

    def confirm(self, key: str) -> None:
        """A moderator upheld one of campaign ``key``'s posts as scam."""
        with self._lock:
            self._confirmed.add(key)

    def confirmed(self, key: str) -> bool:
        return key in self._confirmed

    def snapshot(self, key: str) -> Cluster | None:
        """Campaign ``key`` as it stood after the last batch that touched it (None when this
        stage has not seen it lately)."""
        with self._lock:
            return self._snapshots.get(key)

    def touched(self) -> list[Cluster]:
        """The campaigns that gained a member in the last batch, as they stand after it."""
        return list(self._touched)

    def expired(self) -> list[Cluster]:
        """Campaigns that left the window since the last call (confirmations of them are dropped)."""
        with self._lock:
            gone = self.detector.expired()
            for cluster in gone:
                self._samples.pop(cluster.key, None)
            return gone

    # -- internals -----------------------------------------------------------------------------

    def _remember(self, ident: tuple[str, str], signals: list[Signal]) -> None:
        self._seen[ident] = list(signals)
        self._seen.move_to_end(ident)
        while len(self._seen) > SEEN_ITEMS:
            self._seen.popitem(last=False)

    def _sample_views(self, cluster: Cluster) -> Views:
        found = self._samples.get(cluster.key)
        if found is None:
            if len(self._samples) > 10_000:  # bounded: campaigns in a window are few
                self._samples.clear()
            found = self._samples[cluster.key] = views(cluster.sample)
        return found

    def _signals(self, prepared: Any, m: Membership, cluster: Cluster) -> list[Signal]:
        v = prepared.views
        facts = {
            "campaign": cluster.key, "campaign.size": m.size, "campaign.accounts": m.accounts,
            "campaign.signals": list(m.signals), "campaign.confirmed_scam": cluster.key in self._confirmed,
        }
        shared = contact_spans(v, cluster.shared_entities, prepared.links, prepared.contacts) if SHARED_CONTACT in m.signals else []
        span = matched_span(v, self._sample_views(cluster))
        evidence = tuple([span] if span is not None else shared[:1])
        details = {"campaign": cluster.key, "score": cluster.score, "signals": list(m.signals)}
        out = [Signal(MEMBER, "", float(cluster.score), evidence, details=details, facts=facts)]
        if SHARED_CONTACT in m.signals:
            out.append(Signal(SHARED, "", float(cluster.score), tuple(shared),
                              details={"campaign": cluster.key},
                              facts={"campaign.shared_entities": list(cluster.shared_entities)}))
        return out
