"""Access: normalised names unique case-insensitively, failed sign-ins, decisions' actor ids.

Revision ID: 0300
Revises: 0200
Create Date: 2026-12-02 09:00:00

- ``console_users.name_key`` and ``api_keys.name_key``: the case-folded NFKC of ``name`` under a
  unique index (for keys, only among live keys). Existing rows get their key computed here; when
  two existing names already collide (``an`` and ``An``), the later row keeps its name and gets
  ``#<id>`` appended to its key, so the upgrade never fails and every new name is checked.
- ``signin_failures``: failed sign-ins per account name and per client address (the throttle).
- ``decisions.actor_id``: the stable id of a human decider (``user:3``, ``key:7``); NULL on older rows.

Columns are added nullable, filled, then made NOT NULL (batch mode recreates the table on SQLite;
PostgreSQL alters it in place).
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0300'
down_revision = '0200'
branch_labels = None
depends_on = None


def _key(name: str) -> str:
    # the same as khien.access.names.name_key, copied so this migration never changes with the code
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _fill(table: str, live_only: bool) -> None:
    conn = op.get_bind()
    t = sa.table(table, sa.column('id', sa.Integer), sa.column('name', sa.String),
                 sa.column('name_key', sa.String), *([sa.column('revoked_at', sa.String)] if live_only else []))
    seen: set[str] = set()
    for row in conn.execute(sa.select(*[c for c in t.c if c.name != 'name_key']).order_by(t.c.id)).fetchall():
        key = _key(row.name)
        counts = not live_only or row.revoked_at is None
        if counts and key in seen:
            key = f"{key}#{row.id}"
        if counts:
            seen.add(key)
        conn.execute(sa.update(t).where(t.c.id == row.id).values(name_key=key[:200]))


def upgrade() -> None:
    with op.batch_alter_table('console_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=True))
    _fill('console_users', live_only=False)
    with op.batch_alter_table('console_users', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_console_users_name_key'), ['name_key'])

    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=True))
    _fill('api_keys', live_only=True)
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=200), nullable=False)
    op.create_index('uq_api_keys_live_name', 'api_keys', ['name_key'], unique=True,
                    sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_id', sa.String(length=60), nullable=True))

    op.create_table('signin_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('ts', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signin_failures'))
    )
    op.create_index('ix_signin_failures_subject', 'signin_failures', ['scope', 'subject', 'ts'], unique=False)
    op.create_index('ix_signin_failures_ts', 'signin_failures', ['ts'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_signin_failures_ts', table_name='signin_failures')
    op.drop_index('ix_signin_failures_subject', table_name='signin_failures')
    op.drop_table('signin_failures')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('actor_id')
    op.drop_index('uq_api_keys_live_name', table_name='api_keys')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('name_key')
    with op.batch_alter_table('console_users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_console_users_name_key', type_='unique')
        batch_op.drop_column('name_key')
