"""What a forum thread's page shows, gathered by one builder the view calls: one page of
top-level posts with at most a few replies each (bounded by the page size, whatever the
thread's length), or one post with a page of all its replies, and the reader's follow state."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.forums import services
from portal.forums.models import Post, Thread
from portal.contributions import answers, concerns
from portal.contributions import services as contributions
from portal.notifications import services as notifications

REPLIES_SHOWN = 5  # replies under each post on the thread's pages; the rest on the post's own list


@dataclass
class Entry:
    """A top-level post with the replies shown under it and how many more there are."""

    post: Post
    replies: list[Post] = field(default_factory=list)
    more: int = 0


@dataclass
class ThreadPage:
    """One page of a thread (or of one post's replies) and whether the reader follows the thread."""

    thread: Thread
    posts: object  # the pagination; `entries` holds the Entry list
    following: bool
    focus: Post | None = None  # the post whose replies are listed, if any
    answers: dict = field(default_factory=dict)  # post id -> its official response
    links: dict = field(default_factory=dict)  # post id -> the positions and OPDs it concerns


def _options():
    return joinedload(Post.author), selectinload(Post.quoted_post)


def thread_page(viewer, thread: Thread, page: int, focus: Post | None = None) -> ThreadPage:
    """Page `page` of `thread` as `viewer` sees it; with `focus`, that post and a page of its replies."""
    visible = contributions.visible_filter(viewer)
    if focus is not None:
        query = select(Post).where(Post.parent_id == focus.id, visible).options(*_options()).order_by(Post.id)
        pagination = db.paginate(query, page=max(1, page), per_page=services._page_size(), error_out=False)
        pagination.entries = [Entry(focus, list(pagination.items))]
    else:
        query = (
            select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None), visible)
            .options(*_options()).order_by(Post.id)
        )
        pagination = db.paginate(query, page=max(1, page), per_page=services._page_size(), error_out=False)
        pagination.entries = _with_first_replies(visible, list(pagination.items))
    following = notifications.is_following(viewer, "thread", thread.id)
    shown = [post.id for entry in pagination.entries for post in (entry.post, *entry.replies)]
    return ThreadPage(thread, pagination, following, focus, answers.for_ids(shown), concerns.for_ids(shown))


def _with_first_replies(visible, posts: list[Post]) -> list[Entry]:
    """Each post with its first REPLIES_SHOWN visible replies (ranked in SQL) and the count of the rest."""
    entries = {post.id: Entry(post) for post in posts}
    if not entries:
        return []
    ranked = (
        select(Post.id.label("id"), func.row_number().over(partition_by=Post.parent_id, order_by=Post.id).label("n"))
        .where(Post.parent_id.in_(list(entries)), visible)
        .subquery()
    )
    shown = select(ranked.c.id).where(ranked.c.n <= REPLIES_SHOWN)
    for reply in db.session.scalars(select(Post).where(Post.id.in_(shown)).options(*_options()).order_by(Post.id)):
        entries[reply.parent_id].replies.append(reply)
    for parent_id, count in db.session.execute(
        select(Post.parent_id, func.count(Post.id)).where(Post.parent_id.in_(list(entries)), visible)
        .group_by(Post.parent_id)
    ):
        entries[parent_id].more = count - len(entries[parent_id].replies)
    return list(entries.values())


def place_of(viewer, post: Post) -> dict:
    """The `forums.thread` URL arguments that show `post`: its thread page, or for a reply past the
    first few, the page of its post's reply list."""
    if post.parent_id is None:
        return {"thread_id": post.thread_id, "page": services.page_of(viewer, post), "_anchor": f"post-{post.id}"}
    before = db.session.scalar(
        select(func.count(Post.id)).where(
            Post.parent_id == post.parent_id, Post.id < post.id, contributions.visible_filter(viewer)
        )
    ) or 0
    if before < REPLIES_SHOWN:
        return {"thread_id": post.thread_id, "page": services.page_of(viewer, post), "_anchor": f"post-{post.id}"}
    return {"thread_id": post.thread_id, "replies_of": post.parent_id, "page": before // services._page_size() + 1,
            "_anchor": f"post-{post.id}"}
