"""Forum categories, threads and posts. A post is a Contribution, so the one
moderation system (pre-moderation, flags, hiding, appeals) covers it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, and_, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow
from portal.contributions.models import Contribution


class Category(db.Model):
    """A forum section: a general one, or the one belonging to a policy."""

    __tablename__ = "forum_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # At most one category per policy; None for general categories.
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), unique=True
    )
    # Readable by all, writable only by verified organisation members and officials.
    restricted: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)  # order on the forum index
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    policy = relationship("Policy")
    threads: Mapped[list["Thread"]] = relationship(back_populates="category", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class Thread(db.Model):
    """A discussion in a category; its first post is the opening post."""

    __tablename__ = "forum_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    pinned: Mapped[bool] = mapped_column(default=False, index=True)
    locked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

    category: Mapped[Category] = relationship(back_populates="threads")
    author = relationship("User")
    policy = relationship("Policy")
    posts: Mapped[list["Post"]] = relationship(
        back_populates="thread", foreign_keys="Post.thread_id", order_by="Post.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.title!r}>"


class Post(Contribution):
    """A forum post: an opening post, an answer, or a reply (one level) to an answer."""

    __tablename__ = "forum_posts"
    PUBLIC_ID_PREFIX = "FRM"

    id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"), index=True)
    # The first post of a thread; its status decides whether the thread is shown.
    is_opening: Mapped[bool] = mapped_column(default=False)
    # Replies are one level deep: a reply's parent never has a parent itself.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"), index=True)
    quoted_post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"))

    thread: Mapped[Thread] = relationship(back_populates="posts", foreign_keys=[thread_id])
    parent = relationship("Post", remote_side=[id], foreign_keys=[parent_id])
    quoted_post = relationship("Post", remote_side=[id], foreign_keys=[quoted_post_id])

    __mapper_args__ = {"polymorphic_identity": "post", "inherit_condition": id == Contribution.id}

    def replied_to(self) -> "Post | None":
        """A reply answers its parent post; an answer in the thread answers the opening post."""
        if self.parent is not None:
            return self.parent
        if self.is_opening:
            return None
        # One row by index; loading `thread.posts` would read the whole thread.
        return db.session.scalar(
            select(Post).where(Post.thread_id == self.thread_id, Post.is_opening.is_(True))
        )

    def follow_target(self) -> tuple[str, int, str] | None:
        """Followers of the thread hear of new posts in it."""
        return "thread", self.thread_id, self.thread.title

    def moderated_text(self) -> str:
        """The word filter reads the thread title along with the opening post."""
        if self.is_opening and self.thread is not None:
            return f"{self.thread.title}\n{self.body or ''}"
        return self.body or ""


_contributions = Contribution.__table__
_posts = Post.__table__

# Published posts only, so the count is the same for everyone and follows moderation.
Thread.post_count = column_property(
    select(func.count(_posts.c.id))
    .select_from(_posts.join(_contributions, _posts.c.id == _contributions.c.id))
    .where(and_(_posts.c.thread_id == Thread.id, _contributions.c.status == "published"))
    .correlate_except(_posts, _contributions)
    .scalar_subquery(),
    deferred=True,  # listings undefer it; a thread reloaded after each answer need not count
)
