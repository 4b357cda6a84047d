"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from portal.accounts.auth import ROLE_LABELS
from portal.forms import Form

# SelectChoice, not tuples: WTForms 3.3 deprecates tuple choices (removed in 3.4).
ROLE_CHOICES = [
    SelectChoice("citizen", _l("Citizen (warga)")),
    SelectChoice("ngo", _l("Member of an NGO (LSM)")),
    SelectChoice("academic", _l("Academic (akademisi)")),
]


class RegisterForm(Form):
    """Create an account."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254)])
    display_name = StringField(
        _l("Display name"),
        description=_l("Shown with your contributions. You may use a pseudonym."),
        validators=[DataRequired(_l("Enter the name others will see.")), Length(max=100)],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least 10 characters, any you like: a few words you will remember are best. Common passwords and your e-mail or name are refused."),
        validators=[DataRequired(_l("Choose a password."))],
    )
    password2 = PasswordField(
        _l("Repeat password"),
        validators=[EqualTo("password", _l("The passwords do not match."))],
    )
    role = SelectField(_l("I take part as"), choices=ROLE_CHOICES, default="citizen")
    organisation = StringField(
        _l("Organisation"),
        description=_l("NGO and academic members: the organisation you act for. An admin verifies it; until then you take part as a citizen."),
        validators=[Length(max=200)],
    )
    consent = BooleanField(
        _l("I have read the privacy notice and agree that my data is processed as it describes."),
        validators=[InputRequired(_l("You must agree to the privacy notice to register."))],
    )


class LoginForm(Form):
    """Sign in."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ResetRequestForm(Form):
    """Ask for a password-reset link."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])


class ResetPasswordForm(Form):
    """Choose a new password."""

    password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters, any you like: a few words you will remember are best. Common passwords and your e-mail or name are refused."),
        validators=[DataRequired(_l("Choose a password."))],
    )
    password2 = PasswordField(
        _l("Repeat password"), validators=[EqualTo("password", _l("The passwords do not match."))]
    )


class ConfirmRegistrationForm(Form):
    """Finish a registration from the mailed link."""

    password = PasswordField(
        _l("Password"),
        description=_l("The password you chose when you registered."),
        validators=[DataRequired(_l("Enter your password."))],
    )


class ChangePasswordForm(ResetPasswordForm):
    """Choose a new password while signed in."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )


class ReasonForm(Form):
    """An admin action that needs a reason."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=2000)])


class RoleForm(Form):
    """Change an account's role."""

    role = SelectField(_l("Role"), choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()])


class ConfirmForm(Form):
    """A bare form: a button with CSRF protection."""
