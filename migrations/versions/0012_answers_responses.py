"""Official responses (tanggapan) with their earlier wordings, and each policy's response deadline.

`responses.theme_id` points at a theme of the aspiration summaries (0010).

Revision ID: 0008_answers
Revises: 0008_links
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_answers'
down_revision = '0008_links'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_days', sa.Integer(), server_default='14', nullable=False))

    op.create_table(
        'responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contribution_id', sa.Integer(), nullable=True),
        sa.Column('theme_id', sa.Integer(), nullable=True),
        sa.Column('policy_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('explanation', sa.Text(), nullable=False),
        sa.Column('change', sa.Text(), nullable=False),
        sa.Column('change_url', sa.String(length=500), nullable=False),
        sa.Column('explanation_html', sa.Text(), nullable=True),
        sa.Column('change_html', sa.Text(), nullable=True),
        sa.Column('html_version', sa.String(length=80), nullable=True),
        sa.Column('responder_id', sa.Integer(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("outcome IN ('accepted', 'partly_accepted', 'not_accepted', 'out_of_scope')",
                           name=op.f('ck_responses_outcome')),
        sa.CheckConstraint('(contribution_id IS NULL) <> (theme_id IS NULL)', name=op.f('ck_responses_one_target')),
        sa.ForeignKeyConstraint(['contribution_id'], ['contributions.id'],
                                name=op.f('fk_responses_contribution_id_contributions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_responses_policy_id_policies')),
        sa.ForeignKeyConstraint(['theme_id'], ['aspiration_themes.id'], name=op.f('fk_responses_theme_id_aspiration_themes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['responder_id'], ['users.id'], name=op.f('fk_responses_responder_id_users')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_responses_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_responses')),
        sa.UniqueConstraint('contribution_id', name=op.f('uq_responses_contribution_id')),
        sa.UniqueConstraint('theme_id', name=op.f('uq_responses_theme_id')),
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responses_policy_id'), ['policy_id'], unique=False)

    op.create_table(
        'response_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('explanation', sa.Text(), nullable=False),
        sa.Column('change', sa.Text(), nullable=False),
        sa.Column('change_url', sa.String(length=500), nullable=False),
        sa.Column('written_by_id', sa.Integer(), nullable=True),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['response_id'], ['responses.id'],
                                name=op.f('fk_response_revisions_response_id_responses'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['written_by_id'], ['users.id'], name=op.f('fk_response_revisions_written_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_response_revisions')),
    )
    with op.batch_alter_table('response_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_revisions_response_id'), ['response_id'], unique=False)


def downgrade():
    op.drop_table('response_revisions')
    op.drop_table('responses')
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_column('response_days')
