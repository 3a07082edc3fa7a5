"""The streaming campaign detector: near-duplicate text, shared contacts and bursts across accounts.

Contract of :meth:`CampaignDetector.observe`: posts come in time order (a post older than the
newest seen is indexed in the current bucket, so a little disorder is tolerated); each post joins
the cluster it shares the most LSH bands of its MinHash signature with (at least
``min_band_hits``) or a contact with (phone, bank account, chat handle, e-mail, link) within the
window. A post that matches two clusters with ``merge_band_hits`` bands each merges them; one band is never
enough, so short generic texts cannot chain unrelated clusters together.
Similarity alone never makes a campaign: see :meth:`CampaignDetector.assess`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np

from .config import CampaignConfig, load_config
from ..text.views import views
from .features import entities, fold_phrases, masked_tokens, shingle_batch
from .index import BucketedIndex, Bucket
from .minhash import MinHasher
from .records import BURST, SHARED_CONTACT, YOUNG_ACCOUNTS, Cluster, Membership, Post

__all__ = ["CampaignDetector"]

# Entities that join a post to a cluster on their own. A phone's block and a bare domain are
# only recorded (many honest posts share a number block or a news site), never joined on.
_JOINING = ("phone:", "bank_account:", "handle:", "email:", "url:")


@dataclass(slots=True)
class _Live:
    """A cluster of two or more posts while it is in the window."""

    id: int
    first: float
    last: float
    last_bucket: int
    sample: str
    size: int = 0
    members: list[str] = field(default_factory=list)
    accounts: dict[str, None] = field(default_factory=dict)  # insertion-ordered set
    slots: dict[int, int] = field(default_factory=dict)  # burst slot -> posts
    slot_accounts: dict[int, set[str]] = field(default_factory=dict)
    peak: int = 0  # most distinct accounts in one slot
    entity_accounts: dict[str, set[str]] = field(default_factory=dict)
    shared: dict[str, None] = field(default_factory=dict)
    young: set[str] = field(default_factory=set)
    aged: int = 0  # accounts whose age was given
    absorbed: list[int] = field(default_factory=list)
    signature: np.ndarray | None = None  # the sample's MinHash (uint32): text joins are checked against it


@dataclass(slots=True)
class _Feat:
    """What :meth:`CampaignDetector.observe` reads of one post before hashing."""

    tokens_list: list[str]
    tokens: int
    entities: tuple[str, ...]


# A post alone in its cluster: (item id, account, ts, bucket, entities, young or None). No text:
# most posts stay alone, and their text would be most of the window's memory.
_Single = tuple


class CampaignDetector:
    """Clusters posts as they arrive and says which clusters are campaigns.

    State is bounded by the window: index buckets older than ``window_s`` are dropped whole and
    a cluster with no member in the window is finalised (see :meth:`expired`).
    """

    def __init__(self, config: CampaignConfig | Mapping[str, object] | None = None) -> None:
        self.config = load_config(config)
        c = self.config
        self._hasher = MinHasher(c.num_perm, c.seed)
        self._exempt = fold_phrases(c.exempt)
        self._index = BucketedIndex(c.window_s, c.bucket_s)
        self._live: dict[int, _Live | _Single] = {}
        self._parent: dict[int, int] = {}  # merged cluster id -> the cluster it joined
        self._next = 0
        self._expired: list[Cluster] = []
        self._newest = -math.inf

    # -- public API ------------------------------------------------------------------------

    def observe(self, posts: Sequence[Post]) -> list[Membership]:
        """Index ``posts`` (in time order) and return a membership for each that joined a cluster
        of two or more posts, as that cluster stood when the post arrived."""
        if not posts:
            return []
        c = self.config
        feats = self._features(posts)
        sigs = self._hasher.signatures_flat(*shingle_batch(
            [f.tokens_list if f.tokens >= c.min_tokens else () for f in feats], c.shingle_words))
        keys = MinHasher.band_keys(sigs, c.bands, c.rows)
        indexed = np.fromiter((f.tokens >= c.min_tokens for f in feats), dtype=bool, count=len(feats))
        out: list[Membership] = []
        start = 0
        while start < len(posts):  # runs of posts in one bucket share the sealed lookups
            ts = max(posts[start].ts, self._newest)
            for bucket in self._index.advance(ts):
                self._expire(bucket)
            number = self._index.current.number
            end = start + 1
            while end < len(posts) and self._index.bucket_of(max(posts[end].ts, ts)) == number:
                end += 1
            run_keys = keys[start:end]
            hits: dict[int, set[tuple[int, int]]] = {}  # post (in the run) -> (band, cluster id)
            text_rows = np.flatnonzero(indexed[start:end])  # only text-indexed posts match by text
            rows, bands, cids = self._index.lookup_sealed(run_keys[text_rows])
            for row, band, cid in zip(text_rows[rows].tolist(), bands.tolist(), cids.tolist()):
                hits.setdefault(row, set()).add((band, cid))
            earlier = self._open_hits(run_keys, indexed[start:end], hits)
            run_cids = [0] * (end - start)  # the cluster each post of the run joined or started
            for i in range(start, end):
                row = i - start
                found = hits.get(row, _NO_HITS)
                if row in earlier:  # keys first brought by an earlier post of this run
                    found = set(found)
                    found.update((band, run_cids[j]) for band, j in earlier[row])
                run_cids[row], member = self._add(posts[i], feats[i], found, sigs[i])
                if member is not None:
                    out.append(member)
            self._store_keys(run_keys, indexed[start:end], run_cids)
            self._newest = max(self._newest, max(p.ts for p in posts[start:end]))
            start = end
        return out

    def clusters(self, *, campaigns_only: bool = False) -> list[Cluster]:
        """The clusters of two or more posts still in the window, largest first."""
        found = [self._record(v) for v in self._live.values() if isinstance(v, _Live)]
        if campaigns_only:
            found = [f for f in found if f.campaign]
        return sorted(found, key=lambda k: (-k.size, k.id))

    def cluster(self, cluster_id: int) -> Cluster | None:
        """The cluster a membership's ``cluster_id`` belongs to now (after any merge), or None
        when it has left the window or is a single post."""
        live = self._live.get(self._find(cluster_id))
        return self._record(live) if isinstance(live, _Live) else None

    def expired(self) -> list[Cluster]:
        """Campaigns that left the window since the last call (the detector keeps none of them)."""
        out, self._expired = self._expired, []
        return out

    def finish(self) -> list[Cluster]:
        """Every campaign: those already expired (not yet taken) and those still in the window."""
        return self.expired() + self.clusters(campaigns_only=True)

    def index_bytes(self) -> int:
        """An estimate of the index's memory: buckets plus singleton records (clusters excluded)."""
        singles = sum(1 for v in self._live.values() if not isinstance(v, _Live))
        return self._index.nbytes() + singles * _SINGLE_BYTES

    def window_posts(self) -> int:
        """Posts whose index entries are still held (for bytes-per-post figures)."""
        return sum(b.posts for b in self._index.buckets.values())

    def assess(self, live: _Live) -> tuple[tuple[str, ...], bool, float]:
        """Coordination signals, campaign or not, and score of a cluster.

        A campaign needs ``min_accounts`` distinct accounts *and* at least one signal:

        - ``burst``: one ``burst_s`` slot holds ``min_accounts`` accounts and at least
          ``burst_share`` of the cluster's accounts (a day of greetings is not a burst);
        - ``shared_contact``: a contact (phone, phone block, account, handle, link) used by two
          or more of its accounts;
        - ``young_accounts``: ages were given and at least ``young_share`` of them are young.
        """
        c = self.config
        n = len(live.accounts)
        signals = []
        if live.peak >= c.min_accounts and live.peak >= c.burst_share * n:
            signals.append(BURST)
        if live.shared:
            signals.append(SHARED_CONTACT)
        if live.aged >= c.min_accounts and len(live.young) >= c.young_share * live.aged:
            signals.append(YOUNG_ACCOUNTS)
        campaign = n >= c.min_accounts and bool(signals)
        score = 0.4 * min(1.0, n / (4 * c.min_accounts)) + 0.2 * (BURST in signals) \
            + 0.3 * (SHARED_CONTACT in signals) + 0.1 * (YOUNG_ACCOUNTS in signals)
        return tuple(signals), campaign, round(score, 3)

    # -- internals -------------------------------------------------------------------------

    def _features(self, posts: Sequence[Post]) -> list[_Feat]:
        """Masked tokens and entities of each post, on the engine's views when the post has them.

        A post that also carries the engine's ``links`` and ``contacts`` (attributes of those
        names, as ``find_links`` / ``find_contacts`` give them) is not searched for contacts again.
        """
        out = []
        exempt = self._exempt
        for p in posts:
            v = p.views if p.views is not None else views(p.text)
            tokens = masked_tokens(v.folded.text, exempt)
            found = entities(v, p.links, p.contacts)
            out.append(_Feat(tokens, len(tokens), found))
        return out

    def _find(self, cid: int) -> int:
        root = cid
        while root in self._parent:
            root = self._parent[root]
        while cid != root:  # path compression
            nxt = self._parent[cid]
            self._parent[cid] = root
            cid = nxt
        return root

    def _open_hits(self, run_keys: np.ndarray, indexed: np.ndarray,
                   hits: dict[int, set[tuple[int, int]]]) -> dict[int, list[tuple[int, int]]]:
        """The open bucket's matches for a run of posts, found for the whole run at once.

        Keys already in the open bucket add ``(band, cluster id)`` to ``hits``. A key first
        brought by a post of this run (the first text-indexed post holding it owns it, as a
        ``setdefault`` per post would) is returned as ``row -> [(band, earlier row)]`` for each
        later row holding it: that earlier post's cluster is known only once it has been added.
        """
        rows_in = np.flatnonzero(indexed)
        if rows_in.size == 0:
            return {}
        bands = run_keys.shape[1]
        flat = run_keys[rows_in].ravel()
        frow = np.repeat(rows_in, bands)
        fband = np.tile(np.arange(bands), rows_in.size)
        held = self._index.current.lookup(flat)
        got = held >= 0
        for row, band, cid in zip(frow[got].tolist(), fband[got].tolist(), held[got].tolist()):
            hits.setdefault(row, set()).add((band, cid))
        new = ~got
        keys, frow, fband = flat[new], frow[new], fband[new]
        order = np.lexsort((frow, keys))  # by key, then by row: each key's first row leads
        keys, frow, fband = keys[order], frow[order], fband[order]
        lead = np.ones(keys.size, dtype=bool)
        lead[1:] = keys[1:] != keys[:-1]
        owner = frow[np.flatnonzero(lead)[np.cumsum(lead) - 1]]
        later = ~lead & (frow != owner)
        earlier: dict[int, list[tuple[int, int]]] = {}
        for row, band, j in zip(frow[later].tolist(), fband[later].tolist(), owner[later].tolist()):
            earlier.setdefault(row, []).append((band, j))
        return earlier

    def _store_keys(self, run_keys: np.ndarray, indexed: np.ndarray, run_cids: list[int]) -> None:
        """Put the run's band keys the open bucket lacks into it, each naming the cluster of the
        first post that brought it."""
        rows_in = np.flatnonzero(indexed)
        if rows_in.size == 0:
            return
        bucket = self._index.current
        bands = run_keys.shape[1]
        flat = run_keys[rows_in].ravel()
        cids = np.repeat(np.asarray(run_cids, dtype=np.int64)[rows_in], bands)
        flat, first = np.unique(flat, return_index=True)  # first occurrence: the earliest row
        cids = cids[first]
        fresh = bucket.lookup(flat) < 0
        bucket.add(flat[fresh], cids[fresh])

    def _add(self, post: Post, feat: _Feat, band_hits: set[tuple[int, int]],
             signature: np.ndarray) -> tuple[int, Membership | None]:
        """Join ``post`` to the cluster it matches best, or start one.

        A text match needs ``min_band_hits`` LSH bands in common with one cluster (one band alone
        lets short generic texts chain unrelated posts together); a joining contact is decisive.
        A post matching several clusters with ``merge_band_hits`` bands merges them into the one it
        matches most (generic texts, such as short shop reviews, match many clusters weakly).
        """
        c = self.config
        bucket = self._index.current
        text_indexed = feat.tokens >= c.min_tokens
        pairs = band_hits if text_indexed else _NO_HITS
        votes: dict[int, int] = {}
        for _, cid in pairs:
            cid = self._find(cid)
            votes[cid] = votes.get(cid, 0) + 1
        # A cluster's band keys are the union of its members': the more members, the likelier a
        # generic text shares two bands with one of them. So a text join is also checked against
        # the cluster's sample signature (estimated Jaccard at least min_similarity).
        for cid in [cid for cid in votes if isinstance(self._live.get(cid), _Live)]:
            rep = self._live[cid].signature
            if rep is not None and np.count_nonzero(rep == signature) < c.min_similarity * c.num_perm:
                del votes[cid]
        joining = [e for e in feat.entities if e.startswith(_JOINING)]
        if joining:
            for b in self._index.buckets.values():
                for e in joining:
                    if (cid := b.entities.get(e)) is not None:
                        cid = self._find(cid)
                        votes[cid] = votes.get(cid, 0) + c.bands
        strong = sorted((-v, cid) for cid, v in votes.items() if v >= c.min_band_hits and cid in self._live)
        young = None
        if post.account_created is not None:
            young = (post.ts - post.account_created) < c.young_days * 86400
        if not strong:
            cid = self._next
            self._next += 1
            self._live[cid] = (post.id, post.account, post.ts, bucket.number, feat.entities, young)
            live = None
        else:
            cid = strong[0][1]
            live = self._promote(cid, post.text)
            if live.signature is None and text_indexed:
                live.signature = signature.copy()  # a row of the batch: do not keep the batch alive
            for v, other in strong[1:]:  # the post bridges clusters it matches strongly: one text
                if -v >= c.merge_band_hits:
                    self._merge(live, other)
            self._join(live, post.id, post.account, post.ts, bucket.number, feat.entities, young)
        for e in joining:
            bucket.entities[e] = cid
        bucket.touched.append(cid)
        bucket.posts += 1
        if live is None:
            return cid, None
        signals, campaign, _ = self.assess(live)
        return cid, Membership(post.id, cid, live.size, len(live.accounts), campaign, signals)

    def _promote(self, cid: int, text: str) -> _Live:
        """The cluster ``cid`` as a full record (a singleton becomes one; ``text`` is its sample:
        the post that made it a cluster, since singletons keep no text)."""
        v = self._live[cid]
        if isinstance(v, _Live):
            return v
        item, account, ts, number, entities, young = v
        live = _Live(cid, ts, ts, number, text)
        self._join(live, item, account, ts, number, entities, young)
        self._live[cid] = live
        return live

    def _join(self, live: _Live, item: str, account: str, ts: float, number: int,
              entities: Iterable[str], young: bool | None) -> None:
        c = self.config
        live.size += 1
        if len(live.members) < c.max_members:
            live.members.append(item)
        new_account = account not in live.accounts
        live.accounts[account] = None
        live.first, live.last = min(live.first, ts), max(live.last, ts)
        live.last_bucket = max(live.last_bucket, number)
        slot = int(ts // c.burst_s)
        live.slots[slot] = live.slots.get(slot, 0) + 1
        in_slot = live.slot_accounts.setdefault(slot, set())
        in_slot.add(account)
        live.peak = max(live.peak, len(in_slot))
        for e in entities:
            users = live.entity_accounts.setdefault(e, set())
            users.add(account)
            if len(users) >= 2:
                live.shared[e] = None
        if young is not None and new_account:
            live.aged += 1
            if young:
                live.young.add(account)

    def _merge(self, live: _Live, other: int) -> None:
        v = self._live.pop(other)
        self._parent[other] = live.id
        if not isinstance(v, _Live):
            item, account, ts, number, entities, young = v
            self._join(live, item, account, ts, number, entities, young)
            return
        live.absorbed.append(other)
        live.absorbed.extend(v.absorbed)
        # Replaying members loses their times; merge the aggregates directly instead.
        live.size += v.size
        room = self.config.max_members - len(live.members)
        live.members.extend(v.members[:max(0, room)])
        for a in v.accounts:
            if a not in live.accounts:
                live.accounts[a] = None
        live.first, live.last = min(live.first, v.first), max(live.last, v.last)
        live.last_bucket = max(live.last_bucket, v.last_bucket)
        for slot, n in v.slots.items():
            live.slots[slot] = live.slots.get(slot, 0) + n
            in_slot = live.slot_accounts.setdefault(slot, set())
            in_slot |= v.slot_accounts[slot]
            live.peak = max(live.peak, len(in_slot))
        for e, users in v.entity_accounts.items():
            mine = live.entity_accounts.setdefault(e, set())
            mine |= users
            if len(mine) >= 2:
                live.shared[e] = None
        live.aged += v.aged
        live.young |= v.young

    def _expire(self, bucket: Bucket) -> None:
        """Finalise clusters whose newest member was in ``bucket`` (now out of the window)."""
        for cid in bucket.touched:
            root = self._find(cid)
            v = self._live.get(root)
            if v is None:
                continue
            last = v.last_bucket if isinstance(v, _Live) else v[3]
            if last > bucket.number:
                continue
            del self._live[root]
            if isinstance(v, _Live):
                for gone in v.absorbed:
                    self._parent.pop(gone, None)
                record = self._record(v)
                if record.campaign:
                    self._expired.append(record)

    def _record(self, live: _Live) -> Cluster:
        signals, campaign, score = self.assess(live)
        slot = self.config.burst_s
        return Cluster(
            id=live.id, size=live.size, members=tuple(live.members), accounts=tuple(live.accounts),
            first_seen=live.first, last_seen=live.last, shared_entities=tuple(live.shared),
            timeline=tuple((s * slot, n) for s, n in sorted(live.slots.items())),
            signals=signals, campaign=campaign, score=score, sample=live.sample,
        )


_NO_HITS: frozenset[int] = frozenset()
_SINGLE_BYTES = 200  # a 6-tuple, its dict slot and int key, a float; ids and entities are counted apart
