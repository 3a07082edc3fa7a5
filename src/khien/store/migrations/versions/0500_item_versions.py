"""Edits are versions: every version of an item is kept; decisions and cases name the one they judged.

Revision ID: 0500
Revises: 0400
Create Date: 2026-12-04 09:00:00

- ``item_versions``: one row per version of an item (body, content hash, when it was received),
  unique per (platform, item_id, version). Every existing item becomes its version 1 here.
- ``items.version`` (NOT NULL, 1 for existing rows) and ``items.content_hash``: the current version.
  The hash is computed here, in Python, from the stored body (sha256 of the canonical JSON without
  ``reach``, as ``khien.review.versions.content_hash`` computes it); a body that no longer parses
  (a quarantined item) is hashed as the text it is, so any valid resend of it is a new version.
- ``decisions.item_version`` and ``cases.item_version`` (NOT NULL, 1 for existing rows); the
  uniqueness of ``uq_decisions_once`` and ``uq_cases_once`` gains the version, so an edited item is
  decided again and may get its own case.

Columns are added nullable (or with a server default), filled, then made NOT NULL; batch mode
recreates the tables on SQLite (``khien.store.migrate`` turns SQLite's foreign-key enforcement off
around a migration run for that, and checks the keys before committing), PostgreSQL alters them
in place.
"""
import hashlib

import orjson
from alembic import op
import sqlalchemy as sa


revision = '0500'
down_revision = '0400'
branch_labels = None
depends_on = None

_CHUNK = 1000


def _hash(body: str) -> str:
    # the same as khien.review.versions.content_hash on Item.to_dict(), copied so this migration never
    # changes with the code: the stored body *is* Item.to_dict(), so parsing it gives the same dict
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
    data.pop("reach", None)
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _backfill() -> None:
    """Hash every item and copy it into item_versions as version 1, a chunk at a time."""
    conn = op.get_bind()
    items = sa.table('items', sa.column('pk', sa.Integer), sa.column('platform', sa.String),
                     sa.column('item_id', sa.String), sa.column('body', sa.Text),
                     sa.column('received_at', sa.String), sa.column('content_hash', sa.String))
    versions = sa.table('item_versions', sa.column('platform', sa.String), sa.column('item_id', sa.String),
                        sa.column('version', sa.Integer), sa.column('body', sa.Text),
                        sa.column('content_hash', sa.String), sa.column('received_at', sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(items.c.pk, items.c.platform, items.c.item_id, items.c.body,
                                      items.c.received_at).where(items.c.pk > last)
                            .order_by(items.c.pk).limit(_CHUNK)).fetchall()
        if not rows:
            return
        hashes = [(r.pk, _hash(r.body)) for r in rows]
        conn.execute(sa.update(items).where(items.c.pk == sa.bindparam('b_pk'))
                     .values(content_hash=sa.bindparam('b_hash')),
                     [{'b_pk': pk, 'b_hash': h} for pk, h in hashes])
        conn.execute(versions.insert(), [
            {'platform': r.platform, 'item_id': r.item_id, 'version': 1, 'body': r.body, 'content_hash': h,
             'received_at': r.received_at} for r, (_, h) in zip(rows, hashes)])
        last = rows[-1].pk


def upgrade() -> None:
    op.create_table('item_versions',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=100), nullable=False),
    sa.Column('item_id', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_item_versions')),
    sa.UniqueConstraint('platform', 'item_id', 'version', name='uq_item_versions_once')
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))
    _backfill()
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.alter_column('content_hash', existing_type=sa.String(length=64), nullable=False)

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_constraint('uq_decisions_once', type_='unique')
        batch_op.create_unique_constraint(
            'uq_decisions_once', ['platform', 'item_id', 'item_version', 'policy', 'source', 'source_ref'])

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_constraint('uq_cases_once', type_='unique')
        batch_op.create_unique_constraint('uq_cases_once', ['platform', 'item_id', 'item_version', 'origin'])


def downgrade() -> None:
    # Only the current text of each item survives a downgrade (it is what ``items.body`` holds);
    # decisions and cases of earlier versions stay, under the old, version-less uniqueness, which
    # may refuse them: a downgrade of a database with edited items is not supported.
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('uq_cases_once', type_='unique')
        batch_op.create_unique_constraint('uq_cases_once', ['platform', 'item_id', 'origin'])
        batch_op.drop_column('item_version')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_decisions_once', type_='unique')
        batch_op.create_unique_constraint(
            'uq_decisions_once', ['platform', 'item_id', 'policy', 'source', 'source_ref'])
        batch_op.drop_column('item_version')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_column('content_hash')
        batch_op.drop_column('version')
    op.drop_table('item_versions')
