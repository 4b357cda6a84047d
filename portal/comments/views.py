"""Comment pages: posting a comment or reply under an article of a policy, on
the whole policy or on a position record's field, and the "I agree" button.

The comments themselves are shown on the policy and position pages, through
the `policy_comments` / `position_comments` template globals and the
templates in `templates/comments/`.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.comments import services
from portal.comments.forms import CommentForm, EndorseForm
from portal.comments.models import POSITION_FIELD_LABELS, POSITION_FIELDS, STANCE_LABELS
from portal.errors import NotFound, ValidationError, attach_to_form
from portal.extensions import utcnow
from portal.ratelimits import per_account_and_address
from portal.contributions import urls as contribution_urls
from portal.positions import services as positions
from portal.proposals import services as proposals

bp = Blueprint("comments", __name__)


@bp.app_context_processor
def comment_labels():
    """Stance and position-field names for every template."""
    return {
        "comment_stance_labels": STANCE_LABELS,
        "comment_position_fields": POSITION_FIELDS,
        "comment_position_field_labels": POSITION_FIELD_LABELS,
    }


@bp.app_template_global()
def policy_comments(policy) -> services.PolicyComments:
    """What the policy page shows about comments, for the signed-in viewer."""
    return services.policy_comments(current_user, policy)


@bp.app_template_global()
def position_comments(position) -> dict:
    """What the position page shows about comments, for the signed-in viewer."""
    return {
        "by_field": services.comments_for_position(current_user, position),
        "open_policy": services.open_policy_for(position),
    }


@bp.post("/policies/<slug>/comments")
@login_required
@per_account_and_address("COMMENT_RATE_LIMIT", "comment")
def post_on_policy(slug: str):
    """Post a comment on an article or the whole policy, or a reply; errors re-render the page (400)."""
    policy = proposals.get_policy_by_slug(current_user, slug)
    form = CommentForm()
    parent_id = form.parent_id()
    parent = None
    if form.validate_on_submit():
        try:
            parent = services.get_visible_comment_id(current_user, parent_id or 0) if form.parent.data else None
            comment = services.post_comment(
                current_user,
                policy,
                body=form.body.data,
                stance=form.stance.data,
                article_key=form.article_key.data or None,
                suggested_wording=form.suggested_wording.data or "",
                parent=parent,
            )
        except NotFound:
            form.form_errors.append(_("The comment you answered is no longer available."))
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            _flash_status(comment)
            return redirect(comment_location(comment))
    return render_template(
        "proposals/detail.html",
        policy=policy,
        version=policy.current_version,
        moves=proposals.allowed_moves(policy) if permissions.can(current_user, "policy.transition", policy) else (),
        now=utcnow(),
        failed_comment=_policy_target(policy, form, parent_id, parent),
    ), 400


@bp.post("/positions/<int:position_id>/comments")
@login_required
@per_account_and_address("COMMENT_RATE_LIMIT", "comment")
def post_on_position(position_id: int):
    """Post a comment (or reply) on one field of a position record; errors re-render the page (400)."""
    position = positions.get_position(current_user, position_id)
    form = CommentForm()
    parent_id = form.parent_id()
    parent = None
    if form.validate_on_submit():
        try:
            parent = services.get_visible_comment_id(current_user, parent_id or 0) if form.parent.data else None
            comment = services.post_position_comment(
                current_user,
                position,
                form.position_field.data or "",
                form.body.data,
                form.stance.data,
                suggested_wording=form.suggested_wording.data or "",
                parent=parent,
            )
        except NotFound:
            form.form_errors.append(_("The comment you answered is no longer available."))
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            _flash_status(comment)
            return redirect(comment_location(comment))
    return render_template(
        "positions/detail.html",
        position=position,
        policies=[
            (policy, url_for("proposals.detail", slug=policy.slug))
            for policy in positions.policies_for(current_user, position)
        ],
        failed_comment=_position_target(form, parent_id, parent),
    ), 400


@bp.post("/comments/<public_id>/agree")
@login_required
@per_account_and_address("COMMENT_RATE_LIMIT", "comment-agree")
def agree(public_id: str):
    """Say "I agree" with a comment, then go back to it."""
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
    return redirect(comment_location(comment))


@bp.app_template_global()
def comment_location(comment) -> str:
    """The comment in its place on the policy or position page."""
    return contribution_urls.contribution_url(comment)


def _policy_target(policy, form: CommentForm, parent_id: int | None, parent) -> dict:
    """Which of the policy page's comment forms failed; an `orphan` one (unknown article, lost parent)
    is shown in the whole-policy form so the typed text is not lost."""
    if form.parent.data:
        if parent is None:
            return {"form": form, "target": f"reply-{parent_id}", "orphan": True}
        return {"form": form, "target": f"reply-{parent.parent_id or parent.id}", "orphan": False}
    key = form.article_key.data or ""
    if not key:
        return {"form": form, "target": "policy", "orphan": False}
    version = policy.current_version
    known = version is not None and any(article.key == key for article in version.articles)
    return {"form": form, "target": f"article-{key}", "orphan": not known}


def _position_target(form: CommentForm, parent_id: int | None, parent) -> dict:
    """Which of the position page's comment forms failed (see `_policy_target`)."""
    if form.parent.data:
        if parent is None:
            return {"form": form, "target": f"reply-{parent_id}", "orphan": True}
        return {"form": form, "target": f"reply-{parent.parent_id or parent.id}", "orphan": False}
    name = form.position_field.data or ""
    return {"form": form, "target": f"field-{name}", "orphan": name not in POSITION_FIELDS}


def _flash_status(comment) -> None:
    """Tell the author at once whether the comment is shown or waits for review."""
    if comment.status == "published":
        flash(_("Your comment %(id)s is published.", id=comment.public_id), "success")
    else:
        flash(
            _("Your comment %(id)s was received and waits for a moderator before others can see it.",
              id=comment.public_id),
            "info",
        )


@bp.app_template_global()
def closed_comment_message() -> str:
    """Why a policy's comment forms are not shown."""
    return services.closed_message()


@bp.app_template_global()
def position_closed_comment_message() -> str:
    """Why a position record's comment forms are not shown."""
    return services.position_closed_message()
