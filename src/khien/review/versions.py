"""Edits are versions: what storing an item sent again does.

An item is identified by (platform, id) *and* its content. The content is ``Item.to_dict()``
without ``reach`` (a post seen by more people is not an edit); :func:`content_hash` is sha256 of
its canonical JSON. Sent again:

- with the content of the item's **current** version, it is a *replay*: nothing new is stored
  (a changed reach updates the stored figure);
- with other content, it is a *new version* N+1: its text is kept for ever beside the earlier
  ones, the item takes the status the caller gives (``pending`` for the worker, ``decided`` when
  ``POST /v1/moderate`` records its decision in the same transaction), and an ``item.edited`` audit
  event records it. Earlier versions keep their decisions and cases.

:func:`store_items` does this for a batch in a fixed number of queries, plus a few per edited item:
one insert for the new items (and one for their version rows), one read of the heads of the items
already stored, one update for changed reach.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping, Sequence

import orjson

from ..audit import AuditEvent
from ..audit import events as ev
from ..enums import ItemStatus
from ..model import Item
from ..store import Tx
from ..store import items as item_rows
from ..store.records import ItemHead, NewItem
from .decisions import item_subject

__all__ = ["content_hash", "Outcome", "Stored", "store_items", "MAX_REACH"]

MAX_REACH = 2**62  # reach is stored as a 64-bit integer; anything larger is "everyone" anyway
_RETRIES = 5  # concurrent edits of one item are rare; each retry re-reads its head


def content_hash(data: Mapping[str, Any]) -> str:
    """sha256 (hex) of an item's canonical JSON (``Item.to_dict()``, keys sorted) without ``reach``."""
    content = {k: v for k, v in data.items() if k != "reach"}
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


class Outcome(str, Enum):
    NEW = "new"  # the first version of an item not stored before
    EDITED = "edited"  # a new version of a stored item
    REPLAY = "replay"  # the content of the current version again


@dataclass(frozen=True, slots=True)
class Stored:
    """What storing one sent item did: its key, the version its content is, and how it got there."""

    platform: str
    item_id: str
    version: int
    outcome: Outcome
    pk: int | None  # the item's row; None for a new item (its row number is not read back)
    status: ItemStatus  # the item's status after this call (for a replay: as it was)

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.item_id)

    @property
    def versioned(self) -> tuple[str, str, int]:
        return (self.platform, self.item_id, self.version)


def _key(item: Item) -> tuple[str, str]:
    return (item.platform or "", item.id)


def store_items(tx: Tx, items: Sequence[Item], status: ItemStatus, when: str, *, actor: str = "system:intake"
                ) -> tuple[list[Stored], list[AuditEvent]]:
    """Store each item of ``items``, in order: new, new version, or replay (see the module).

    New items and new versions take ``status``. The same key twice in ``items`` is treated as two
    sendings in that order (a second, different text is version 2). ``actor`` is who sent them,
    as the audit log names it. Returns one :class:`Stored`
    per item, aligned with ``items``, and the ``item.edited`` events to record (the caller records
    them with its other events, in the same transaction).
    """
    docs = [item.to_dict() for item in items]
    hashes = [content_hash(d) for d in docs]
    bodies = [orjson.dumps(d).decode() for d in docs]
    first: dict[tuple[str, str], int] = {}
    for n, item in enumerate(items):
        first.setdefault(_key(item), n)

    def new_row(n: int, version: int = 1) -> NewItem:
        platform, ident = _key(items[n])
        return NewItem(platform=platform, item_id=ident, body=bodies[n], status=status,
                       reach=min(items[n].reach_total, MAX_REACH), received_at=when, content_hash=hashes[n],
                       version=version)

    added = item_rows.insert_items(tx, [new_row(n) for n in first.values()])
    # heads are read (in one query) for items stored before, and for new ones sent twice in this call
    repeated = {k for k, c in Counter(_key(i) for i in items).items() if c > 1} if len(first) < len(items) else set()
    wanted = [k for k in first if k not in added or k in repeated]
    heads: dict[tuple[str, str], ItemHead] = item_rows.item_heads(tx, wanted) if wanted else {}
    out: list[Stored] = []
    events: list[AuditEvent] = []
    reach: dict[int, tuple[int, int, int, str]] = {}
    for n, item in enumerate(items):
        key = _key(item)
        if key in added and first[key] == n:
            out.append(Stored(*key, 1, Outcome.NEW, None, status))
            continue
        head = heads[key]
        if head.content_hash == hashes[n]:
            new_reach = min(item.reach_total, MAX_REACH)
            if new_reach != head.reach:
                reach[head.pk] = (head.pk, head.version, new_reach, bodies[n])
            out.append(Stored(*key, head.version, Outcome.REPLAY, head.pk, head.status))
            continue
        head = _store_version(tx, head, lambda v, n=n: new_row(n, v))
        heads[key] = head
        reach.pop(head.pk, None)
        events.append(AuditEvent(actor, item_subject(*key), ev.ItemEdited(
            version=head.version, previous_version=head.version - 1, content_hash=head.content_hash)))
        out.append(Stored(*key, head.version, Outcome.EDITED, head.pk, status))
    item_rows.update_reach(tx, list(reach.values()))
    return out, events


def _store_version(tx: Tx, head: ItemHead, row: Any) -> ItemHead:
    """Store ``row(version)`` as the version after ``head``; when another writer stored a version in
    between (PostgreSQL, concurrent requests), read the head again and go after that one."""
    for _ in range(_RETRIES):
        new: NewItem = row(head.version + 1)
        if item_rows.store_version(tx, head, new):
            return ItemHead(pk=head.pk, platform=head.platform, item_id=head.item_id, version=new.version,
                            content_hash=new.content_hash, status=new.status, reach=new.reach)
        fresh = item_rows.item_heads(tx, [(head.platform, head.item_id)])
        head = fresh[(head.platform, head.item_id)]
    raise RuntimeError(f"item {head.item_id!r} changed {_RETRIES} times while a new version was being stored")
