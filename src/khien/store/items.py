"""Items, their versions and their decisions. Readers return :mod:`khien.store.records`, never bare rows.

An item row holds its current version; ``item_versions`` holds every version, the current one
included, for ever. The functions here keep the two in step (:func:`insert_items` writes version 1
beside each new item, :func:`store_version` the next one); deciding what is a new version is
``khien.review.versions``' business.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from sqlalchemy import LargeBinary, bindparam, cast, func, or_, select, tuple_, update

from ..enums import ItemStatus
from .db import Tx
from .records import ItemHead, ItemVersion, NewDecision, NewItem, StoredDecision, StoredItem
from .schema import decisions, item_versions, items

__all__ = [
    "insert_items",
    "item_heads",
    "store_version",
    "update_reach",
    "get_item",
    "get_version",
    "list_versions",
    "pending_items",
    "claim_pending",
    "list_items",
    "mark_decided",
    "mark_failed",
    "set_status",
    "insert_decisions",
    "latest_decision",
    "decisions_in_force",
    "decisions_by_version",
    "get_decision",
    "count_by_status",
    "decision_counts",
]

# Item queries read item decisions only: an account decision names an author id in ``item_id``.
_ITEM = decisions.c.subject_kind == "item"

PENDING, DECIDED, FAILED = ItemStatus.PENDING.value, ItemStatus.DECIDED.value, ItemStatus.FAILED.value


def insert_items(tx: Tx, new: Sequence[NewItem]) -> set[tuple[str, str]]:
    """Insert items that are not stored yet, each with its ``item_versions`` row (version 1); returns
    the (platform, item_id) keys that were new. Two statements for the whole batch, whatever its size."""
    if not new:
        return set()
    stmt = tx.insert(items).on_conflict_do_nothing(index_elements=["platform", "item_id"])
    result = tx.conn.execute(stmt.returning(items.c.platform, items.c.item_id), [n.row() for n in new])
    added = {(r[0], r[1]) for r in result}
    if added:
        tx.conn.execute(item_versions.insert(),
                        [n.version_row() for n in new if (n.platform, n.item_id) in added])
    return added


def item_heads(tx: Tx, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], ItemHead]:
    """The current version, content hash, status and reach of each stored item among ``keys``, in one
    query and without the bodies (keys not stored are absent)."""
    if not keys:
        return {}
    stmt = (select(items.c.pk, items.c.platform, items.c.item_id, items.c.version, items.c.content_hash,
                   items.c.status, items.c.reach)
            .where(tuple_(items.c.platform, items.c.item_id).in_(list(keys))))
    return {(r.platform, r.item_id): ItemHead.from_row(r) for r in tx.conn.execute(stmt)}


def store_version(tx: Tx, head: ItemHead, new: NewItem) -> bool:
    """Make ``new`` (whose ``version`` is ``head.version + 1``) the item's current version, and keep
    it in ``item_versions``. The item takes ``new.status``; its error and lease are cleared (the
    new text has not failed, and whoever held the old one decides the old one).

    False, and nothing written, when the item is no longer at ``head.version`` (another writer
    stored a version meanwhile): the caller reads the head again.
    """
    result = tx.conn.execute(
        update(items).where(items.c.pk == head.pk, items.c.version == head.version)
        .values(body=new.body, content_hash=new.content_hash, version=new.version, status=new.status.value,
                reach=new.reach, received_at=new.received_at, error=None, lease_owner=None, lease_until=None)
    )
    if result.rowcount != 1:
        return False
    tx.conn.execute(item_versions.insert(), [new.version_row()])
    return True


def update_reach(tx: Tx, changes: Sequence[tuple[int, int, int, str]]) -> None:
    """Store the latest reach of items resent with the same content: ``(pk, version, reach, body)``
    each. Reach is not content: the version stays, and so does its text in ``item_versions``; only
    the current row takes the new figure (and the body carrying it, which the worker reads)."""
    if not changes:
        return
    tx.conn.execute(
        update(items).where(items.c.pk == bindparam("b_pk"), items.c.version == bindparam("b_version"))
        .values(reach=bindparam("b_reach"), body=bindparam("b_body")),
        [{"b_pk": pk, "b_version": v, "b_reach": reach, "b_body": body} for pk, v, reach, body in changes],
    )


def get_item(tx: Tx, platform: str, item_id: str) -> StoredItem | None:
    """The item with its current version."""
    row = tx.conn.execute(
        select(items).where(items.c.platform == platform, items.c.item_id == item_id)
    ).first()
    return StoredItem.from_row(row) if row else None


def get_version(tx: Tx, platform: str, item_id: str, version: int) -> ItemVersion | None:
    """One version of an item, with its text (None when the item has no such version)."""
    row = tx.conn.execute(
        select(item_versions).where(item_versions.c.platform == platform, item_versions.c.item_id == item_id,
                                    item_versions.c.version == version)
    ).first()
    return ItemVersion.from_row(row) if row else None


def list_versions(tx: Tx, platform: str, item_id: str) -> list[ItemVersion]:
    """Every version of an item, oldest first, without their texts."""
    rows = tx.conn.execute(
        select(item_versions.c.platform, item_versions.c.item_id, item_versions.c.version,
               item_versions.c.content_hash, item_versions.c.received_at)
        .where(item_versions.c.platform == platform, item_versions.c.item_id == item_id)
        .order_by(item_versions.c.version)
    )
    return [ItemVersion.from_row(r) for r in rows]


def _body_size(tx: Tx) -> Any:
    """The stored JSON's size in bytes, computed by the database (the body is not fetched)."""
    if tx.conn.dialect.name == "postgresql":
        return func.octet_length(items.c.body)
    return func.length(cast(items.c.body, LargeBinary))


