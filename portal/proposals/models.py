"""Draft policies, their versions and articles, and the status history."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow
from portal.proposals.articles import spaced_items

STATUSES = ("draft", "open", "closed", "adopted", "withdrawn")
# The only moves a policy may make.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("open",),
    "open": ("closed",),
    "closed": ("adopted", "withdrawn"),
    "adopted": (),
    "withdrawn": (),
}

# Days after the consultation closes by which every contribution should be answered.
DEFAULT_RESPONSE_DAYS = 14
MAX_RESPONSE_DAYS = 365

policy_positions = Table(
    "policy_positions",
    db.metadata,
    Column("policy_id", ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True),
    Column("position_id", ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True),
)


class Policy(db.Model):
    """A draft policy put to public consultation."""

    __tablename__ = "policies"
    RENDERED_TEXT = {"summary": "summary_html"}
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'open', 'closed', 'adopted', 'withdrawn')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(120), default="Rancangan Peraturan Wali Kota")
    summary: Mapped[str] = mapped_column(Text, default="")
    # The text's HTML as portal.text rendered it when it was written, and that renderer's
    # version (portal.rendered keeps both current).
    summary_html: Mapped[str | None] = mapped_column(Text)
    html_version: Mapped[str | None] = mapped_column(String(80))
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opds.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    opens_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Officials answer what the consultation received within this many days after it closes.
    response_days: Mapped[int] = mapped_column(default=DEFAULT_RESPONSE_DAYS, server_default=str(DEFAULT_RESPONSE_DAYS))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    opd = relationship("Opd")
    created_by = relationship("User")
    versions: Mapped[list["PolicyVersion"]] = relationship(
        back_populates="policy", order_by="PolicyVersion.number", cascade="all, delete-orphan"
    )
    transitions: Mapped[list["PolicyTransition"]] = relationship(
        back_populates="policy", order_by="PolicyTransition.id", cascade="all, delete-orphan"
    )
    positions = relationship("Position", secondary=policy_positions, order_by="Position.code")

    @property
    def current_version(self) -> "PolicyVersion | None":
        """The newest version."""
        return self.versions[-1] if self.versions else None

    def accepts_input(self, now: datetime | None = None) -> bool:
        """Open for consultation and inside its window."""
        now = now or utcnow()
        if self.status != "open":
            return False
        if self.opens_at and now < self.opens_at:
            return False
        if self.closes_at and now >= self.closes_at:
            return False
        return True

    def phase(self, now: datetime | None = None) -> str:
        """The status as a reader sees it: an open policy before or after its window shows so."""
        now = now or utcnow()
        if self.status == "open":
            if self.opens_at and now < self.opens_at:
                return "scheduled"
            if self.closes_at and now >= self.closes_at:
                return "ended"
        return self.status

    def response_deadline(self) -> datetime | None:
        """When every contribution should have its official answer: `response_days` after closing
        (None while the consultation has no closing time)."""
        if self.closes_at is None:
            return None
        return self.closes_at + timedelta(days=self.response_days or DEFAULT_RESPONSE_DAYS)

    def days_left(self, now: datetime | None = None) -> int | None:
        """Whole days until the consultation closes (0 on the last day)."""
        if not self.accepts_input(now) or self.closes_at is None:
            return None
        now = now or utcnow()
        return max(0, (self.closes_at - now).days)


class PolicyVersion(db.Model):
    """One published text of a policy; earlier versions are kept."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("policy_id", "number", name="uq_policy_versions_policy_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    change_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    policy: Mapped[Policy] = relationship(back_populates="versions")
    created_by = relationship("User")
    articles: Mapped[list["Article"]] = relationship(
        back_populates="version", order_by="Article.position", cascade="all, delete-orphan"
    )


class Article(db.Model):
    """An article (Pasal) of a version, or the preamble; `key` is its stable anchor."""

    __tablename__ = "articles"
    RENDERED_TEXT = {"body": "body_html"}
    __table_args__ = (UniqueConstraint("version_id", "key", name="uq_articles_version_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # e.g. "pasal-5"; same article, same key, across versions
    position: Mapped[int]  # order in the text
    chapter: Mapped[str] = mapped_column(String(300), default="")  # e.g. "BAB II — Analisis Kebutuhan"
    label: Mapped[str] = mapped_column(String(100))  # e.g. "Pasal 5"
    heading: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The text's HTML as portal.text rendered it when it was written, and that renderer's
    # version (portal.rendered keeps both current).
    body_html: Mapped[str | None] = mapped_column(Text)
    html_version: Mapped[str | None] = mapped_column(String(80))

    version: Mapped[PolicyVersion] = relationship(back_populates="articles")

    def markdown_source(self, field: str) -> str:
        """The body with each ayat and list item on its own line, as Markdown needs it."""
        return spaced_items(self.body)


class PolicyTransition(db.Model):
    """A recorded status move: from, to, who and when."""

    __tablename__ = "policy_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the scheduler
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    policy: Mapped[Policy] = relationship(back_populates="transitions")
    actor = relationship("User")


# How many articles (Pasal, not the preamble) a version has; policy cards show it.
PolicyVersion.article_count = column_property(
    select(func.count(Article.id))
    .where(Article.version_id == PolicyVersion.id, Article.key != "pembukaan")
    .correlate_except(Article)
    .scalar_subquery(),
    deferred=True,
)
