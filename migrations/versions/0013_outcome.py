"""Policy versions citing published themes and official responses, per article.

Revision ID: 0009_outcome
Revises: 0008_answers
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_outcome'
down_revision = '0008_answers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'aspiration_version_citations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('article_key', sa.String(length=40), nullable=False),
        sa.Column('theme_id', sa.Integer(), nullable=True),
        sa.Column('response_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('(theme_id IS NULL) <> (response_id IS NULL)',
                           name=op.f('ck_aspiration_version_citations_one_target')),
        sa.ForeignKeyConstraint(['version_id'], ['policy_versions.id'],
                                name=op.f('fk_aspiration_version_citations_version_id_policy_versions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['theme_id'], ['aspiration_themes.id'],
                                name=op.f('fk_aspiration_version_citations_theme_id_aspiration_themes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['response_id'], ['responses.id'],
                                name=op.f('fk_aspiration_version_citations_response_id_responses'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_aspiration_version_citations_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_aspiration_version_citations')),
    )
    with op.batch_alter_table('aspiration_version_citations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aspiration_version_citations_version_id'), ['version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aspiration_version_citations_theme_id'), ['theme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aspiration_version_citations_response_id'), ['response_id'], unique=False)


def downgrade():
    op.drop_table('aspiration_version_citations')
