"""The content stamp the page cache keys anonymous pages by (portal/content_version.py).

One row, renewed in the transaction of every change a public page can show.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'content_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'stamp': secrets.token_hex(16)}])


def downgrade():
    op.drop_table('content_version')
