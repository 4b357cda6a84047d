"""Forum forms: a new thread, an answer, lock/pin and a new category."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import Form, concerns_field, concerns_query_field
from portal.forums.services import MAX_BODY, MAX_DESCRIPTION, MAX_NAME, MAX_TITLE

BODY_HINT = _l("You can use *emphasis*, **bold**, lists, > quotes and links.")


class ThreadForm(Form):
    """Start a thread."""

    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title for the thread.")), Length(max=MAX_TITLE)]
    )
    body = TextAreaField(
        _l("Your post"), description=BODY_HINT,
        validators=[DataRequired(_l("Write your post.")), Length(max=MAX_BODY)],
        render_kw={"rows": 8},
    )
    concerns = concerns_field()
    concerns_q = concerns_query_field()


class ReplyForm(Form):
    """Answer in a thread; `parent` and `quote` name the post replied to and quoted."""

    body = TextAreaField(
        _l("Your answer"), description=BODY_HINT,
        validators=[DataRequired(_l("Write your post.")), Length(max=MAX_BODY)],
        render_kw={"rows": 6},
    )
    concerns = concerns_field()
    concerns_q = concerns_query_field()
    parent = HiddenField()
    quote = HiddenField()


class ThreadActionForm(Form):
    """Lock, unlock, pin or unpin a thread (moderators)."""

    reason = StringField(_l("Reason (optional, for the audit log)"), validators=[Length(max=2000)])


class CategoryForm(Form):
    """Create a general category (officials)."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name of the category.")), Length(max=MAX_NAME)])
    description = TextAreaField(_l("Description"), validators=[Length(max=MAX_DESCRIPTION)], render_kw={"rows": 3})
    restricted = BooleanField(_l("Only verified NGO and academic members (and officials) may write here"))
    position = IntegerField(
        _l("Order on the forum page"), default=0,
        validators=[Optional(), NumberRange(min=-1000, max=1000)],
    )
