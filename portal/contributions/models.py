"""Contributions (the shared base of comments, submissions and posts), their
status history, flags and appeals.

The table names are those the moderation package first gave them; the schema
did not change when the core moved here."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow

KINDS = ("contribution", "comment", "submission", "post")
STATUSES = ("pending", "published", "hidden", "withdrawn")
FLAG_REASONS = ("spam", "abuse", "off_topic", "personal_data")
HIDE_REASONS = ("spam", "abuse", "off_topic", "personal_data", "other")
APPEAL_OUTCOMES = ("upheld", "rejected")
FLAG_RESOLUTIONS = ("dismissed", "actioned")

STATUS_LABELS = {
    "pending": _l("Waiting for review"),
    "published": _l("Published"),
    "hidden": _l("Hidden by a moderator"),
    "withdrawn": _l("Withdrawn by the author"),
}
REASON_LABELS = {
    "spam": _l("Spam or advertising"),
    "abuse": _l("Abusive or insulting"),
    "off_topic": _l("Off topic"),
    "personal_data": _l("Reveals personal data"),
    "other": _l("Other reason"),
}
KIND_LABELS = {
    "contribution": _l("Contribution"),
    "comment": _l("Comment"),
    "submission": _l("Formal submission"),
    "post": _l("Forum post"),
}
# What a history line says happened; the author sees these.
EVENT_ACTIONS = {
    "submitted": _l("Sent"),
    "approved": _l("Approved by a moderator"),
    "flags_dismissed": _l("Reports reviewed; stays published"),
    "hidden": _l("Hidden by a moderator"),
    "restored": _l("Restored by a moderator"),
    "appealed": _l("Appeal sent"),
    "appeal_upheld": _l("Appeal accepted; published again"),
    "appeal_rejected": _l("Appeal rejected; stays hidden"),
    "withdrawn": _l("Withdrawn by the author"),
}
# Why an item waits for review when it is sent.
PENDING_REASONS = {
    "new_account": _l("New accounts' first contributions are reviewed before they appear."),
    "word_filter": _l("The text contains words that a moderator reviews first."),
}


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class Contribution(db.Model):
    """Anything a person writes for the public: the base of comments,
    formal submissions and forum posts (joined-table inheritance).

    A concrete kind subclasses it with its own table whose primary key is a
    foreign key to `contributions.id`, sets `polymorphic_identity` to its
    kind and `PUBLIC_ID_PREFIX` to its prefix. The body is stored exactly as
    written; only `portal.text` renders it.
    """

    __tablename__ = "contributions"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(KINDS)})", name="kind"),
        CheckConstraint(f"status IN ({_in(STATUSES)})", name="status"),
        CheckConstraint(f"hidden_reason IS NULL OR hidden_reason IN ({_in(HIDE_REASONS)})", name="hidden_reason"),
    )

    # Receipt prefix of the public id; each kind overrides it (KMT, MSK, FRM).
    PUBLIC_ID_PREFIX = "KTR"
    # User text shown as HTML -> where its HTML is kept (portal.rendered).
    RENDERED_TEXT = {"body": "body_html"}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # E.g. MSK-2026-000123; derived from the primary key, so never duplicated.
    public_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # The text's HTML as portal.text rendered it when it was written, and that renderer's
    # version (portal.rendered keeps both current).
    body_html: Mapped[str | None] = mapped_column(Text)
    html_version: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    # Snapshots of the author at writing time, so later role changes do not rewrite the counts.
    stakeholder_group: Mapped[str] = mapped_column(String(20), default="citizen")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    hidden_reason: Mapped[str | None] = mapped_column(String(20))
    hidden_note: Mapped[str | None] = mapped_column(Text)
    # Near-copies of one text (portal.aspirations.campaigns) share the id of the first of them,
    # which carries its own id; lists show that one with the count. None: not part of a campaign.
    campaign_id: Mapped[int | None] = mapped_column(index=True)

    author = relationship("User", foreign_keys=[author_id])
    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    policy = relationship("Policy")
    events: Mapped[list["ContributionEvent"]] = relationship(
        back_populates="contribution", order_by="ContributionEvent.id", cascade="all, delete-orphan"
    )
    flags: Mapped[list["Flag"]] = relationship(
        back_populates="contribution", order_by="Flag.id", cascade="all, delete-orphan"
    )
    appeal: Mapped["Appeal | None"] = relationship(
        back_populates="contribution", cascade="all, delete-orphan", uselist=False
    )

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "contribution"}

    def replied_to(self) -> "Contribution | None":
        """The contribution this one answers, whose author hears of it; kinds with replies override it."""
        return None

    def follow_target(self) -> tuple[str, int, str] | None:
        """What followers follow to hear of this item: (target type, id, title); kinds override it."""
        if self.policy_id is not None and self.policy is not None:
            return "policy", self.policy_id, self.policy.title
        return None

    def moderated_text(self) -> str:
        """All text the word filter reads; kinds with a title add it."""
        return self.body or ""

    def add_event(
        self, action: str, from_status: str | None, actor, reason: str | None = None, note: str = "",
    ) -> "ContributionEvent":
        """Append one line to the history the author sees (`action`: a key of EVENT_ACTIONS)."""
        event = ContributionEvent(
            action=action,
            from_status=from_status,
            to_status=self.status,
            actor_id=getattr(actor, "id", None),
            reason=reason,
            note=note or "",
            created_at=utcnow(),
        )
        self.events.append(event)
        return event

    def set_status(self, status: str) -> None:
        """Move to `status`; the first publication is dated."""
        self.status = status
        self.updated_at = utcnow()
        if status == "published" and self.published_at is None:
            self.published_at = self.updated_at

    def unhide(self) -> None:
        """Publish a hidden contribution again, forgetting why it was hidden."""
        self.set_status("published")
        self.hidden_reason = None
        self.hidden_note = None

    @property
    def open_flags(self) -> list["Flag"]:
        """Flags no moderator has dealt with yet."""
        return [flag for flag in self.flags if flag.resolved_at is None]

    @property
    def can_be_appealed(self) -> bool:
        """Hidden and not appealed before (the author may appeal once)."""
        return self.status == "hidden" and self.appeal is None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.public_id or self.id} {self.status}>"


class ContributionEvent(db.Model):
    """One line of a contribution's history, as its author sees it."""

    __tablename__ = "contribution_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30))  # a key of EVENT_ACTIONS
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the portal itself
    reason: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    contribution: Mapped[Contribution] = relationship(back_populates="events")
    actor = relationship("User")


class Flag(db.Model):
    """A signed-in user's report that a published contribution breaks the rules."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("contribution_id", "user_id", name="uq_flags_contribution_user"),
        CheckConstraint(f"reason IN ({_in(FLAG_REASONS)})", name="reason"),
        CheckConstraint(f"resolution IS NULL OR resolution IN ({_in(FLAG_RESOLUTIONS)})", name="resolution"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(20))

    contribution: Mapped[Contribution] = relationship(back_populates="flags")
    user = relationship("User", foreign_keys=[user_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])


class Appeal(db.Model):
    """The author's one appeal against the hiding of their contribution."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_in(APPEAL_OUTCOMES)})", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(20))  # "upheld": published again
    decision_note: Mapped[str] = mapped_column(Text, default="")

    contribution: Mapped[Contribution] = relationship(back_populates="appeal")
    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def is_open(self) -> bool:
        """Not decided yet: the item is in the moderation queue."""
        return self.decided_at is None
