"""Forms of the official's summary screens (every one carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional
from wtforms.fields import IntegerField

from portal.forms import Form


def _ids(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SummarizeForm(Form):
    """Compute a new draft summary."""

    themes = IntegerField(
        _l("Number of themes"),
        description=_l("Leave empty to let the portal choose from the data (2 to 12)."),
        validators=[Optional(), NumberRange(min=2, max=12, message=_l("Choose between 2 and 12 themes."))],
    )
    article_key = SelectField(_l("Article"), validate_choice=False, default="")


class ThemeForm(Form):
    """Rename a theme and write its note."""

    label = StringField(_l("Theme name"))
    note = TextAreaField(_l("Note on this theme"))


class MergeForm(Form):
    """Merge themes into the first one chosen."""

    themes = SelectMultipleField(_l("Themes to merge"), coerce=_ids, validate_choice=False)


class QuotesForm(Form):
    """Choose the quotes of a theme."""

    quotes = SelectMultipleField(_l("Quotes"), coerce=_ids, validate_choice=False)


class NoteForm(Form):
    """The official's note on the whole summary."""

    note = TextAreaField(_l("Note on the summary"), description=_l("Shown with the published summary."))


class ActionForm(Form):
    """A button that changes the summary (publish, discard, drop a theme): the CSRF token alone."""
