"""API keys: only the sha256 of each key is stored."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from .db import Tx
from .schema import api_keys

__all__ = ["ApiKey", "insert_key", "find_key", "find_live_by_name_key", "list_keys", "revoke_key"]


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key without its secret (only the hash is stored, and it never leaves this module)."""

    id: int
    name: str
    role: str
    prefix: str
    created_at: str
    revoked_at: str | None = None

    def public(self) -> dict[str, object]:
        """The key as ``GET /v1/keys`` shows it."""
        return {"id": self.id, "name": self.name, "role": self.role, "prefix": self.prefix,
                "created_at": self.created_at, "revoked_at": self.revoked_at}


_COLUMNS = (api_keys.c.id, api_keys.c.name, api_keys.c.role, api_keys.c.prefix, api_keys.c.created_at,
            api_keys.c.revoked_at)


def _key(row: object) -> ApiKey:
    return ApiKey(**{str(k): v for k, v in row._mapping.items()})  # type: ignore[attr-defined]


def insert_key(tx: Tx, *, name: str, name_key: str, role: str, key_hash: str, prefix: str, created_at: str) -> int:
    result = tx.conn.execute(
        api_keys.insert().values(name=name, name_key=name_key, role=role, key_hash=key_hash, prefix=prefix,
                                 created_at=created_at)
    )
    return int(result.inserted_primary_key[0])


def find_live_by_name_key(tx: Tx, name_key: str) -> ApiKey | None:
    """The live key whose name compares equal to ``name_key`` (case-folded NFKC)."""
    row = tx.conn.execute(
        select(*_COLUMNS).where(api_keys.c.name_key == name_key, api_keys.c.revoked_at.is_(None))
    ).first()
    return _key(row) if row else None


def find_key(tx: Tx, key_hash: str) -> ApiKey | None:
    """The live (not revoked) key with this hash."""
    row = tx.conn.execute(
        select(*_COLUMNS).where(api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None))
    ).first()
    return _key(row) if row else None


def list_keys(tx: Tx) -> list[ApiKey]:
    return [_key(r) for r in tx.conn.execute(select(*_COLUMNS).order_by(api_keys.c.id))]


def revoke_key(tx: Tx, key_id: int, when: str) -> bool:
    result = tx.conn.execute(
        update(api_keys).where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None)).values(revoked_at=when)
    )
    return result.rowcount == 1
