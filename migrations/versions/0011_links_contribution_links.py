"""Links from contributions to positions and OPDs (author, suggested, confirmed), and
contributions.campaign_id (near-copies of one text share it; portal/aspirations).

Revision ID: 0008_links
Revises: 0008_summaries
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_links'
down_revision = '0008_summaries'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contributions_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('contribution_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contribution_id', sa.Integer(), nullable=False),
    sa.Column('position_id', sa.Integer(), nullable=True),
    sa.Column('opd_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('matched', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("source IN ('author', 'suggested', 'confirmed')", name=op.f('ck_contribution_links_source')),
    sa.CheckConstraint("status IN ('active', 'removed')", name=op.f('ck_contribution_links_status')),
    sa.CheckConstraint('(position_id IS NULL) <> (opd_id IS NULL)', name=op.f('ck_contribution_links_one_target')),
    sa.ForeignKeyConstraint(['contribution_id'], ['contributions.id'], name=op.f('fk_contribution_links_contribution_id_contributions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_contribution_links_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_contribution_links_decided_by_id_users')),
    sa.ForeignKeyConstraint(['opd_id'], ['opds.id'], name=op.f('fk_contribution_links_opd_id_opds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['position_id'], ['positions.id'], name=op.f('fk_contribution_links_position_id_positions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution_links'))
    )
    with op.batch_alter_table('contribution_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contribution_links_contribution_id'), ['contribution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contribution_links_opd_id'), ['opd_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contribution_links_position_id'), ['position_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contribution_links_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_contribution_links_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('contribution_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contribution_links_status'))
        batch_op.drop_index(batch_op.f('ix_contribution_links_source'))
        batch_op.drop_index(batch_op.f('ix_contribution_links_position_id'))
        batch_op.drop_index(batch_op.f('ix_contribution_links_opd_id'))
        batch_op.drop_index(batch_op.f('ix_contribution_links_contribution_id'))

    op.drop_table('contribution_links')
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contributions_campaign_id'))
        batch_op.drop_column('campaign_id')

