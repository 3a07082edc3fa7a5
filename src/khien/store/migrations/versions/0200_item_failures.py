"""Quarantine: items the worker cannot decide keep their error and a failure count.

Revision ID: 0200
Revises: 0100
Create Date: 2026-11-30 06:30:00

Both columns are added with ``ALTER TABLE ... ADD COLUMN`` (batch mode on SQLite); ``attempts``
has a server default so existing rows get 0 on SQLite and PostgreSQL alike.
"""
from alembic import op
import sqlalchemy as sa


revision = '0200'
down_revision = '0100'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_column('attempts')
        batch_op.drop_column('error')
