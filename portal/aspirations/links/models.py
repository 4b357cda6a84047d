"""Contribution links: to a position or an OPD. (Campaign membership is `Contribution.campaign_id`.)"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow

SOURCES = ("author", "suggested", "confirmed")
STATUSES = ("active", "removed")
# How the portal found a suggestion.
REASONS = ("title", "opd_name", "abbreviation", "similarity", "author")

SOURCE_LABELS = {
    "author": _l("Tagged by the author"),
    "suggested": _l("Suggested by the portal"),
    "confirmed": _l("Confirmed by a moderator"),
}
REASON_LABELS = {
    "title": _l("The position's title is in the text"),
    "opd_name": _l("The OPD's name is in the text"),
    "abbreviation": _l("The OPD's abbreviation is in the text"),
    "similarity": _l("The text resembles the position record"),
    "author": _l("Chosen by the author"),
}


class ContributionLink(db.Model):
    """One contribution concerns one position or one OPD (exactly one of the two).

    A removed link is kept (status "removed"), so the portal does not suggest it again."""

    __tablename__ = "contribution_links"
    __table_args__ = (
        CheckConstraint("(position_id IS NULL) <> (opd_id IS NULL)", name="one_target"),
        CheckConstraint("source IN ('author', 'suggested', 'confirmed')", name="source"),
        CheckConstraint("status IN ('active', 'removed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"), index=True)
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opds.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    reason: Mapped[str] = mapped_column(String(20))  # a key of REASON_LABELS
    matched: Mapped[str] = mapped_column(String(200), default="")  # the words found, for the moderator
    score: Mapped[float | None] = mapped_column(Float)  # the similarity, for reason "similarity"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the author; None: the portal
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who confirmed or removed it
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    contribution = relationship("Contribution")
    position = relationship("Position")
    opd = relationship("Opd")
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def target(self):
        """The position or OPD linked."""
        return self.position if self.position_id is not None else self.opd
