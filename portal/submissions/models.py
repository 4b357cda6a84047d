"""Formal submissions, the articles they concern, their attachments and co-signatures."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow
from portal.contributions.models import Contribution
from portal.submissions.attachments import clean_filename

CHANNELS = ("portal", "letter", "hearing", "email", "other")
OFFLINE_CHANNELS = CHANNELS[1:]
COSIGN_STATUSES = ("requested", "confirmed")

CHANNEL_LABELS = {
    "portal": _l("Through the portal"),
    "letter": _l("Letter"),
    "hearing": _l("Minutes of a hearing"),
    "email": _l("Email"),
    "other": _l("Other channel"),
}
COSIGN_LABELS = {
    "requested": _l("Invited, not confirmed yet"),
    "confirmed": _l("Confirmed"),
}
CONTENT_TYPE_LABELS = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.oasis.opendocument.text": "ODT",
}


class Submission(Contribution):
    """A formal submission on a draft policy, sent for an organisation or recorded offline by an official."""

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint("channel IN ('portal', 'letter', 'hearing', 'email', 'other')", name="channel"),
    )

    PUBLIC_ID_PREFIX = "MSK"

    id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(20), default="portal")
    # Offline input only: when it reached the city, who recorded it, and who really wrote it.
    received_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    offline_author_name: Mapped[str | None] = mapped_column(String(200))
    offline_organisation_name: Mapped[str | None] = mapped_column(String(200))

    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    article_links: Mapped[list["SubmissionArticle"]] = relationship(
        back_populates="submission", order_by="SubmissionArticle.article_key", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="submission", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    cosignatures: Mapped[list["CoSignature"]] = relationship(
        back_populates="submission", order_by="CoSignature.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"polymorphic_identity": "submission"}

    def moderated_text(self) -> str:
        """The title and the body, for the word filter."""
        return f"{self.title or ''}\n{self.body or ''}"

    @property
    def is_offline(self) -> bool:
        """Received outside the portal and recorded by an official."""
        return self.channel != "portal"

    @property
    def article_keys(self) -> list[str]:
        """Keys of the articles (e.g. "pasal-5") the submission concerns."""
        return [link.article_key for link in self.article_links]

    @property
    def confirmed_cosignatures(self) -> list["CoSignature"]:
        """Organisations that have confirmed their co-signature."""
        return [c for c in self.cosignatures if c.status == "confirmed"]


class SubmissionArticle(db.Model):
    """One article a submission concerns, by its stable key (it survives new versions)."""

    __tablename__ = "submission_articles"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    article_key: Mapped[str] = mapped_column(String(40), primary_key=True)

    submission: Mapped[Submission] = relationship(back_populates="article_links")


class Attachment(db.Model):
    """A file sent with a submission, kept under instance/uploads with a random name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))  # detected from the content, never the name
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="attachments")

    @property
    def display_name(self) -> str:
        """The name as shown and offered on download, cleaned again (rows stored before the
        name rules may still hold bidirectional controls)."""
        return clean_filename(self.original_name)

    @property
    def type_label(self) -> str:
        """PDF, DOCX or ODT."""
        return CONTENT_TYPE_LABELS.get(self.content_type, self.content_type)


class CoSignature(db.Model):
    """Another verified organisation joining a submission; a member confirms it from their own account."""

    __tablename__ = "cosignatures"
    __table_args__ = (
        UniqueConstraint("submission_id", "organisation_id", name="uq_cosignatures_submission_organisation"),
        CheckConstraint("status IN ('requested', 'confirmed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the member who confirmed
    status: Mapped[str] = mapped_column(String(20), default="requested")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    submission: Mapped[Submission] = relationship(back_populates="cosignatures")
    organisation = relationship("Organisation")
    invited_by = relationship("User", foreign_keys=[invited_by_id])
    user = relationship("User", foreign_keys=[user_id])
