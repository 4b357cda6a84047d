"""Notification digests: followed events waiting for a follower's digest mail,
and when each follower was last sent one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('digest_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_digest_entries_notification_id_notifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_entries')),
    sa.UniqueConstraint('notification_id', name=op.f('uq_digest_entries_notification_id'))
    )
    with op.batch_alter_table('digest_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_entries_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_digest_entries_user_id'), ['user_id'], unique=False)

    op.create_table('digest_schedules',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_schedules_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_digest_schedules'))
    )


def downgrade():
    op.drop_table('digest_schedules')
    with op.batch_alter_table('digest_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_entries_user_id'))
        batch_op.drop_index(batch_op.f('ix_digest_entries_sent_at'))

    op.drop_table('digest_entries')
