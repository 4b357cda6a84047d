"""Forum rules: categories (general and one per policy), threads, posts with
replies and quotes, locking and pinning, and the listings each viewer may see.

Posts are Contributions: `contributions.services.admit` decides whether a new
post waits for review; what a viewer sees follows `visible_filter`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload, undefer

from portal import permissions
from portal.audit.services import record
from portal.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal.extensions import db, utcnow
from portal.forums.models import Category, Post, Thread
from portal.contributions import checks
from portal.contributions import services as contributions
from portal.contributions.models import Contribution
from portal.positions import tags

MAX_NAME = 200
MAX_DESCRIPTION = 2_000
MAX_TITLE = 200
MAX_BODY = 20_000
MAX_SLUG = 80
MAX_QUOTE = 1_500
DEFAULT_PAGE_SIZE = 20


# --- categories -----------------------------------------------------------------

def slugify(text: str) -> str:
    """A URL slug from a name: ASCII letters, digits and hyphens ("kategori" when nothing is left)."""
    return checks.slugify(text, MAX_SLUG, "kategori")


def _unique_slug(base: str) -> str:
    slug, n = base, 2
    while db.session.scalar(select(Category.id).where(Category.slug == slug)) is not None:
        suffix = f"-{n}"
        slug = base[: MAX_SLUG - len(suffix)] + suffix
        n += 1
    return slug


def create_category(
    actor, name: str, description: str = "", *, restricted: bool = False, position: int = 0, slug: str | None = None,
) -> Category:
    """Create a general category (officials); recorded in the audit log."""
    permissions.require(actor, "forum_category.create")
    name = checks.clean_text("name", name, MAX_NAME, strip=True, required=_("Enter the name of the category."))
    description = checks.clean_text("description", description, MAX_DESCRIPTION, strip=True)
    category = Category(
        slug=_unique_slug(slugify(slug or name)),
        name=name,
        description=description,
        restricted=bool(restricted),
        position=int(position or 0),
        created_at=utcnow(),
    )
    db.session.add(category)
    db.session.flush()
    record(actor, "forum.category_create", category, name=name, restricted=category.restricted)
    db.session.commit()
    return category


def policy_category(policy) -> Category | None:
    """The category of `policy`, if it has been created."""
    return db.session.scalar(select(Category).where(Category.policy_id == policy.id))


def add_policy_category(policy, **_signal_values) -> Category:
    """Add the category of a new `policy` to the current transaction (the caller commits).

    Connected to `proposals.signals.policy_created`, so every policy has its category
    from the start and reading a policy's forum never writes."""
    category = Category(
        slug=_unique_slug(slugify(f"kebijakan-{policy.slug}")),
        name=policy.title[:MAX_NAME],
        description=_("Discussion of the draft policy “%(title)s”.", title=policy.title)[:MAX_DESCRIPTION],
        policy_id=policy.id,
        position=1000,
        created_at=utcnow(),
    )
    db.session.add(category)
    return category


def _category_visible(viewer, category: Category) -> bool:
    """A policy's category is seen by whoever may see the policy (drafts: officials only)."""
    if category.policy_id is None:
        return True
    return permissions.can(viewer, "policy.view", category.policy)


def get_category(viewer, slug: str) -> Category:
    """The category with this slug; NotFound when it does not exist or may not be seen."""
    category = db.session.scalar(select(Category).where(Category.slug == (slug or "")[:MAX_SLUG + 10]))
    if category is None or not _category_visible(viewer, category):
        raise NotFound()
    return category


@dataclass
class CategorySummary:
    """A category on the forum index with what the viewer may see of it."""

    category: Category
    thread_count: int
    post_count: int
    last_post_at: object | None


def list_categories(viewer) -> list[CategorySummary]:
    """All categories the viewer may see with thread and post counts: general ones first, by position."""
    categories = [
        c for c in db.session.scalars(
            select(Category).options(joinedload(Category.policy)).order_by(
                Category.policy_id.is_not(None), Category.position, Category.name, Category.id
            )
        )
        if _category_visible(viewer, c)
    ]
    visible_threads = _visible_threads_clause(viewer)
    thread_rows = db.session.execute(
        select(Thread.category_id, func.count(Thread.id), func.max(Thread.last_post_at))
        .where(visible_threads)
        .group_by(Thread.category_id)
    )
    threads = {cid: (count, last) for cid, count, last in thread_rows}
    post_rows = db.session.execute(
        select(Thread.category_id, func.count(Post.id))
        .join(Post, Post.thread_id == Thread.id)
        .where(visible_threads, contributions.visible_filter(viewer))
        .group_by(Thread.category_id)
    )
    posts = dict(post_rows.all())
    return [
        CategorySummary(
            category=c,
            thread_count=threads.get(c.id, (0, None))[0],
            post_count=posts.get(c.id, 0),
            last_post_at=threads.get(c.id, (0, None))[1],
        )
        for c in categories
    ]


