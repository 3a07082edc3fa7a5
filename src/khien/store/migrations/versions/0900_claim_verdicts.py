"""Moderators' verdicts on candidate fact-checks (issue 15): ``claim_verdicts``.

Revision ID: 0900
Revises: 0800
Create Date: 2026-11-30 16:00:00

A new table only (see schema.py); nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0900'
down_revision = '0800'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claim_verdicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=300), nullable=False),
    sa.Column('factcheck_id', sa.String(length=100), nullable=False),
    sa.Column('verdict', sa.String(length=20), nullable=False),
    sa.Column('tier', sa.String(length=20), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_verdicts')),
    sa.UniqueConstraint('case_id', 'factcheck_id', name='uq_claim_verdicts_case_id')
    )


def downgrade() -> None:
    op.drop_table('claim_verdicts')
