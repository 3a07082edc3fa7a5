"""Batch statements whose text does not grow with the batch (PostgreSQL), and their SQLite twins.

On PostgreSQL a batch written as ``INSERT ... VALUES (...), (...), ...`` or read with ``IN (a, b,
...)`` has one placeholder per value: psycopg rewrites such a query's placeholders in Python on
every call (a query that long is never in its cache), which cost more than the database's own work
for the report intake's batches of 1,000. Here each column travels as ONE array parameter
(``unnest`` to insert, ``= ANY`` to look up), so the statement's text is fixed, converted once,
and its arrays are adapted by psycopg's C code. SQLite keeps the plain forms, which are fast there.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from sqlalchemy import Table, and_, any_, bindparam, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Result

from .db import Tx

__all__ = ["among", "any_in", "insert_rows", "next_ids"]

_PG = postgresql.dialect()
_TEXTS: dict[tuple[Any, ...], Any] = {}


def _array_type(table: Table, name: str) -> str:
    return table.c[name].type.compile(dialect=_PG) + "[]"


def any_in(tx: Tx, col: Any, values: Sequence[Any]) -> Any:
    """``col IN (values)``; on PostgreSQL ``col = ANY(:array)`` (one parameter whatever the count)."""
    if tx.dialect == "postgresql":
        return col == any_(bindparam(None, list(values), type_=postgresql.ARRAY(col.type)))
    return col.in_(list(values))


def among(tx: Tx, columns: Sequence[Any], keys: Sequence[tuple[Any, ...]]) -> Any:
    """``col1 IN (...) AND col2 IN (...)``: a superset of the key tuples (callers keep the exact ones)
    that SQLite answers from a composite index (a row-value ``IN`` is a full scan there). On
    PostgreSQL each column's values are one array: ``col1 = ANY(:a) AND col2 = ANY(:b)``."""
    if len(keys) == 1:
        return and_(*[col == v for col, v in zip(columns, keys[0])])
    values = [sorted({k[n] for k in keys}) for n in range(len(columns))]
    return and_(*[any_in(tx, col, vals) for col, vals in zip(columns, values)])


def insert_rows(tx: Tx, table: Table, rows: Sequence[Mapping[str, Any]], *, returning: Sequence[str] = (),
                conflict: Sequence[str] | None = None) -> Result | None:
    """Insert ``rows`` (mappings with the same keys) in one statement; ``conflict`` names the unique
    columns whose clash skips the row (``ON CONFLICT DO NOTHING``; empty: a clash with any unique
    index or constraint skips it); ``returning`` the columns to
    return, in no particular order. Returns the result when ``returning`` is given."""
    if not rows:
        return None
    names = list(rows[0])
    if tx.dialect != "postgresql":
        stmt = tx.insert(table)
        if conflict is not None:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict) or None)
        if returning:
            stmt = stmt.returning(*[table.c[r] for r in returning])
        result = tx.conn.execute(stmt, [dict(r) for r in rows])
        return result if returning else None
    key = (table.name, tuple(names), tuple(returning), tuple(conflict) if conflict is not None else None)
    stmt = _TEXTS.get(key)
    if stmt is None:
        arrays = ", ".join(f"CAST(:c{i} AS {_array_type(table, n)})" for i, n in enumerate(names))
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})"
        if conflict is not None:
            sql += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING" if conflict else " ON CONFLICT DO NOTHING"
        if returning:
            sql += f" RETURNING {', '.join(returning)}"
        stmt = _TEXTS[key] = text(sql)
    params = {f"c{i}": [r[n] for r in rows] for i, n in enumerate(names)}
    result = tx.conn.execute(stmt, params)
    return result if returning else None


def next_ids(tx: Tx, table: Table, n: int) -> list[int]:
    """``n`` fresh values of ``table``'s id sequence (PostgreSQL), ascending: rows inserted with them
    keep the order they were given in. One round trip."""
    stmt = _TEXTS.get(("next_ids", table.name))
    if stmt is None:
        stmt = _TEXTS[("next_ids", table.name)] = text(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, :n)")
    return sorted(int(v) for v in tx.conn.execute(stmt, {"n": n}).scalars())
