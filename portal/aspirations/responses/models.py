"""Official responses (tanggapan) and the earlier wordings of each.

A response answers one target: a contribution (a comment, formal submission or
forum post) or a theme of a published aspiration summary (which answers every
contribution of the theme). Exactly
one of `contribution_id` and `theme_id` is set, and each target has at most one
response (editing it keeps the earlier wording as a ResponseRevision).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow

OUTCOMES = ("accepted", "partly_accepted", "not_accepted", "out_of_scope")
OUTCOME_LABELS = {
    "accepted": _l("Accepted"),
    "partly_accepted": _l("Partly accepted"),
    "not_accepted": _l("Not accepted"),
    "out_of_scope": _l("Out of scope"),
}


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class Response(db.Model):
    """An official's answer to a contribution or a theme: the outcome, why, and what it changed."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(f"outcome IN ({_in(OUTCOMES)})", name="outcome"),
        CheckConstraint("(contribution_id IS NULL) <> (theme_id IS NULL)", name="one_target"),
    )
    # User text shown as HTML -> where its HTML is kept (portal.rendered).
    RENDERED_TEXT = {"explanation": "explanation_html", "change": "change_html"}

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), unique=True
    )
    # A theme of the summaries (no foreign key until that table exists; see the module docstring).
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("aspiration_themes.id", ondelete="CASCADE"), unique=True)
    # The policy the target belongs to, copied when answered, so a policy's answers are counted in one query.
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    explanation: Mapped[str] = mapped_column(Text)
    change: Mapped[str] = mapped_column(Text, default="")
    # Where the change can be read: a local path (a policy version, an article) or an http(s) address.
    change_url: Mapped[str] = mapped_column(String(500), default="")
    # The HTML portal.text rendered from the texts, and that renderer's version (portal.rendered).
    explanation_html: Mapped[str | None] = mapped_column(Text)
    change_html: Mapped[str | None] = mapped_column(Text)
    html_version: Mapped[str | None] = mapped_column(String(80))
    responder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    # The answered theme's label, when `answers_for` loaded this answer for one of its contributions.
    theme_label = None

    contribution = relationship("Contribution")
    responder = relationship("User", foreign_keys=[responder_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    revisions: Mapped[list["ResponseRevision"]] = relationship(
        back_populates="response", order_by="ResponseRevision.id", cascade="all, delete-orphan"
    )

    @property
    def outcome_label(self) -> str:
        """The outcome in the reader's language."""
        return str(OUTCOME_LABELS.get(self.outcome, self.outcome))

    @property
    def edited(self) -> bool:
        """Whether the wording changed after it was first given."""
        return self.updated_at is not None


class ResponseRevision(db.Model):
    """A wording a response had before an edit, kept so an answer never silently changes."""

    __tablename__ = "response_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    explanation: Mapped[str] = mapped_column(Text)
    change: Mapped[str] = mapped_column(Text, default="")
    change_url: Mapped[str] = mapped_column(String(500), default="")
    # Who wrote this wording and when it was replaced.
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    response: Mapped[Response] = relationship(back_populates="revisions")
    written_by = relationship("User")
