"""The base form: Flask-WTF with WTForms' own messages in the user's language.

WTForms ships no Indonesian catalogue, so its built-in messages (a field too
long, a number that is not a number, ...) are translated from the portal's
own catalogue. The list below is there so the extractor finds them.
"""

from __future__ import annotations

import flask_babel
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField


class _PortalTranslations:
    """WTForms' translation interface, answered from the portal's catalogue."""

    # The raw catalogue, not flask_babel.gettext: WTForms fills in the
    # placeholders itself, and flask_babel would format them too early.
    def gettext(self, string: str) -> str:
        return flask_babel.get_translations().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return flask_babel.get_translations().ngettext(singular, plural, n)


class Form(FlaskForm):
    """Base of every form in the portal."""

    class Meta:
        def get_translations(self, form):
            return _PortalTranslations()


def concerns_field() -> SelectMultipleField:
    """The positions or OPDs the author says a contribution concerns ("position:ID" / "opd:ID"),
    the same field on every contribution form; checked by `portal.positions.tags` where stored."""
    return SelectMultipleField(_l("Which positions or OPDs does it concern? (optional)"), choices=[],
                               validate_choice=False)


def concerns_query_field() -> StringField:
    """The search by name that offers more positions and OPDs to tag (its button shows the form again)."""
    return StringField(_l("Find a position or OPD by name"))


# WTForms' built-in messages a user can meet, for the catalogue.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Field must be equal to %(other_name)s."),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("Field must be exactly %(max)d character long.",
                  "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)