def _within_bytes(sizes: Iterable[Any], max_bytes: int | None) -> list[int]:
    """The leading pks of ``(pk, size)`` rows whose sizes add up to at most ``max_bytes``; always
    the first one, however large, so an oversized item is never stuck."""
    chosen: list[int] = []
    total = 0
    for pk, n in sizes:
        total += int(n or 0)
        if max_bytes is not None and chosen and total > max_bytes:
            break
        chosen.append(pk)
    return chosen


def pending_items(tx: Tx, limit: int, max_bytes: int | None = None) -> list[StoredItem]:
    """The oldest items still waiting for the engine: at most ``limit`` of them and, when
    ``max_bytes`` is given, no more stored JSON than that in all (but always the oldest one).

    The sizes are read first, without the bodies, so a backlog of large items never brings more
    than ``max_bytes`` of bodies into memory at once.
    """
    if max_bytes is None:
        return list_items(tx, status=ItemStatus.PENDING, limit=limit)
    sizes = tx.conn.execute(
        select(items.c.pk, _body_size(tx)).where(items.c.status == PENDING).order_by(items.c.pk).limit(limit)).all()
    chosen = _within_bytes(sizes, max_bytes)
    if not chosen:
        return []
    stmt = select(items).where(items.c.pk.in_(chosen), items.c.status == PENDING).order_by(items.c.pk)
    return [StoredItem.from_row(r) for r in tx.conn.execute(stmt)]


def claim_pending(tx: Tx, owner: str, limit: int, *, now: float, lease_s: float,
                  max_bytes: int | None = None) -> list[StoredItem]:
    """Lease the oldest pending items nobody holds (or whose lease expired) to ``owner`` until
    ``now + lease_s``, and return them: the same count and byte bound as :func:`pending_items`.

    Call it in a write transaction. On PostgreSQL the candidate rows are locked with
    ``FOR UPDATE SKIP LOCKED``, so workers claiming at the same moment take disjoint batches
    without waiting on each other; on SQLite the write transaction (BEGIN IMMEDIATE) already
    serialises claimers. A lease is only a hint against duplicate work: deciding stays idempotent
    (decisions are unique per item and policy), so an item re-leased after an expiry that its first
    worker still finishes is never decided twice.
    """
    free = or_(items.c.lease_until.is_(None), items.c.lease_until <= now)
    stmt = (select(items.c.pk, _body_size(tx)).where(items.c.status == PENDING, free)
            .order_by(items.c.pk).limit(limit))
    if tx.conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=items)
    chosen = _within_bytes(tx.conn.execute(stmt).all(), max_bytes)
    if not chosen:
        return []
    tx.conn.execute(update(items).where(items.c.pk.in_(chosen))
                    .values(lease_owner=owner[:100], lease_until=now + lease_s))
    rows = tx.conn.execute(select(items).where(items.c.pk.in_(chosen)).order_by(items.c.pk))
    return [StoredItem.from_row(r) for r in rows]


def renew_leases(tx: Tx, owner: str, pks: Iterable[int], *, until: float) -> int:
    """Extend ``owner``'s lease on these items to ``until``; items decided, failed or taken over
    by another worker meanwhile are left alone. Returns how many leases were extended."""
    pks = list(pks)
    if not pks:
        return 0
    result = tx.conn.execute(update(items).where(items.c.pk.in_(pks), items.c.status == PENDING,
                                                 items.c.lease_owner == owner[:100])
                             .values(lease_until=until))
    return result.rowcount


def list_items(tx: Tx, *, status: ItemStatus, limit: int = 50, offset: int = 0) -> list[StoredItem]:
    """Items in ``status``, oldest first."""
    stmt = select(items).where(items.c.status == status.value).order_by(items.c.pk).limit(limit).offset(offset)
    return [StoredItem.from_row(r) for r in tx.conn.execute(stmt)]


