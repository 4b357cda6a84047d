"""Notification forms."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, InputRequired

from portal.forms import Form
from portal.notifications.models import FOLLOW_TARGETS


class FollowForm(Form):
    """Follow or unfollow a policy or thread (a button with hidden fields)."""

    target_type = HiddenField(validators=[AnyOf(FOLLOW_TARGETS)])
    target_id = IntegerField(validators=[InputRequired()])
    next = HiddenField()


class ConfirmForm(Form):
    """A bare form: a button with CSRF protection."""
