"""Every policy has its forum category: add the ones that were never made.

Until now a policy's category was created by the first visit of its forum page
(a GET that wrote). New policies now get theirs in the transaction that
creates them; this data step gives existing policies theirs. No schema change.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
from datetime import datetime, timezone
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

MAX_SLUG = 80

policies = sa.table('policies', sa.column('id', sa.Integer), sa.column('slug', sa.String), sa.column('title', sa.String))
categories = sa.table(
    'forum_categories',
    sa.column('id', sa.Integer), sa.column('slug', sa.String), sa.column('name', sa.String),
    sa.column('description', sa.Text), sa.column('policy_id', sa.Integer), sa.column('restricted', sa.Boolean),
    sa.column('position', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)),
)


def _slugify(text):
    # As portal.forums.services.slugify does, kept here so the step does not change with the code.
    ascii_text = unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode('ascii')
    slug = re.sub(r'[^a-z0-9]+', '-', ascii_text.lower()).strip('-')
    return slug[:MAX_SLUG].strip('-') or 'kategori'


def upgrade():
    connection = op.get_bind()
    taken = set(connection.scalars(sa.select(categories.c.slug)))
    missing = connection.execute(
        sa.select(policies.c.id, policies.c.slug, policies.c.title)
        .where(~sa.exists().where(categories.c.policy_id == policies.c.id))
        .order_by(policies.c.id)
    ).all()
    now = datetime.now(timezone.utc)
    for policy_id, policy_slug, title in missing:
        base = _slugify(f'kebijakan-{policy_slug}')
        slug, n = base, 2
        while slug in taken:
            suffix = f'-{n}'
            slug = base[: MAX_SLUG - len(suffix)] + suffix
            n += 1
        taken.add(slug)
        connection.execute(categories.insert().values(
            slug=slug, name=title[:200],
            # The interface's default language; the portal writes it in the creator's language.
            description=f'Diskusi tentang rancangan kebijakan “{title}”.'[:2000],
            policy_id=policy_id, restricted=False, position=1000, created_at=now,
        ))


def downgrade():
    # The categories are valid without this revision, and may hold threads by now: keep them.
    pass