def mark_decided(tx: Tx, decided: Iterable[tuple[int, int]]) -> int:
    """pending → decided for these ``(pk, version)`` items, only where the item is still at that
    version: an item whose next version arrived while the old one was being decided stays pending
    for the new text (items no longer pending are left alone too)."""
    pairs = list(decided)
    if not pairs:
        return 0
    result = tx.conn.execute(
        update(items).where(tuple_(items.c.pk, items.c.version).in_(pairs), items.c.status == PENDING)
        .values(status=DECIDED, error=None, lease_owner=None, lease_until=None)
    )
    return result.rowcount


def mark_failed(tx: Tx, pk: int, error: str, *, version: int | None = None) -> int | None:
    """pending → failed, keeping ``error``; returns the item's failure count (None if it was not
    pending, or, when ``version`` is given, no longer at that version: the new text has not failed)."""
    cond = [items.c.pk == pk, items.c.status == PENDING]
    if version is not None:
        cond.append(items.c.version == version)
    result = tx.conn.execute(
        update(items).where(*cond)
        .values(status=FAILED, error=error, attempts=items.c.attempts + 1, lease_owner=None,
                lease_until=None)
        .returning(items.c.attempts)
    ).first()
    return int(result[0]) if result else None


def set_status(tx: Tx, pk: int, *, old: ItemStatus, new: ItemStatus) -> bool:
    """Move one item from ``old`` to ``new`` (the caller checked the move is allowed); False if it was not ``old``."""
    result = tx.conn.execute(
        update(items).where(items.c.pk == pk, items.c.status == old.value).values(status=new.value)
    )
    return result.rowcount == 1


def insert_decisions(tx: Tx, new: Sequence[NewDecision]) -> dict[tuple[str, str, int], int]:
    """Insert decisions; a decision already recorded under the same key is skipped.

    Returns ``{(platform, item_id, item_version): id}`` for the decisions that were new.
    """
    if not new:
        return {}
    stmt = tx.insert(decisions).on_conflict_do_nothing(
        index_elements=["subject_kind", "platform", "item_id", "item_version", "policy", "source", "source_ref"]
    )
    result = tx.conn.execute(
        stmt.returning(decisions.c.id, decisions.c.platform, decisions.c.item_id, decisions.c.item_version),
        [n.row() for n in new],
    )
    return {(r.platform, r.item_id, int(r.item_version)): r.id for r in result}


def latest_decision(tx: Tx, platform: str, item_id: str) -> StoredDecision | None:
    """The most recent decision on an item, whichever version it judged."""
    row = tx.conn.execute(
        select(decisions)
        .where(decisions.c.platform == platform, decisions.c.item_id == item_id, _ITEM)
        .order_by(decisions.c.id.desc())
        .limit(1)
    ).first()
    return StoredDecision.from_row(row) if row else None


def decisions_in_force(tx: Tx, keys: Sequence[tuple[str, str, int]]) -> dict[tuple[str, str, int], StoredDecision]:
    """The decision in force on each of several ``(platform, item_id, version)``: the most recent one
    on that version (those with none are absent). One query."""
    if not keys:
        return {}
    rows = tx.conn.execute(
        select(decisions).where(tuple_(decisions.c.platform, decisions.c.item_id, decisions.c.item_version)
                                .in_(list(keys)), _ITEM)
        .order_by(decisions.c.id)
    )
    latest: dict[tuple[str, str, int], Any] = {}
    for row in rows:
        latest[(row.platform, row.item_id, int(row.item_version))] = row  # later ids overwrite: the latest wins
    return {key: StoredDecision.from_row(row) for key, row in latest.items()}


def decisions_by_version(tx: Tx, platform: str, item_id: str) -> dict[int, StoredDecision]:
    """The decision in force on each version of an item that has one, by version."""
    rows = tx.conn.execute(
        select(decisions).where(decisions.c.platform == platform, decisions.c.item_id == item_id, _ITEM)
        .order_by(decisions.c.id)
    )
    latest: dict[int, Any] = {}
    for row in rows:
        latest[int(row.item_version)] = row
    return {v: StoredDecision.from_row(row) for v, row in latest.items()}


def get_decision(tx: Tx, decision_id: int) -> StoredDecision | None:
    row = tx.conn.execute(select(decisions).where(decisions.c.id == decision_id)).first()
    return StoredDecision.from_row(row) if row else None


def count_by_status(tx: Tx) -> dict[str, int]:
    rows = tx.conn.execute(select(items.c.status, func.count()).group_by(items.c.status))
    return {status: n for status, n in rows}


def decision_counts(tx: Tx, source: str = "engine") -> dict[tuple[str, str], int]:
    """How many decisions of ``source`` each item has (the durability check reads this)."""
    rows = tx.conn.execute(
        select(decisions.c.platform, decisions.c.item_id, func.count())
        .where(decisions.c.source == source)
        .where(_ITEM)
        .group_by(decisions.c.platform, decisions.c.item_id)
    )
    return {(p, i): n for p, i, n in rows}
