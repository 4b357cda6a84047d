"""Comments and their endorsements. A comment is a Contribution, so the one
moderation system (pre-moderation, flags, hiding, appeals) covers it."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow
from portal.moderation.models import Contribution

STANCES = ("supports", "objects", "suggests_change")
STANCE_LABELS = {
    "supports": _l("Supports"),
    "objects": _l("Objects"),
    "suggests_change": _l("Suggests a change"),
}
# The fields of a position record that people may comment on, in page order.
POSITION_FIELDS = (
    "qualifications",
    "main_tasks",
    "requirements",
    "competency_technical",
    "competency_managerial",
    "competency_sociocultural",
    "training_requirements",
    "required_count",
)
POSITION_FIELD_LABELS = {
    "qualifications": _l("Qualifications (kualifikasi jabatan)"),
    "main_tasks": _l("Main tasks (tugas pokok)"),
    "requirements": _l("Position requirements (syarat jabatan)"),
    "competency_technical": _l("Technical competency (teknis)"),
    "competency_managerial": _l("Managerial competency (manajerial)"),
    "competency_sociocultural": _l("Socio-cultural competency (sosial kultural)"),
    "training_requirements": _l("Training requirements (pelatihan)"),
    "required_count": _l("Required staff (kebutuhan, from ABK)"),
}


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class Comment(Contribution):
    """A comment on a policy (one article of it, or the whole) or on one field of a position record.

    `article_key` is the article's stable identity across versions ("pasal-5");
    `version_id` is the version the comment was written on. Replies are one
    level deep: a reply's parent never has a parent itself.
    """

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(f"stance IS NULL OR stance IN ({_in(STANCES)})", name="stance"),
        CheckConstraint(f"position_field IS NULL OR position_field IN ({_in(POSITION_FIELDS)})", name="position_field"),
        CheckConstraint("(position_id IS NULL) = (position_field IS NULL)", name="position_target"),
    )
    PUBLIC_ID_PREFIX = "KMT"
    RENDERED_TEXT = {"body": "body_html", "suggested_wording": "suggested_wording_html"}

    id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"), index=True)
    # None: on the policy as a whole (or, with position_id, on a position record).
    article_key: Mapped[str | None] = mapped_column(String(40), index=True)
    # Required on top-level comments; a reply may leave it out.
    stance: Mapped[str | None] = mapped_column(String(20))
    suggested_wording: Mapped[str] = mapped_column(Text, default="")
    suggested_wording_html: Mapped[str | None] = mapped_column(Text)  # kept by portal.rendered
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"), index=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"), index=True)
    position_field: Mapped[str | None] = mapped_column(String(40))

    version = relationship("PolicyVersion")
    position = relationship("Position")
    parent = relationship("Comment", remote_side=[id], foreign_keys=[parent_id])

    __mapper_args__ = {"polymorphic_identity": "comment", "inherit_condition": id == Contribution.id}

    def replied_to(self) -> "Comment | None":
        """A reply answers its parent comment."""
        return self.parent

    def location(self) -> tuple[str, dict, str | None]:
        """The comment's own page (with its replies; a reply shows under its comment)."""
        if self.public_id is None:
            return super().location()
        return "comments.comment", {"public_id": self.public_id}, f"c-{self.id}"

    def moderated_text(self) -> str:
        """The word filter reads the suggested wording along with the comment."""
        return f"{self.body or ''}\n{self.suggested_wording or ''}"

    @property
    def is_reply(self) -> bool:
        """Whether this comment answers another one."""
        return self.parent_id is not None


class Endorsement(db.Model):
    """One user's "I agree" on a comment: counted publicly, named only to moderators."""

    __tablename__ = "comment_endorsements"
    __table_args__ = (UniqueConstraint("comment_id", "user_id", name="uq_comment_endorsements_comment_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    comment = relationship("Comment")
    user = relationship("User")
