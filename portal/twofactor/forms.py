"""Two-factor forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.forms import Form

CODE_MAX = 64


class CodeForm(Form):
    """The code at sign-in: from the app, or a recovery code."""

    code = StringField(
        _l("Code"),
        description=_l("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        validators=[DataRequired(_l("Enter the code.")), Length(max=CODE_MAX)],
    )


class EnrolForm(Form):
    """The first code from the app, which turns two-factor sign-in on."""

    code = StringField(
        _l("Code from the app"),
        description=_l("The 6 digits your app shows for Portal Partisipasi."),
        validators=[DataRequired(_l("Enter the code.")), Length(max=CODE_MAX)],
        render_kw={"inputmode": "numeric"},
    )


class ReauthForm(Form):
    """Confirm who is at the keyboard before a change to how one signs in."""

    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    code = StringField(
        _l("Code"),
        description=_l("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        validators=[Length(max=CODE_MAX)],
    )


class ActionForm(Form):
    """A button that changes something (CSRF only)."""


class ResetForm(Form):
    """An admin's reset of another account's second factor."""

    reason = TextAreaField(_l("Reason (kept in the audit log)"), validators=[Length(max=500)])
