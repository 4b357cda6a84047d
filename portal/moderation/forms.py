"""Moderation forms: the moderator's actions on a queue item, the suspension
of an account, and the author's and readers' forms (appeal, report)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.forms import Form
from portal.contributions.models import FLAG_REASONS, HIDE_REASONS, REASON_LABELS
from portal.contributions.services import MAX_APPEAL_LENGTH, MAX_NOTE_LENGTH


def _note(label, description=None):
    return TextAreaField(label, description=description, validators=[Length(max=MAX_NOTE_LENGTH)])


class ApproveForm(Form):
    """Publish a waiting item, or keep a reported one published."""

    note = _note(_l("Note for the author (optional)"))


class HideForm(Form):
    """Hide an item with a reason its author will read."""

    reason = SelectField(
        _l("Reason"),
        choices=[SelectChoice(key, REASON_LABELS[key]) for key in HIDE_REASONS],
        validators=[InputRequired(_l("Choose why the contribution is hidden."))],
    )
    note = _note(_l("Explanation for the author"), _l("Required when the reason is \u201cOther reason\u201d."))


class RestoreForm(Form):
    """Publish a hidden item again."""

    note = _note(_l("Note for the author (optional)"))


class DecideAppealForm(Form):
    """Decide the author's appeal."""

    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("uphold", _l("Accept: publish the contribution again")),
            SelectChoice("reject", _l("Reject: the contribution stays hidden")),
        ],
        validators=[InputRequired(_l("Choose a decision."))],
    )
    note = _note(_l("Note for the author"), _l("Required when you reject the appeal."))


class SuspendForm(Form):
    """Stop an account contributing for a time."""

    until = DateField(
        _l("Suspended until (WIB)"),
        description=_l("The account may contribute again the day after this date."),
        validators=[InputRequired(_l("Choose the last day of the suspension."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason for the suspension.")), Length(max=MAX_NOTE_LENGTH)],
    )


class AppealForm(Form):
    """The author asks for a hidden contribution to be looked at again."""

    text = TextAreaField(
        _l("Why should it be published again?"),
        description=_l("A contribution can be appealed once. A moderator will look at it again."),
        validators=[DataRequired(_l("Explain why the contribution should be published again.")),
                    Length(max=MAX_APPEAL_LENGTH)],
    )


class FlagForm(Form):
    """Report a published contribution to the moderators."""

    reason = SelectField(
        _l("What is wrong with it?"),
        choices=[SelectChoice(key, REASON_LABELS[key]) for key in FLAG_REASONS],
        validators=[InputRequired(_l("Choose why you are reporting this contribution."))],
    )
    note = _note(_l("Details for the moderators (optional)"))
