"""Formal-submission forms: sending, recording offline input, co-signing, withdrawing."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import Form, concerns_field
from portal.submissions import attachments, cosigning, services
from portal.submissions.models import CHANNEL_LABELS, OFFLINE_CHANNELS

FILE_INPUTS = attachments.MAX_FILES
ACCEPT = ".pdf,.docx,.odt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text"
GROUP_LABELS = {
    "citizen": _l("Citizen (warga)"),
    "ngo": _l("NGO (LSM)"),
    "academic": _l("Academic (akademisi)"),
}


class SubmissionForm(Form):
    """A formal submission: title, text, the articles it concerns and attachments."""

    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the submission a title.")), Length(max=services.MAX_TITLE)],
    )
    body = TextAreaField(
        _l("Submission"),
        description=_l("Your input on the draft. Paragraphs, emphasis, lists, quotes and links are allowed (Markdown)."),
        validators=[DataRequired(_l("Write the content of the submission.")), Length(max=services.MAX_BODY)],
    )
    article_keys = SelectMultipleField(
        _l("Articles it concerns"),
        description=_l("Optional. Tick every article your submission is about."),
        validate_choice=False,  # the service checks the keys against the current version
    )
    attachments = MultipleFileField(_l("Attach files"))
    concerns = concerns_field()

    def fill_choices(self, policy) -> None:
        """Offer the articles of the policy's current version, and state the attachment limits in force."""
        self.article_keys.choices = [SelectChoice(key, label) for key, label in services.article_choices(policy)]
        self.attachments.description = _(
            "Optional. Choose up to %(n)d files at once (hold Ctrl or Shift to pick several): PDF, DOCX or ODT, at most %(mb)s MB each.",
            n=attachments.MAX_FILES, mb=attachments.megabytes(attachments.max_bytes()),
        )


class OfflineForm(SubmissionForm):
    """Input received outside the portal, recorded by an official for its author."""

    channel = SelectField(
        _l("Received as"),
        choices=[SelectChoice(value, CHANNEL_LABELS[value]) for value in OFFLINE_CHANNELS],
    )
    received_on = DateField(
        _l("Received on"),
        validators=[DataRequired(_l("Enter the date the input was received."))],
    )
    author_name = StringField(
        _l("Sent by"),
        description=_l("The person or body that wrote the input."),
        validators=[DataRequired(_l("Enter the name of the person or body that sent the input.")), Length(max=services.MAX_NAME)],
    )
    organisation_name = StringField(
        _l("On behalf of (organisation)"),
        description=_l("Optional."),
        validators=[Optional(), Length(max=services.MAX_NAME)],
    )
    stakeholder_group = SelectField(
        _l("Counts for the group"),
        choices=[SelectChoice(value, label) for value, label in GROUP_LABELS.items()],
        default="citizen",
    )


class InviteForm(Form):
    """Invite another verified organisation to co-sign."""

    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=False)

    def fill_choices(self, submission) -> None:
        """Offer organisations with a verified member that are not on the submission yet."""
        self.organisation_id.choices = [
            SelectChoice(org.id, org.name) for org in cosigning.cosign_candidates(submission)
        ]


class WithdrawForm(Form):
    """Withdraw a submission, with an optional note."""

    note = TextAreaField(_l("Why (optional)"), validators=[Length(max=2000)])


class ConfirmForm(Form):
    """A button with CSRF protection."""
