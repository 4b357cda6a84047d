"""A citation: one article of one policy version names a published theme or an official response
that motivated its change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow


class VersionCitation(db.Model):
    """Article `article_key` of version `version_id` cites a theme or a response (exactly one)."""

    __tablename__ = "aspiration_version_citations"
    __table_args__ = (
        CheckConstraint("(theme_id IS NULL) <> (response_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id", ondelete="CASCADE"), index=True)
    article_key: Mapped[str] = mapped_column(String(40))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("aspiration_themes.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    theme = relationship("SummaryTheme")
    response = relationship("Response")
    version = relationship("PolicyVersion")
