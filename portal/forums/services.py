"""Forum rules: categories (general and one per policy), threads, posts with
replies and quotes, locking and pinning, and the listings each viewer may see.

Posts are Contributions: `moderation.services.admit` decides whether a new
post waits for review; what a viewer sees follows `visible_filter`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, select, true
from sqlalchemy.orm import aliased, joinedload, selectinload, undefer

from portal import permissions
from portal.audit.services import record
from portal.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal.extensions import db, utcnow
from portal.forums.models import Category, Post, Thread
from portal.moderation import services as moderation
from portal.moderation.models import Contribution

MAX_NAME = 200
MAX_DESCRIPTION = 2_000
MAX_TITLE = 200
MAX_BODY = 20_000
MAX_SLUG = 80
MAX_QUOTE = 1_500
DEFAULT_PAGE_SIZE = 20


# --- categories -----------------------------------------------------------------

def slugify(text: str) -> str:
    """A URL slug from a name: ASCII letters, digits and hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_SLUG].strip("-") or "kategori"


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
    name = _clean_line("name", name, MAX_NAME, _("Enter the name of the category."))
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError("description", _("The text may be at most %(n)d characters.", n=MAX_DESCRIPTION))
    _refuse_nul("description", description)
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
        .where(visible_threads, moderation.visible_filter(viewer))
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
    """`moderation.visible_filter` applied to an aliased post."""
    if permissions.is_official(viewer):
        return true()
    if _signed_in(viewer):
        return (entity.status == "published") | (entity.author_id == viewer.id)
    return entity.status == "published"


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


def get_post(viewer, post_id: int) -> Post:
    """The post, if the viewer may see it and its thread; else NotFound."""
    post = db.session.get(Post, post_id) if 0 < post_id < 2**31 else None
    if post is None or not moderation.visible_to(viewer, post):
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
    visible = moderation.visible_filter(viewer)
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
            moderation.visible_filter(viewer),
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
    if not _signed_in(actor):
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


def start_thread(actor, category: Category, title: str, body: str) -> Thread:
    """Open a thread with its opening post; the post may wait for review."""
    permissions.require(actor, "contribution.create")
    if not _category_visible(actor, category):
        raise NotFound()
    check_can_post(actor, category)
    title = _clean_line("title", title, MAX_TITLE, _("Enter a title for the thread."))
    body = _clean_body(body)
    _refuse_duplicate(actor, body)
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
        moderation.admit(actor, post)
    db.session.commit()
    return thread


def reply(actor, thread: Thread, body: str, parent: Post | None = None, quote: Post | None = None) -> Post:
    """Answer in a thread, optionally replying to a post (one level deep) and quoting one."""
    permissions.require(actor, "contribution.create")
    check_can_post(actor, thread.category, thread)
    if parent is not None:
        if parent.thread_id != thread.id or not moderation.visible_to(actor, parent):
            raise ValidationError("parent", _("You can only reply to a post in this thread."))
        if parent.parent_id is not None:  # replies stay one level deep
            parent = parent.parent
    if quote is not None and (quote.thread_id != thread.id or not moderation.visible_to(actor, quote)):
        raise ValidationError("quote", _("You can only quote a post in this thread."))
    body = _clean_body(body)
    _refuse_duplicate(actor, body)
    post = Post(
        thread_id=thread.id,  # not the relationship: appending would load every post of the thread
        body=body,
        parent_id=parent.id if parent is not None else None,
        quoted_post_id=quote.id if quote is not None else None,
        policy_id=thread.policy_id,
    )
    with db.session.no_autoflush:  # the post joins the session inside admit, not before
        moderation.admit(actor, post)
    thread.last_post_at = post.created_at
    db.session.commit()
    return post


def set_locked(actor, thread: Thread, locked: bool, reason: str = "") -> None:
    """Lock (no new posts) or unlock a thread (moderators); recorded in the audit log."""
    permissions.require(actor, "forum_thread.moderate", thread)
    reason = _clean_reason(reason)
    if thread.locked == locked:
        raise Conflict(_("The thread is already locked.") if locked else _("The thread is not locked."))
    thread.locked = locked
    record(actor, "forum.lock" if locked else "forum.unlock", thread, reason=reason or None, title=thread.title)
    db.session.commit()


def set_pinned(actor, thread: Thread, pinned: bool, reason: str = "") -> None:
    """Pin a thread to the top of its category, or unpin it (moderators); recorded in the audit log."""
    permissions.require(actor, "forum_thread.moderate", thread)
    reason = _clean_reason(reason)
    if thread.pinned == pinned:
        raise Conflict(_("The thread is already pinned.") if pinned else _("The thread is not pinned."))
    thread.pinned = pinned
    record(actor, "forum.pin" if pinned else "forum.unpin", thread, reason=reason or None, title=thread.title)
    db.session.commit()


def flag_post(actor, post: Post, reason: str, note: str = ""):
    """Report a post to the moderators (the moderation rules apply)."""
    permissions.require(actor, "contribution.flag", post)
    return moderation.flag(actor, post, reason, note)


# --- internals -----------------------------------------------------------------------

def _signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def _refuse_nul(field: str, value: str) -> None:
    # PostgreSQL cannot store NUL in text; refuse it on both backends alike.
    if "\x00" in value:
        raise ValidationError(field, _("The text contains a character that cannot be stored (NUL)."))


def _clean_line(field: str, value: str | None, limit: int, empty_message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(field, empty_message)
    if len(value) > limit:
        raise ValidationError(field, _("The text may be at most %(n)d characters.", n=limit))
    _refuse_nul(field, value)
    return value


def _clean_body(body: str | None) -> str:
    """The body exactly as written, if it has any text and fits."""
    body = body or ""
    if not body.strip():
        raise ValidationError("body", _("Write your post."))
    if len(body) > MAX_BODY:
        raise ValidationError("body", _("The text may be at most %(n)d characters.", n=MAX_BODY))
    _refuse_nul("body", body)
    return body


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > moderation.MAX_NOTE_LENGTH:
        raise ValidationError("reason", _("The text may be at most %(n)d characters.", n=moderation.MAX_NOTE_LENGTH))
    _refuse_nul("reason", reason)
    return reason


def _refuse_duplicate(actor, body: str) -> None:
    """The same text twice in a row by the same author is refused."""
    last = db.session.scalar(
        select(Contribution.body)
        .where(Contribution.author_id == actor.id, Contribution.kind == "post")
        .order_by(Contribution.id.desc())
        .limit(1)
    )
    if last is not None and last.strip() == body.strip():
        raise ValidationError("body", _("You have just posted this same text. Write something new."))
