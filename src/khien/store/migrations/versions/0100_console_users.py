"""Console accounts and sign-in sessions.

Revision ID: 0100
Revises: 0001
Create Date: 2026-11-29 03:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0100'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('disabled_at', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_users')),
    sa.UniqueConstraint('name', name=op.f('uq_console_users_name'))
    )
    op.create_table('console_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('expires_ts', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['console_users.id'], name=op.f('fk_console_sessions_user_id_console_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_console_sessions_token_hash'))
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_console_sessions_expires', ['expires_ts'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_console_sessions_expires')
    op.drop_table('console_sessions')
    op.drop_table('console_users')
