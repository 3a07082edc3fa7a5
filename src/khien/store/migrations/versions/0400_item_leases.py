"""Worker leases on pending items.

Revision ID: 0400
Revises: 0300
Create Date: 2026-12-03 09:00:00

- ``items.lease_owner`` / ``items.lease_until``: which worker holds a pending item and until when
  (epoch seconds). NULL means nobody; an expired lease is claimable again, so items held by a killed
  worker are decided by another. Both nullable: existing rows start unleased.
"""
from alembic import op
import sqlalchemy as sa


revision = '0400'
down_revision = '0300'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_owner')