# --- reading threads and posts -----------------------------------------------------

def _visible_threads_clause(viewer):
    """Threads whose opening post the viewer may see (a held or hidden opening post hides the thread)."""
    opening = aliased(Post)
    return exists().where(
        opening.thread_id == Thread.id,
        opening.is_opening.is_(True),
        _visible_filter_for(opening, viewer),
    )


def _visible_filter_for(entity, viewer):
    """`contributions.visible_filter` applied to an aliased post."""
    return contributions.visible_filter(viewer, entity)


def _page_size() -> int:
    return int(current_app.config.get("FORUM_PAGE_SIZE") or current_app.config.get("PAGE_SIZE") or DEFAULT_PAGE_SIZE)


def list_threads(viewer, category: Category, page: int = 1):
    """A page of the category's threads the viewer may see: pinned first, then by last activity."""
    if not _category_visible(viewer, category):
        raise NotFound()
    query = (
        select(Thread)
        .where(Thread.category_id == category.id, _visible_threads_clause(viewer))
        .options(joinedload(Thread.author), undefer(Thread.post_count))
        .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    )
    return db.paginate(query, page=max(1, page), per_page=_page_size(), error_out=False)


def policy_threads(viewer, policy, limit: int = 10) -> list[Thread]:
    """The threads of a policy's category the viewer may see (for the policy page)."""
    query = (
        select(Thread)
        .join(Category, Category.id == Thread.category_id)
        .where(Category.policy_id == policy.id, _visible_threads_clause(viewer))
        .options(undefer(Thread.post_count))
        .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def get_thread(viewer, thread_id: int) -> Thread:
    """The thread, if the viewer may see it (its opening post and its category); else NotFound."""
    thread = db.session.get(Thread, thread_id) if 0 < thread_id < 2**31 else None
    if thread is None or not _category_visible(viewer, thread.category):
        raise NotFound()
    if db.session.scalar(select(Thread.id).where(Thread.id == thread.id, _visible_threads_clause(viewer))) is None:
        raise NotFound()
    return thread


def thread_to_follow(viewer, thread_id: int) -> Thread | None:
    """The thread `viewer` would follow, or None when it does not exist or may not be seen (notifications asks)."""
    try:
        return get_thread(viewer, thread_id)
    except NotFound:
        return None


def get_post(viewer, post_id: int) -> Post:
    """The post, if the viewer may see it and its thread; else NotFound."""
    post = db.session.get(Post, post_id) if 0 < post_id < 2**31 else None
    if post is None or not contributions.visible_to(viewer, post):
        raise NotFound()
    get_thread(viewer, post.thread_id)
    return post


@dataclass
class PostEntry:
    """A top-level post with the replies the viewer may see."""

    post: Post
    replies: list[Post]


def list_posts(viewer, thread: Thread, page: int = 1):
    """A page of the thread's top-level posts, oldest first, each with its visible replies.

    Returns the pagination object; its `entries` attribute holds the PostEntry list.
    """
    visible = contributions.visible_filter(viewer)
    query = (
        select(Post)
        .where(Post.thread_id == thread.id, Post.parent_id.is_(None), visible)
        .options(joinedload(Post.author), selectinload(Post.quoted_post))
        .order_by(Post.id)
    )
    pagination = db.paginate(query, page=max(1, page), per_page=_page_size(), error_out=False)
    parents = [post.id for post in pagination.items]
    replies: dict[int, list[Post]] = {pid: [] for pid in parents}
    if parents:
        for reply in db.session.scalars(
            select(Post)
            .where(Post.parent_id.in_(parents), visible)
            .options(joinedload(Post.author), selectinload(Post.quoted_post))
            .order_by(Post.id)
        ):
            replies[reply.parent_id].append(reply)
    pagination.entries = [PostEntry(post=post, replies=replies[post.id]) for post in pagination.items]
    return pagination


def page_of(viewer, post: Post) -> int:
    """The page of the thread on which `post` (or the post it replies to) is shown."""
    top = post.parent if post.parent_id is not None and post.parent is not None else post
    before = db.session.scalar(
        select(func.count(Post.id)).where(
            Post.thread_id == top.thread_id,
            Post.parent_id.is_(None),
            Post.id < top.id,
            contributions.visible_filter(viewer),
        )
    ) or 0
    return before // _page_size() + 1


def quote_text(post: Post) -> str:
    """The Markdown quote of `post` that pre-fills the answer form."""
    body = (post.body or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_QUOTE:
        body = body[:MAX_QUOTE].rstrip() + " …"
    who = f"{post.author.display_name} ({post.public_id})"
    lines = [f"> {who}:", ">"] + [f"> {line}" if line else ">" for line in body.split("\n")]
    return "\n".join(lines) + "\n\n"


# --- writing ---------------------------------------------------------------------

def check_can_post(actor, category: Category, thread: Thread | None = None) -> None:
    """Raise a clear refusal when `actor` may not write in `category` (or `thread`)."""
    if not permissions.signed_in(actor):
        raise PermissionDenied(_("Sign in to take part in the forum."))
    if actor.is_suspended():
        raise PermissionDenied(_("Your account is suspended: you can read the forum but not post until the suspension ends."))
    if not permissions.can(actor, "forum.write", category):
        raise PermissionDenied(
            _("Only verified members of NGOs and academic institutions can write in this category. Everyone can read it.")
        )
    if category.policy_id is not None:
        policy = category.policy
        if policy is None or policy.status == "draft":
            raise Conflict(_("This policy is still a draft; its forum opens when the consultation is published."))
    if thread is not None and thread.locked:
        raise Conflict(_("This thread is locked: no new posts can be added. You can still read it."))


def start_thread(actor, category: Category, title: str, body: str, concerns=()) -> Thread:
    """Open a thread with its opening post; the post may wait for review. `concerns` (the positions
    and OPDs the author tags) are checked here; the view announces them once the thread is stored."""
    permissions.require(actor, "contribution.create")
    if not _category_visible(actor, category):
        raise NotFound()
    check_can_post(actor, category)
    title = checks.clean_text("title", title, MAX_TITLE, strip=True, required=_("Enter a title for the thread."))
    body = checks.clean_text("body", body, MAX_BODY, required=_("Write your post."))
    tags.check(concerns)
    checks.refuse_repeat(actor, "post", body, _repeated)
    now = utcnow()
    thread = Thread(
        category=category,
        title=title,
        author_id=actor.id,
        policy_id=category.policy_id,
        created_at=now,
        last_post_at=now,
    )
    db.session.add(thread)
    post = Post(thread=thread, body=body, is_opening=True, policy_id=category.policy_id)
    with db.session.no_autoflush:  # the post joins the session inside admit, not before
        contributions.admit(actor, post)
    db.session.commit()
    return thread


def reply(actor, thread: Thread, body: str, parent: Post | None = None, quote: Post | None = None,
          concerns=()) -> Post:
    """Answer in a thread, optionally replying to a post (one level deep) and quoting one; `concerns`
    are checked as in `start_thread`."""
    permissions.require(actor, "contribution.create")
    check_can_post(actor, thread.category, thread)
    if parent is not None:
        if parent.thread_id != thread.id or not contributions.visible_to(actor, parent):
            raise ValidationError("parent", _("You can only reply to a post in this thread."))
        if parent.parent_id is not None:  # replies stay one level deep
            parent = parent.parent
    if quote is not None and (quote.thread_id != thread.id or not contributions.visible_to(actor, quote)):
        raise ValidationError("quote", _("You can only quote a post in this thread."))
    body = checks.clean_text("body", body, MAX_BODY, required=_("Write your post."))
    tags.check(concerns)
    checks.refuse_repeat(actor, "post", body, _repeated)
    post = Post(
        thread_id=thread.id,  # not the relationship: appending would load every post of the thread
        body=body,
        parent_id=parent.id if parent is not None else None,
        quoted_post_id=quote.id if quote is not None else None,
        policy_id=thread.policy_id,
    )
    with db.session.no_autoflush:  # the post joins the session inside admit, not before
        contributions.admit(actor, post)
    thread.last_post_at = post.created_at
    db.session.commit()
    return post


def set_locked(actor, thread: Thread, locked: bool, reason: str = "") -> None:
    """Lock (no new posts) or unlock a thread (moderators); recorded in the audit log."""
    permissions.require(actor, "forum_thread.moderate", thread)
    reason = contributions.clean_note(reason, "reason")
    if thread.locked == locked:
        raise Conflict(_("The thread is already locked.") if locked else _("The thread is not locked."))
    thread.locked = locked
    record(actor, "forum.lock" if locked else "forum.unlock", thread, reason=reason or None, title=thread.title)
    db.session.commit()


def set_pinned(actor, thread: Thread, pinned: bool, reason: str = "") -> None:
    """Pin a thread to the top of its category, or unpin it (moderators); recorded in the audit log."""
    permissions.require(actor, "forum_thread.moderate", thread)
    reason = contributions.clean_note(reason, "reason")
    if thread.pinned == pinned:
        raise Conflict(_("The thread is already pinned.") if pinned else _("The thread is not pinned."))
    thread.pinned = pinned
    record(actor, "forum.pin" if pinned else "forum.unpin", thread, reason=reason or None, title=thread.title)
    db.session.commit()


# --- internals -----------------------------------------------------------------------

def _repeated(last: Contribution) -> str:
    return _("You have just posted this same text. Write something new.")
