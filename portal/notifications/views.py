"""The user's notifications page and the follow / unfollow buttons."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import signedcache
from portal.notifications import services
from portal.notifications.forms import ConfirmForm, FollowForm
from portal.numbers import query_int
from portal.redirects import safe_next

bp = Blueprint("notifications", __name__, url_prefix="/me")


@bp.app_context_processor
def notification_helpers():
    """The unread count the navigation bar of every page shows (one count query, signed-in readers only).

    The layout is the one part every page shares, so its number is gathered here, before the
    template renders, rather than by each view; follow state is part of each page's builder.
    A page that may be kept for the reader's class is rendered with a marker instead, and the
    count is put in after rendering (portal.signedcache).
    """
    signed_in = getattr(current_user, "is_authenticated", False)
    return {
        "unread_notifications": services.safe_unread_count(current_user)
        if signed_in and not signedcache.collecting() else 0,
        "follow_form": FollowForm,
        "render_notification": lambda item: services.render_message(item.kind, item.params),
    }


@bp.get("/notifications")
@login_required
def index():
    """The signed-in user's notifications, newest first; showing them marks them read."""
    pagination = services.notifications_for(current_user, page=query_int("page", 1))
    unread_ids = {item.id for item in pagination.items if not item.is_read}
    if unread_ids:
        services.mark_read(current_user, [item for item in pagination.items if item.id in unread_ids])
    return render_template(
        "notifications/index.html", pagination=pagination, unread_ids=unread_ids, confirm_form=ConfirmForm()
    )


@bp.post("/notifications/read")
@login_required
def read_all():
    """Mark every notification read."""
    if ConfirmForm().validate_on_submit():
        services.mark_read(current_user)
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.post("/follow")
@login_required
def follow():
    """Follow a policy or thread."""
    return _follow_or_unfollow(services.follow, _("You will be notified of new activity."))


@bp.post("/unfollow")
@login_required
def unfollow():
    """Stop following a policy or thread."""
    return _follow_or_unfollow(services.unfollow, _("You will no longer be notified of new activity."))


def _follow_or_unfollow(action, message: str):
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    action(current_user, form.target_type.data, form.target_id.data)
    flash(message, "success")
    return redirect(safe_next(form.next.data, url_for("notifications.index")))
