"""What a forum thread's page shows, gathered by one builder the view calls: one page of
posts (bounded by the page size, whatever the thread's length) and the reader's follow state."""

from __future__ import annotations

from dataclasses import dataclass

from portal.forums import services
from portal.forums.models import Thread
from portal.notifications import services as notifications


@dataclass
class ThreadPage:
    """One page of a thread's posts and whether the reader follows the thread."""

    thread: Thread
    posts: object
    following: bool


def thread_page(viewer, thread: Thread, page: int) -> ThreadPage:
    """Page `page` of `thread` as `viewer` sees it."""
    return ThreadPage(
        thread=thread,
        posts=services.list_posts(viewer, thread, page),
        following=notifications.is_following(viewer, "thread", thread.id),
    )
