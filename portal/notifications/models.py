"""Notifications kept for a user, and what a user follows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow

FOLLOW_TARGETS = ("policy", "thread")


class Notification(db.Model):
    """One message for one user. The text is stored as a kind (a key) and its
    parameters, and rendered in the reader's language when shown."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A local path on the portal (e.g. /contributions/KMT-2026-000012).
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user = relationship("User")

    @property
    def is_read(self) -> bool:
        """Whether the user has seen it."""
        return self.read_at is not None


class Follow(db.Model):
    """A user who wants to hear of new activity on a policy or a forum thread."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id", name="uq_follows_user_target"),
        CheckConstraint("target_type IN ('policy', 'thread')", name="target_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    user = relationship("User")


class DigestEntry(db.Model):
    """A followed event whose mail waits for the follower's next digest; `sent_at`
    is set when a digest takes it, so no event is mailed twice."""

    __tablename__ = "digest_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)

    notification: Mapped[Notification] = relationship()


class DigestSchedule(db.Model):
    """When a user was last sent a digest. Senders claim a user by moving
    `last_sent_at` forward in one conditional UPDATE, so two senders running
    at once never both mail the same user in one period."""

    __tablename__ = "digest_schedules"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
