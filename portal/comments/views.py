"""Comment pages: the paged lists of comments on an article, on the whole
policy and on a position record's field; one comment with its replies; posting
a comment or reply; and the "I agree" button.

The policy and position pages show only counts and a few comments per article
or field (`portal.comments.pages`); these pages hold the rest and the forms.
A failed comment is shown again on the page its form lives on, built by the
same builder as that page, with an error summary that takes focus.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.comments import lists, pages, services
from portal.comments.forms import CommentForm, EndorseForm
from portal.comments.models import POSITION_FIELD_LABELS, POSITION_FIELDS, STANCE_LABELS
from portal.errors import NotFound, ValidationError, attach_to_form
from portal.contributions import urls as contribution_urls
from portal.contributions.signals import author_tagged
from portal.numbers import query_int
from portal.positions import services as positions
from portal.positions import tags
from portal.proposals import services as proposals
from portal.ratelimits import per_account_and_address
from portal.redirects import safe_next

bp = Blueprint("comments", __name__)


@bp.app_context_processor
def comment_labels():
    """Stance, group, sort and position-field names for every template."""
    return {
        "comment_stance_labels": STANCE_LABELS,
        "comment_position_fields": POSITION_FIELDS,
        "comment_position_field_labels": POSITION_FIELD_LABELS,
        "comment_sorts": lists.SORTS,
        "comment_groups": lists.GROUPS,
        "concerns_max": tags.MAX_TAGS,
    }


def _filters() -> lists.Filters:
    args = request.args
    return lists.Filters.parse(args.get("sort"), args.get("stance"), args.get("group"))


def _page() -> int:
    return query_int("page", 1)


@bp.get("/policies/<slug>/comments")
def policy_list(slug: str):
    """All comments on a policy (or, with ?on=whole, those on the policy as a whole), paged and filterable."""
    policy = proposals.get_policy_by_slug(current_user, slug)
    page = pages.policy_list_page(current_user, policy, _filters(), _page(), whole=request.args.get("on") == "whole")
    return render_template("comments/list.html", page=page)


@bp.get("/policies/<slug>/articles/<key>/comments")
def article_list(slug: str, key: str):
    """The comments on one article of a policy, paged, sortable and filterable, with the comment form."""
    policy = proposals.get_policy_by_slug(current_user, slug)
    page = pages.policy_list_page(current_user, policy, _filters(), _page(), key=key[:40])
    return render_template("comments/list.html", page=page)


@bp.get("/positions/<int:position_id>/fields/<name>/comments")
def field_list(position_id: int, name: str):
    """The comments on one field of a position record, paged, sortable and filterable."""
    position = positions.get_position(current_user, position_id)
    page = pages.field_list_page(current_user, position, name, _filters(), _page())
    return render_template("comments/list.html", page=page)


@bp.get("/comments/<public_id>")
def comment(public_id: str):
    """One comment with its replies and the reply form."""
    found = services.get_comment(current_user, public_id)
    return render_template("comments/comment.html", page=pages.comment_page(current_user, found, _page()))


@bp.post("/policies/<slug>/comments")
@login_required
@per_account_and_address("COMMENT_RATE_LIMIT", "comment")
def post_on_policy(slug: str):
    """Post a comment on an article or the whole policy, or a reply; errors show the form's page again (400)."""
    policy = proposals.get_policy_by_slug(current_user, slug)
    form = CommentForm()
    answer = _try_post(form, lambda parent: services.post_comment(
        current_user,
        policy,
        body=form.body.data,
        stance=form.stance.data,
        article_key=form.article_key.data or None,
        suggested_wording=form.suggested_wording.data or "",
        parent=parent,
    ))
    if answer is not None:
        return answer
    key = form.article_key.data or None
    if key is not None and pages._article_of(policy, key[:40]) is None:
        key = None  # an article the current version lacks: keep the text in the whole-policy form
    return render_template(
        "comments/list.html",
        page=pages.policy_list_page(current_user, policy, lists.Filters(), 1, key=key, whole=key is None, form=form),
    ), 400


