"""Draft-policy forms (officials)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.forms import Form
from portal.i18n import to_local
from portal.proposals import services
from portal.proposals.models import DEFAULT_RESPONSE_DAYS, MAX_RESPONSE_DAYS

# Times outside these years are typing slips (and would overflow time-zone maths).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _sensible_year(form, field) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_l("Enter a date between the years %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR))


def _window_field(label):
    return DateTimeLocalField(
        label,
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        description=_l("Western Indonesia Time (WIB)."),
        validators=[Optional(), _sensible_year],
    )


def _opd_id(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1  # not in the choices: the field says so


class DetailsForm(Form):
    """A policy's title, kind, summary, agency, consultation window and linked positions."""

    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the policy a title.")), Length(max=services.MAX_TITLE)],
    )
    kind = StringField(
        _l("Kind of policy"),
        default=services.DEFAULT_KIND,
        description=_l("For example Rancangan Peraturan Wali Kota."),
        validators=[Length(max=services.MAX_KIND)],
    )
    summary = TextAreaField(
        _l("Summary"),
        description=_l("What the policy is about, in plain words. Markdown is allowed."),
        validators=[Length(max=services.MAX_SUMMARY)],
    )
    opd_id = SelectField(_l("Drafting agency (OPD)"), coerce=_opd_id, validate_choice=True)
    opens_at = _window_field(_l("Consultation opens"))
    closes_at = _window_field(_l("Consultation closes"))
    response_days = IntegerField(
        _l("Days to answer after closing"),
        default=DEFAULT_RESPONSE_DAYS,
        description=_l("Officials answer every contribution within this many days after the consultation closes."),
        validators=[Optional(), NumberRange(min=1, max=MAX_RESPONSE_DAYS,
                                            message=_l("Give a number of days from 1 to 365."))],
    )
    position_ids = SelectMultipleField(
        _l("Positions this policy affects"),
        coerce=int,
        description=_l("Hold Ctrl (or Cmd) to choose several."),
    )

    def fill_choices(self) -> None:
        """Offer the current OPDs and positions."""
        self.opd_id.choices = [("", _l("— none —"))] + [(opd.id, opd.name) for opd in services.opd_choices()]
        self.position_ids.choices = [
            (p.id, f"{p.code} — {p.name} ({p.opd.short_name or p.opd.name})") for p in services.position_choices()
        ]

    def fill_from(self, policy) -> None:
        """Show a policy's current details (times in WIB)."""
        self.title.data = policy.title
        self.kind.data = policy.kind
        self.summary.data = policy.summary
        self.opd_id.data = policy.opd_id
        self.opens_at.data = to_local(policy.opens_at) if policy.opens_at else None
        self.closes_at.data = to_local(policy.closes_at) if policy.closes_at else None
        self.response_days.data = policy.response_days
        self.position_ids.data = [p.id for p in policy.positions]

    def details(self) -> dict:
        """The keyword arguments for the policy services (times are naive WIB)."""
        return {
            "title": self.title.data or "",
            "kind": self.kind.data or "",
            "summary": self.summary.data or "",
            "opd_id": self.opd_id.data,
            "opens_at": self.opens_at.data,
            "closes_at": self.closes_at.data,
            "response_days": self.response_days.data or DEFAULT_RESPONSE_DAYS,
            "position_ids": self.position_ids.data or [],
        }


class PolicyForm(DetailsForm):
    """A new policy: its details and the text of its first version."""

    body = TextAreaField(
        _l("Text of the policy"),
        description=_l(
            "Markdown. Chapters as “## BAB I — Ketentuan Umum”, articles as “### Pasal 1” "
            "followed by an optional heading line and the ayat “(1) …”."
        ),
        validators=[DataRequired(_l("Enter the text of the policy.")), Length(max=services.MAX_BODY)],
    )


class VersionForm(Form):
    """A new version of the text."""

    body = TextAreaField(
        _l("Text of the policy"),
        validators=[DataRequired(_l("Enter the text of the policy.")), Length(max=services.MAX_BODY)],
    )
    change_note = TextAreaField(
        _l("What changed"),
        description=_l("Shown to readers in the version history."),
        validators=[DataRequired(_l("Say what changed in this version.")), Length(max=services.MAX_NOTE)],
    )


class TransitionForm(Form):
    """Move a policy to another status, with an optional note."""

    to_status = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Note for the status history"), validators=[Length(max=services.MAX_NOTE)])
