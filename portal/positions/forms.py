"""Position-record forms. Field rules live in the services, so the form,
the CSV import and the API give the same messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import NumberInput

from portal.forms import Form
from portal.positions.models import POSITION_TYPE_LABELS


def _coerce_id(value) -> int | None:
    """An OPD id from the select; anything else becomes None (and a message from the service)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PositionForm(Form):
    """Create or edit a position record (informasi jabatan)."""

    code = StringField(_l("Position code"), description=_l("Unique; letters, digits and . - _ / only."))
    name = StringField(_l("Position name"))
    opd_id = SelectField(_l("OPD"), coerce=_coerce_id, validate_choice=False)
    unit = StringField(_l("Unit (bidang / seksi)"))
    parent_code = StringField(
        _l("Reports to (position code)"),
        description=_l("Code of the superior position in the same OPD; leave empty for the head of the OPD."),
    )
    position_type = SelectField(
        _l("Position type"),
        choices=[SelectChoice(value, label) for value, label in POSITION_TYPE_LABELS.items()],
        validate_choice=False,
    )
    grade = StringField(_l("Grade (kelas jabatan)"), widget=NumberInput(min=1, max=17), description=_l("1 to 17."))
    summary = TextAreaField(_l("Summary (ikhtisar jabatan)"))
    qualifications = TextAreaField(_l("Qualifications (kualifikasi jabatan)"))
    main_tasks = TextAreaField(_l("Main tasks (tugas pokok)"))
    work_results = TextAreaField(_l("Work results (hasil kerja)"))
    responsibilities = TextAreaField(_l("Responsibilities (tanggung jawab)"))
    authority = TextAreaField(_l("Authority (wewenang)"))
    requirements = TextAreaField(_l("Position requirements (syarat jabatan)"))
    competency_technical = TextAreaField(_l("Technical competencies"))
    competency_managerial = TextAreaField(_l("Managerial competencies"))
    competency_sociocultural = TextAreaField(_l("Socio-cultural competencies"))
    training_requirements = TextAreaField(_l("Training requirements"))
    required_count = StringField(
        _l("Required staff (kebutuhan, from ABK)"), widget=NumberInput(min=0), description=_l("A whole number, 0 or more.")
    )
    incumbent_count = StringField(
        _l("Current incumbents (bezetting)"), widget=NumberInput(min=0), description=_l("A whole number, 0 or more.")
    )
    service_area = StringField(_l("Service area"), description=_l("For example: Kecamatan Medan Deli."))
    service_population = StringField(
        _l("Population served"), widget=NumberInput(min=0), description=_l("Leave empty when it does not apply.")
    )

    reason = TextAreaField(
        _l("Why is the record changing?"),
        description=_l("Shown with the change in the record's public history."),
    )
    cites = SelectMultipleField(
        _l("Public aspirations this change answers"),
        description=_l("Themes of published aspiration summaries that motivated the change."),
        coerce=_coerce_id,
        validate_choice=False,
    )

    def service_data(self) -> dict:
        """The submitted values, keyed as the position services expect."""
        return {name: f.data for name, f in self._fields.items() if name not in ("csrf_token", "reason", "cites")}


class OpdForm(Form):
    """Add an OPD."""

    code = StringField(_l("OPD code"), description=_l("For example: DINKES."))
    name = StringField(_l("OPD name"), description=_l("For example: Dinas Kesehatan."))
    short_name = StringField(_l("Short name"))


class ImportForm(Form):
    """Upload a CSV file of positions."""

    file = FileField(
        _l("CSV file"),
        description=_l("UTF-8, with a header row. Every row is checked; if any row has an error, nothing is imported."),
        validators=[FileRequired(_l("Choose a CSV file."))],
    )
