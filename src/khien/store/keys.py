"""API keys: only the sha256 of each key is stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from .db import Tx, as_dict
from .schema import api_keys

__all__ = ["insert_key", "find_key", "list_keys", "revoke_key"]


def insert_key(tx: Tx, *, name: str, role: str, key_hash: str, prefix: str, created_at: str) -> int:
    result = tx.conn.execute(
        api_keys.insert().values(name=name, role=role, key_hash=key_hash, prefix=prefix, created_at=created_at)
    )
    return int(result.inserted_primary_key[0])


def find_key(tx: Tx, key_hash: str) -> dict[str, Any] | None:
    row = tx.conn.execute(
        select(api_keys.c.id, api_keys.c.name, api_keys.c.role).where(
            api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None)
        )
    ).first()
    return as_dict(row) if row else None


def list_keys(tx: Tx) -> list[dict[str, Any]]:
    rows = tx.conn.execute(
        select(api_keys.c.id, api_keys.c.name, api_keys.c.role, api_keys.c.prefix, api_keys.c.created_at,
               api_keys.c.revoked_at).order_by(api_keys.c.id)
    )
    return [as_dict(r) for r in rows]


def revoke_key(tx: Tx, key_id: int, when: str) -> bool:
    result = tx.conn.execute(
        update(api_keys).where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None)).values(revoked_at=when)
    )
    return result.rowcount == 1
