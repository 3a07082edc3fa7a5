"""Fact-checks (issue 15): ``fact_checks`` and the trusted ``claim_publishers``.

Revision ID: 0800
Revises: 0700
Create Date: 2026-11-30 15:00:00

New tables only (see schema.py); nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0800'
down_revision = '0700'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fact_checks',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('claim', sa.Text(), nullable=False),
    sa.Column('rating_text', sa.String(length=200), nullable=False),
    sa.Column('rating', sa.String(length=20), nullable=False),
    sa.Column('rating_value', sa.Float(), nullable=True),
    sa.Column('best_rating', sa.Float(), nullable=True),
    sa.Column('worst_rating', sa.Float(), nullable=True),
    sa.Column('publisher', sa.String(length=300), nullable=False),
    sa.Column('publisher_key', sa.String(length=300), nullable=False),
    sa.Column('publisher_url', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('review_date', sa.String(length=40), nullable=True),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('topic', sa.String(length=20), nullable=False),
    sa.Column('claimant', sa.String(length=300), nullable=True),
    sa.Column('claim_date', sa.String(length=40), nullable=True),
    sa.Column('appearances', sa.Text(), server_default='[]', nullable=False),
    sa.Column('imported_by', sa.String(length=200), nullable=False),
    sa.Column('imported_at', sa.String(length=40), nullable=False),
    sa.Column('retired_at', sa.String(length=40), nullable=True),
    sa.Column('retired_by', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_checks'))
    )
    op.create_index('ix_fact_checks_publisher', 'fact_checks', ['publisher_key'], unique=False)
    op.create_table('claim_publishers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_key', sa.String(length=300), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('trusted_by', sa.String(length=200), nullable=False),
    sa.Column('trusted_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_publishers')),
    sa.UniqueConstraint('name_key', name='uq_claim_publishers_name_key')
    )


def downgrade() -> None:
    op.drop_table('claim_publishers')
    op.drop_index('ix_fact_checks_publisher', table_name='fact_checks')
    op.drop_table('fact_checks')
