"""The PostgreSQL search index (SEARCH_BACKEND=postgres): one row per search document.

A portable table: on PostgreSQL the two vector columns are tsvector under GIN indexes; on SQLite
(where the PostgreSQL backend cannot run) they are text and the table stays empty.

Revision ID: 0010_pgfts
Revises: 0010_job_heartbeat
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0010_pgfts'
down_revision = '0010_job_heartbeat'
branch_labels = None
depends_on = None


def upgrade():
    vector = postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite')
    op.create_table(
        'search_documents',
        sa.Column('doc_id', sa.String(length=40), nullable=False),
        sa.Column('doc_type', sa.String(length=20), nullable=False),
        sa.Column('db_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('policy_id', sa.Integer(), nullable=True),
        sa.Column('grp', sa.String(length=20), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('terms', vector, nullable=False),
        sa.Column('words', vector, nullable=False),
        sa.PrimaryKeyConstraint('doc_id', name=op.f('pk_search_documents')),
    )
    op.create_index('ix_search_documents_terms', 'search_documents', ['terms'], unique=False,
                    postgresql_using='gin')
    op.create_index('ix_search_documents_words', 'search_documents', ['words'], unique=False,
                    postgresql_using='gin')
    op.create_index('ix_search_documents_created_at', 'search_documents', ['created_at'], unique=False)


def downgrade():
    op.drop_index('ix_search_documents_created_at', table_name='search_documents')
    op.drop_index('ix_search_documents_words', table_name='search_documents')
    op.drop_index('ix_search_documents_terms', table_name='search_documents')
    op.drop_table('search_documents')
