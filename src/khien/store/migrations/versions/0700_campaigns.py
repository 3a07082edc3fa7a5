"""Coordinated campaigns: the clusters the campaign detector found, and their member items.

Revision ID: 0700
Revises: 0600
Create Date: 2026-12-12 09:00:00

- ``campaigns``, ``campaign_members``: new tables (see schema.py). A campaign case is an ordinary
  ``cases`` row with ``subject_kind`` 'campaign' and the campaign's key in ``item_id``: no change there.
"""
from alembic import op
import sqlalchemy as sa


revision = '0700'
down_revision = '0600'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('campaign', sa.Boolean(), nullable=False),
    sa.Column('first_seen', sa.Float(), nullable=False),
    sa.Column('last_seen', sa.Float(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('accounts', sa.Text(), nullable=False),
    sa.Column('signals', sa.Text(), nullable=False),
    sa.Column('shared_entities', sa.Text(), nullable=False),
    sa.Column('timeline', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('sample', sa.Text(), nullable=False),
    sa.Column('confirmed_scam', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('platform', 'key', name='uq_campaigns_once')
    )
    op.create_table('campaign_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('item_id', sa.String(length=300), nullable=False),
    sa.Column('account', sa.String(length=300), nullable=True),
    sa.Column('ts', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_members')),
    sa.UniqueConstraint('platform', 'key', 'item_id', name='uq_campaign_members_once')
    )
    op.create_index('ix_campaign_members_item', 'campaign_members', ['platform', 'item_id'])


def downgrade() -> None:
    op.drop_index('ix_campaign_members_item', table_name='campaign_members')
    op.drop_table('campaign_members')
    op.drop_table('campaigns')
