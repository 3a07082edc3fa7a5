"""Notice and action: reports, trusted flaggers, reporters' track records, accounts and strikes.

Revision ID: 0600
Revises: 0500
Create Date: 2026-12-05 09:00:00

- ``flaggers``, ``reporters``, ``reports``, ``accounts``, ``strikes``: new tables (see schema.py).
- ``decisions.subject_kind`` and ``cases.subject_kind`` (item | account; 'item' for existing rows):
  an account decision or case names the author id in ``item_id`` with version 0, and the
  uniqueness of both gains the kind so an item and an account with the same id never collide.
- ``reporters.account_created_ts``: the reporter's account creation time, when a report gave it.
- ``cases.reporters``: how many distinct reporters a report case groups (0 for existing cases).
- ``appeals.appellant`` (author | reporter; 'author' for existing rows) and ``appeals.report_id``:
  a reporter may contest a decision not to act on their report.
"""
from alembic import op
import sqlalchemy as sa


revision = '0600'
down_revision = '0500'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('flaggers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_key', sa.String(length=100), nullable=False),
    sa.Column('organisation', sa.String(length=300), nullable=False),
    sa.Column('contact', sa.String(length=300), nullable=True),
    sa.Column('respond_hours', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('removed_at', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flaggers'))
    )
    op.create_index('uq_flaggers_live_name', 'flaggers', ['name_key'], unique=True,
                    sqlite_where=sa.text('removed_at IS NULL'), postgresql_where=sa.text('removed_at IS NULL'))
    op.create_table('reporters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=100), nullable=False),
    sa.Column('reporter_id', sa.String(length=300), nullable=False),
    sa.Column('first_ts', sa.Float(), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.Column('upheld', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('suspicious', sa.Integer(), nullable=False),
    sa.Column('limited_until', sa.Float(), nullable=True),
    sa.Column('account_created_ts', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporters')),
    sa.UniqueConstraint('platform', 'reporter_id', name='uq_reporters_once')
    )
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=100), nullable=False),
    sa.Column('author_id', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('followers', sa.BigInteger(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('first_seen', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('status_until', sa.Float(), nullable=True),
    sa.Column('status_decision_id', sa.Integer(), nullable=True),
    sa.Column('last_action_ts', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['status_decision_id'], ['decisions.id'],
                            name=op.f('fk_accounts_status_decision_id_decisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('platform', 'author_id', name='uq_accounts_once')
    )
    op.create_table('strikes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('item_id', sa.String(length=300), nullable=False),
    sa.Column('item_version', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('created_ts', sa.Float(), nullable=False),
    sa.Column('removed_at', sa.String(length=40), nullable=True),
    sa.Column('removed_by', sa.String(length=200), nullable=True),
    sa.Column('removal_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_strikes_account_id_accounts')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_strikes_decision_id_decisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strikes')),
    sa.UniqueConstraint('account_id', 'decision_id', name='uq_strikes_once')
    )
    op.create_index('ix_strikes_account', 'strikes', ['account_id', 'created_ts'])

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_kind', sa.String(length=10), server_default='item', nullable=False))
        batch_op.drop_constraint('uq_decisions_once', type_='unique')
        batch_op.create_unique_constraint(
            'uq_decisions_once',
            ['subject_kind', 'platform', 'item_id', 'item_version', 'policy', 'source', 'source_ref'])
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_kind', sa.String(length=10), server_default='item', nullable=False))
        batch_op.add_column(sa.Column('reporters', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint('uq_cases_once', type_='unique')
        batch_op.create_unique_constraint(
            'uq_cases_once', ['subject_kind', 'platform', 'item_id', 'item_version', 'origin'])

    # one open report case per subject (see schema.py)
    op.create_index('uq_cases_open_report', 'cases', ['subject_kind', 'platform', 'item_id'], unique=True,
                    sqlite_where=sa.text("state = 'open' AND origin LIKE 'reports:%'"),
                    postgresql_where=sa.text("state = 'open' AND origin LIKE 'reports:%'"))

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('reporter_id', sa.String(length=300), nullable=True),
    sa.Column('flagger_id', sa.Integer(), nullable=True),
    sa.Column('subject_kind', sa.String(length=10), nullable=False),
    sa.Column('subject_id', sa.String(length=300), nullable=False),
    sa.Column('item_version', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('created_ts', sa.Float(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('suspicious', sa.Boolean(), nullable=False),
    sa.Column('ring', sa.String(length=100), nullable=True),
    sa.Column('answered_at', sa.String(length=40), nullable=True),
    sa.Column('answered_ts', sa.Float(), nullable=True),
    sa.Column('outcome_decision_id', sa.Integer(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_reports_case_id_cases')),
    sa.ForeignKeyConstraint(['flagger_id'], ['flaggers.id'], name=op.f('fk_reports_flagger_id_flaggers')),
    sa.ForeignKeyConstraint(['outcome_decision_id'], ['decisions.id'],
                            name=op.f('fk_reports_outcome_decision_id_decisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    op.create_index('ix_reports_subject', 'reports', ['platform', 'subject_kind', 'subject_id', 'id'])
    op.create_index('ix_reports_reporter', 'reports', ['platform', 'reporter_id', 'id'])
    op.create_index('ix_reports_case', 'reports', ['case_id'])

    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appellant', sa.String(length=10), server_default='author', nullable=False))
        batch_op.add_column(sa.Column('report_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_appeals_report_id_reports'), 'reports', ['report_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appeals_report_id_reports'), type_='foreignkey')
        batch_op.drop_column('report_id')
        batch_op.drop_column('appellant')
    op.drop_index('ix_reports_case', table_name='reports')
    op.drop_index('ix_reports_reporter', table_name='reports')
    op.drop_index('ix_reports_subject', table_name='reports')
    op.drop_table('reports')
    op.drop_index('uq_cases_open_report', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('uq_cases_once', type_='unique')
        batch_op.create_unique_constraint('uq_cases_once', ['platform', 'item_id', 'item_version', 'origin'])
        batch_op.drop_column('reporters')
        batch_op.drop_column('subject_kind')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_decisions_once', type_='unique')
        batch_op.create_unique_constraint(
            'uq_decisions_once', ['platform', 'item_id', 'item_version', 'policy', 'source', 'source_ref'])
        batch_op.drop_column('subject_kind')
    op.drop_index('ix_strikes_account', table_name='strikes')
    op.drop_table('strikes')
    op.drop_table('accounts')
    op.drop_table('reporters')
    op.drop_index('uq_flaggers_live_name', table_name='flaggers')
    op.drop_table('flaggers')
