"""Stored HTML of user text: each rendered text gets its HTML column, and each
row the version of the renderer that wrote it (portal.rendered).

Existing rows start with no HTML; pages render them on first view and write
the result back, and `flask text rerender` does them all at once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# table -> HTML columns; every table but comments also gets html_version
# (a comment's version is its contribution row's).
COLUMNS = {
    'contributions': ('body_html',),
    'comments': ('suggested_wording_html',),
    'policies': ('summary_html',),
    'articles': ('body_html',),
    'positions': ('aspiration_summary_html',),
}


def upgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(column, sa.Text(), nullable=True))
            if table != 'comments':
                batch_op.add_column(sa.Column('html_version', sa.String(length=80), nullable=True))


def downgrade():
    for table, columns in reversed(list(COLUMNS.items())):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table != 'comments':
                batch_op.drop_column('html_version')
            for column in reversed(columns):
                batch_op.drop_column(column)
