"""The export form: what to export (policy, position, dates), the filters and the file format."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from portal.aspirations.exports.columns import GROUP_LABELS
from portal.aspirations.exports.services import EXPORT_KINDS, REASON_MAX_LENGTH, ExportRequest
from portal.comments.models import STANCE_LABELS
from portal.contributions.models import KIND_LABELS, STATUS_LABELS
from portal.forms import Form
from portal.numbers import MAX_ID

FORMAT_LABELS = {
    "csv": _l("CSV (UTF-8, opens in any spreadsheet)"),
    "xlsx": _l("XLSX (Excel workbook)"),
    "json": _l("JSON (for programs)"),
}


def _int_or_none(value):
    return int(value) if value not in (None, "") else None


class ExportForm(Form):
    """Which contributions to export, and as what."""

    policy = SelectField(_l("Draft policy"), coerce=_int_or_none, validate_choice=True)
    position = IntegerField(
        _l("Position record number"),
        description=_l("Optional. Filled in when you come from a position page."),
        validators=[Optional(), NumberRange(min=1, max=MAX_ID)],
    )
    since = DateField(_l("Written from (date)"), validators=[Optional()])
    until = DateField(_l("Written until (date, inclusive)"), validators=[Optional()])
    kinds = SelectMultipleField(
        _l("Kind"), choices=[SelectChoice(kind, KIND_LABELS[kind]) for kind in EXPORT_KINDS])
    statuses = SelectMultipleField(
        _l("Status"), choices=[SelectChoice(status, label) for status, label in STATUS_LABELS.items()])
    stances = SelectMultipleField(
        _l("Stance (comments)"), choices=[SelectChoice(stance, label) for stance, label in STANCE_LABELS.items()])
    groups = SelectMultipleField(
        _l("Stakeholder group"), choices=[SelectChoice(group, label) for group, label in GROUP_LABELS.items()])
    format = RadioField(
        _l("File format"), default="csv", choices=[SelectChoice(key, label) for key, label in FORMAT_LABELS.items()])
    personal = BooleanField(_l("Include personal data (author name and e-mail)"))
    reason = TextAreaField(
        _l("Reason for including personal data"),
        description=_l("Required with personal data. It is kept in the audit log with your name."),
        validators=[Length(max=REASON_MAX_LENGTH)],
    )

    def fill_choices(self, policies) -> None:
        """Offer the policies (id, title), newest first, and "any"."""
        self.policy.choices = [SelectChoice("", _l("Any policy"))] + [
            SelectChoice(policy_id, title) for policy_id, title in policies]

    def export_request(self) -> ExportRequest:
        """The filters as the export service takes them."""
        return ExportRequest(
            format=self.format.data or "csv",
            policy_id=self.policy.data,
            position_id=self.position.data,
            since=self.since.data,
            until=self.until.data,
            kinds=tuple(self.kinds.data or ()),
            statuses=tuple(self.statuses.data or ()),
            stances=tuple(self.stances.data or ()),
            groups=tuple(self.groups.data or ()),
            personal=bool(self.personal.data),
            reason=self.reason.data or "",
        )
