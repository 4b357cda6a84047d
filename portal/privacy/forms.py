"""Data-rights forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.forms import Form

CHOICES = [
    SelectChoice("anonymous", _l("Keep my published contributions in the public record as \"warga anonim\" (anonymous citizen)")),
    SelectChoice("remove", _l("Remove my contributions (those an official response or a published summary cites stay, anonymised)")),
]


class ProfileForm(Form):
    """Correct the name and organisation."""

    display_name = StringField(_l("Display name"), validators=[DataRequired(_l("Enter the name others will see.")), Length(max=100)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])


class EmailChangeForm(Form):
    """Move the account to a new address (confirmed from that address)."""

    new_email = EmailField(_l("New email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254)])
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])


class ConfirmEmailForm(Form):
    """The button that applies a confirmed address."""


class DeleteForm(Form):
    """Withdraw consent and delete the account."""

    choice = RadioField(_l("My contributions"), choices=CHOICES,
                        validators=[InputRequired(_l("Choose what happens to your contributions."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    understood = BooleanField(_l("I understand that my account and personal data are deleted for good."),
                              validators=[InputRequired(_l("Tick the box to confirm."))])


class AdminDeleteForm(Form):
    """An admin deletes an account on a written request."""

    choice = RadioField(_l("Their contributions"), choices=CHOICES,
                        validators=[InputRequired(_l("Choose what happens to your contributions."))])
    reason = TextAreaField(_l("Reference of the written request"),
                           validators=[DataRequired(_l("Give the reference of the written request.")), Length(max=2000)])
