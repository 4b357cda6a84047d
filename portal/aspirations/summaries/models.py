"""A summary is a snapshot: its themes, their members and the method that made them are kept as they
were when an official published it, so later contributions never rewrite a published record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow


class Summary(db.Model):
    """Themes of the published contributions on one position, or one policy (or one of its articles)."""

    __tablename__ = "aspiration_summaries"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'discarded')", name="summary_status"),
        CheckConstraint("(position_id IS NULL) <> (policy_id IS NULL)", name="summary_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    article_key: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # What was summarised: how many contributions, written between which dates.
    contribution_count: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The method, its settings and the library versions, as the engine reported them.
    method: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)

    themes: Mapped[list["SummaryTheme"]] = relationship(
        back_populates="summary", order_by="SummaryTheme.ordinal", cascade="all, delete-orphan"
    )
    created_by = relationship("User", foreign_keys=[created_by_id])
    published_by = relationship("User", foreign_keys=[published_by_id])

    @property
    def kept_themes(self) -> list["SummaryTheme"]:
        return [theme for theme in self.themes if not theme.dropped and not theme.is_other]


class SummaryTheme(db.Model):
    """One theme: a label of key phrases an official may rename, its members and its quotes.
    The contributions that fit no theme form the summary's "other" theme (is_other)."""

    __tablename__ = "aspiration_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("aspiration_summaries.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(Text)
    terms: Mapped[list] = mapped_column(JSON, default=list)  # the key phrases the engine found
    note: Mapped[str] = mapped_column(Text, default="")
    is_other: Mapped[bool] = mapped_column(Boolean, default=False)
    dropped: Mapped[bool] = mapped_column(Boolean, default=False)
    size: Mapped[int] = mapped_column(default=0)
    # Counts frozen at publication: {"group": {"citizen": 3, ...}, "stance": {"objects": 2, ...}}.
    breakdown: Mapped[dict] = mapped_column(JSON, default=dict)

    summary: Mapped[Summary] = relationship(back_populates="themes")
    members: Mapped[list["ThemeMember"]] = relationship(
        back_populates="theme", order_by="ThemeMember.rank", cascade="all, delete-orphan"
    )


class ThemeMember(db.Model):
    """A contribution in a theme, ranked by how central it is; quotes are chosen among them."""

    __tablename__ = "aspiration_theme_members"
    __table_args__ = (UniqueConstraint("theme_id", "contribution_id", name="theme_member_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("aspiration_themes.id", ondelete="CASCADE"), index=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(default=0)
    is_quote: Mapped[bool] = mapped_column(Boolean, default=False)

    theme: Mapped[SummaryTheme] = relationship(back_populates="members")
    contribution = relationship("Contribution")


class ChangeCitation(db.Model):
    """A change to a position record citing a published theme that motivated it ("you said, we did")."""

    __tablename__ = "aspiration_change_citations"
    __table_args__ = (UniqueConstraint("change_id", "theme_id", name="change_cites_theme_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("position_changes.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("aspiration_themes.id", ondelete="CASCADE"), index=True)

    theme: Mapped[SummaryTheme] = relationship()
