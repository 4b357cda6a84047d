"""The answer form an official fills in on a contribution."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.aspirations.responses import services
from portal.aspirations.responses.models import OUTCOME_LABELS
from portal.forms import Form


class ResponseForm(Form):
    """Outcome, explanation, and the change the contribution led to (optional)."""

    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(value, label) for value, label in OUTCOME_LABELS.items()],
        validators=[DataRequired(_l("Choose the outcome of the contribution."))],
    )
    explanation = TextAreaField(
        _l("Explanation"),
        description=_l("Why this outcome: the author and the public read it. Markdown is allowed."),
        validators=[DataRequired(_l("Explain the outcome: the author has a right to know why.")),
                    Length(max=services.MAX_EXPLANATION)],
    )
    change = TextAreaField(
        _l("Change it led to (optional)"),
        description=_l("What was changed because of it, for example in the next version of the policy."),
        validators=[Length(max=services.MAX_CHANGE)],
    )
    change_url = StringField(
        _l("Link to the change (optional)"),
        description=_l("A page of the portal (starting with /) or an address starting with https://."),
        validators=[Length(max=services.MAX_URL)],
    )

    def fill_from(self, response) -> None:
        """Show the current wording of an answer."""
        self.outcome.data = response.outcome
        self.explanation.data = response.explanation
        self.change.data = response.change
        self.change_url.data = response.change_url