@bp.post("/positions/<int:position_id>/comments")
@login_required
@per_account_and_address("COMMENT_RATE_LIMIT", "comment")
def post_on_position(position_id: int):
    """Post a comment (or reply) on one field of a position record; errors show the form's page again (400)."""
    position = positions.get_position(current_user, position_id)
    form = CommentForm()
    answer = _try_post(form, lambda parent: services.post_position_comment(
        current_user,
        position,
        form.position_field.data or "",
        form.body.data,
        form.stance.data,
        suggested_wording=form.suggested_wording.data or "",
        parent=parent,
    ))
    if answer is not None:
        return answer
    name = form.position_field.data if form.position_field.data in POSITION_FIELDS else POSITION_FIELDS[0]
    return render_template(
        "comments/list.html",
        page=pages.field_list_page(current_user, position, name, lists.Filters(), 1, form=form),
    ), 400


@bp.post("/comments/<public_id>/agree")
@login_required
@per_account_and_address("COMMENT_RATE_LIMIT", "comment-agree")
def agree(public_id: str):
    """Say "I agree" with a comment, then go back to the page it was on."""
    comment = services.get_comment(current_user, public_id)
    form = EndorseForm()
    if not form.validate_on_submit():
        raise ValidationError(None, _("The form expired. Please reload the page and try again."))
    try:
        services.endorse(current_user, comment)
    except ValidationError as error:
        flash(error.message, "error")
    else:
        flash(_("You agreed with comment %(id)s.", id=comment.public_id), "success")
    back = safe_next(request.form.get("next"), contribution_urls.contribution_url(comment))
    return redirect(back if "#" in back else f"{back}#c-{comment.id}")


def _try_post(form: CommentForm, post):
    """Validate the form and post through `post(parent)`. The answer: the redirect to the new comment; a
    failed reply shown again on its comment's page (400); or None, when the caller shows its own page."""
    parent = None
    if form.validate_on_submit():
        try:
            parent = _parent(form)
            tags.check(form.concerns.data if parent is None else ())
            comment = post(parent)
        except NotFound:
            form.form_errors.append(_("The comment you answered is no longer available."))
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            return _sent(comment, form.concerns.data)
    parent = parent or _parent_or_none(form)
    if parent is None:
        return None
    return render_template("comments/comment.html", page=pages.comment_page(current_user, parent, 1, form=form)), 400


def _parent(form: CommentForm):
    """The comment a reply answers, if the form names one; NotFound when it is not visible."""
    if not form.parent.data:
        return None
    return services.get_visible_comment_id(current_user, form.parent_id() or 0)


def _parent_or_none(form: CommentForm):
    """The answered comment for showing a failed reply again, or None (then the text goes to a comment form)."""
    try:
        return _parent(form)
    except NotFound:
        return None


def _sent(comment, concerns=()):
    """Tell the author at once whether the comment is shown or waits for review, and show it."""
    if getattr(comment, "resent", False):  # the same form again (a resend, a retried request)
        flash(_("Your comment %(id)s had already been received; it is saved once.", id=comment.public_id), "info")
        return redirect(_place_of_new(comment))
    if concerns and comment.parent_id is None:
        author_tagged.send(comment, actor=current_user._get_current_object(), values=list(concerns))
    if comment.status == "published":
        flash(_("Your comment %(id)s is published.", id=comment.public_id), "success")
    else:
        flash(
            _("Your comment %(id)s was received and waits for a moderator before others can see it.",
              id=comment.public_id),
            "info",
        )
    return redirect(_place_of_new(comment))


def _place_of_new(comment) -> str:
    """Where a new comment is seen in its place: a top-level one under its article or field (the newest
    is always among the few shown there), a reply under its comment on that comment's page."""
    anchor = f"c-{comment.id}"
    if comment.parent_id is not None:
        return contribution_urls.contribution_url(comment)
    if comment.position_id is not None:
        return url_for("consultation.position", position_id=comment.position_id, _anchor=anchor)
    return url_for("consultation.policy", slug=comment.policy.slug, _anchor=anchor)
