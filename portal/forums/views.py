"""Forum pages: categories, threads with posts, answering and quoting, and the
moderators' lock and pin buttons (a post is reported through the generic
`contributions.flag` route)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.errors import Conflict, NotFound, PermissionDenied, ValidationError, attach_to_form
from portal.numbers import query_int
from portal.ratelimits import per_account_and_address
from portal.contributions.models import FLAG_REASONS, REASON_LABELS, STATUS_LABELS
from portal.contributions.signals import author_tagged
from portal.forums import pages, services
from portal.forums.forms import CategoryForm, ReplyForm, ThreadActionForm, ThreadForm
from portal.positions import tags
from portal.proposals import services as proposals

bp = Blueprint("forums", __name__, url_prefix="/forum")


def _status() -> int:
    return 400 if request.method == "POST" else 200


def _page() -> int:
    return query_int("page", 1)


def _int_arg(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _finding() -> bool:
    """The tag field's "Find" button was pressed: the form comes back with what it found; nothing is stored
    (so it does not count against the posting limit)."""
    return request.method == "POST" and "concerns_find" in request.form


def _concerns(form, policy) -> dict:
    """What the form's tag field offers: the policy's positions and their OPDs, what the author ticked,
    and what a search found."""
    base = tags.choices_for(policy.positions) if policy is not None else []
    return tags.field_view(base, form.concerns.data, form.concerns.errors, find=True,
                           query=form.concerns_q.data or "" if _finding() else None)


def _tagged(post, form) -> None:
    """Announce what the author says the new post concerns (the values were checked by the service)."""
    if form.concerns.data:
        author_tagged.send(post, actor=current_user._get_current_object(), values=list(form.concerns.data))


@bp.app_context_processor
def forum_labels():
    """Status and reason names for the forum templates."""
    return {
        "contribution_status_labels": STATUS_LABELS,
        "contribution_reason_labels": REASON_LABELS,
        "flag_reasons": FLAG_REASONS,
    }


@bp.get("/")
def index():
    """All categories with their thread and post counts."""
    return render_template("forums/index.html", summaries=services.list_categories(current_user))


@bp.route("/categories/new", methods=["GET", "POST"])
@login_required
def new_category():
    """Create a general category (officials)."""
    permissions.require(current_user, "forum_category.create")
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = services.create_category(
                current_user, form.name.data, form.description.data,
                restricted=form.restricted.data, position=form.position.data or 0,
            )
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            flash(_("The category was created."), "success")
            return redirect(url_for("forums.category", slug=category.slug))
    return render_template("forums/category_form.html", form=form), _status()


@bp.get("/policy/<slug>")
def policy_forum(slug: str):
    """The forum category of a policy (made with the policy; reading it writes nothing)."""
    policy = proposals.get_policy_by_slug(current_user, slug)
    category = services.policy_category(policy)
    if category is None:
        raise NotFound()
    return redirect(url_for("forums.category", slug=category.slug))


@bp.get("/c/<slug>")
def category(slug: str):
    """A category: its threads, pinned first, then by last activity."""
    category = services.get_category(current_user, slug)
    pagination = services.list_threads(current_user, category, _page())
    return render_template("forums/category.html", category=category, pagination=pagination)


@bp.route("/c/<slug>/new", methods=["GET", "POST"])
@login_required
@per_account_and_address("FORUM_POST_RATE_LIMIT", "forum-post", exempt_when=_finding)
def new_thread(slug: str):
    """Start a thread in a category (the "Find" button of the tag field shows the form again)."""
    category = services.get_category(current_user, slug)
    services.check_can_post(current_user, category)
    form = ThreadForm()
    if not _finding() and form.validate_on_submit():
        try:
            thread = services.start_thread(current_user, category, form.title.data, form.body.data,
                                           form.concerns.data or [])
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            _tagged(thread.posts[0], form)
            _flash_status(thread.posts[0])
            return redirect(url_for("forums.thread", thread_id=thread.id))
    status = 200 if _finding() else _status()
    return render_template("forums/thread_form.html", category=category, form=form,
                           concerns=_concerns(form, category.policy)), status


@bp.get("/t/<int:thread_id>")
def thread(thread_id: int):
    """A thread: its posts oldest first with their replies, the answer form and the quote and report buttons."""
    thread = services.get_thread(current_user, thread_id)
    form = ReplyForm()
    parent_id, quote_id = query_int("reply_to"), query_int("quote")
    return _render_thread(thread, form, parent_id, quote_id, prefill=True)


@bp.post("/t/<int:thread_id>/reply")
@login_required
@per_account_and_address("FORUM_POST_RATE_LIMIT", "forum-post", exempt_when=_finding)
def reply(thread_id: int):
    """Answer in a thread (optionally replying to and quoting a post; "Find" shows the form again)."""
    thread = services.get_thread(current_user, thread_id)
    services.check_can_post(current_user, thread.category, thread)
    form = ReplyForm()
    parent_id, quote_id = _int_arg(form.parent.data), _int_arg(form.quote.data)
    if _finding():
        return _render_thread(thread, form, parent_id, quote_id, prefill=False)
    if form.validate_on_submit():
        try:
            parent = services.get_post(current_user, parent_id) if parent_id else None
            quote = services.get_post(current_user, quote_id) if quote_id else None
            post = services.reply(current_user, thread, form.body.data, parent=parent, quote=quote,
                                  concerns=form.concerns.data or [])
        except NotFound:
            form.form_errors.append(_("The post you answered is no longer available."))
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            _tagged(post, form)
            _flash_status(post)
            return redirect(url_for("forums.thread", **pages.place_of(current_user, post)))
    return _render_thread(thread, form, parent_id, quote_id, prefill=False, status=400)


@bp.post("/t/<int:thread_id>/<any(lock, unlock, pin, unpin):action>")
@login_required
def moderate_thread(thread_id: int, action: str):
    """Lock, unlock, pin or unpin a thread (moderators)."""
    thread = services.get_thread(current_user, thread_id)
    permissions.require(current_user, "forum_thread.moderate", thread)
    form = ThreadActionForm()
    if form.validate_on_submit():
        reason = form.reason.data or ""
        if action in ("lock", "unlock"):
            services.set_locked(current_user, thread, action == "lock", reason)
        else:
            services.set_pinned(current_user, thread, action == "pin", reason)
        messages = {
            "lock": _("The thread is locked."),
            "unlock": _("The thread is open again."),
            "pin": _("The thread is pinned."),
            "unpin": _("The thread is no longer pinned."),
        }
        flash(messages[action], "success")
    else:
        flash(_("The reason may be at most %(n)d characters.", n=2000), "error")
    return redirect(url_for("forums.thread", thread_id=thread.id))


# --- helpers -----------------------------------------------------------------------

def _reply_list_of(thread):
    """The post named by ?replies_of= (its replies are listed), if it is a visible top-level post here."""
    post_id = query_int("replies_of")
    if not post_id:
        return None
    try:
        post = services.get_post(current_user, post_id)
    except NotFound:
        return None
    return post if post.thread_id == thread.id and post.parent_id is None else None


def _flash_status(post) -> None:
    """Tell the author at once whether the post is shown or waits for review."""
    if post.status == "published":
        flash(_("Your post %(id)s is published.", id=post.public_id), "success")
    else:
        flash(
            _("Your post %(id)s was received and waits for a moderator before others can see it.", id=post.public_id),
            "info",
        )


def _render_thread(thread, form: ReplyForm, parent_id: int | None, quote_id: int | None, *, prefill: bool,
                   status: int = 200):
    """The thread page, with the answer form set to reply to / quote the posts named (if visible)."""
    parent = quote = None
    if parent_id:
        try:
            parent = services.get_post(current_user, parent_id)
        except NotFound:
            parent = None
        if parent is not None and parent.thread_id != thread.id:
            parent = None
    if quote_id:
        try:
            quote = services.get_post(current_user, quote_id)
        except NotFound:
            quote = None
        if quote is not None and quote.thread_id != thread.id:
            quote = None
    if prefill:
        form.parent.data = str(parent.id) if parent else ""
        form.quote.data = str(quote.id) if quote else ""
        if quote is not None and not form.body.data:
            form.body.data = services.quote_text(quote)
    refusal = None
    if current_user.is_authenticated:
        try:
            services.check_can_post(current_user, thread.category, thread)
        except (PermissionDenied, Conflict) as error:
            refusal = error.message
    focus = _reply_list_of(thread)
    page = pages.thread_page(current_user, thread, _page(), focus)
    return render_template(
        "forums/thread.html",
        thread=thread,
        category=thread.category,
        pagination=page.posts,
        following=page.following,
        focus=page.focus,
        answers=page.answers,
        links=page.links,
        concerns=_concerns(form, thread.category.policy),
        form=form,
        reply_parent=parent,
        reply_quote=quote,
        refusal=refusal,
    ), status
