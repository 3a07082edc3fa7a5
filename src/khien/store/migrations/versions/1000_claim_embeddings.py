"""The dense model's vectors of fact-check claims (issue 15): ``claim_embeddings``.

Revision ID: 1000
Revises: 0900
Create Date: 2026-11-30 18:30:00

A new table only (see schema.py); nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '1000'
down_revision = '0900'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claim_embeddings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('dim', sa.Integer(), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_claim_embeddings'))
    )


def downgrade() -> None:
    op.drop_table('claim_embeddings')
