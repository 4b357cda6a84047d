"""Comment forms: a comment (or reply) on a policy or a position record, and "I agree"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import Length, Optional

from portal.comments.models import STANCE_LABELS, STANCES
from portal.comments.services import MAX_BODY, MAX_WORDING
from portal.forms import Form

BODY_HINT = _l("You can use *emphasis*, **bold**, lists, > quotes and links.")


class CommentForm(Form):
    """A comment or a reply; the services check what is required, so typed text is never lost."""

    stance = RadioField(
        _l("Your position"),
        choices=[SelectChoice(stance, STANCE_LABELS[stance]) for stance in STANCES],
        validators=[Optional()],
        validate_choice=False,  # the service names a wrong stance on the form
    )
    body = TextAreaField(_l("Your comment"), description=BODY_HINT, validators=[Length(max=MAX_BODY)])
    suggested_wording = TextAreaField(
        _l("Suggested wording (optional)"),
        description=_l("The text you would like the article to say instead."),
        validators=[Length(max=MAX_WORDING)],
    )
    # The positions or OPDs the author says it concerns ("position:ID" / "opd:ID"; checked where stored).
    concerns = SelectMultipleField(_l("Which positions or OPDs does it concern? (optional)"), choices=[],
                                   validate_choice=False)
    article_key = HiddenField()
    position_field = HiddenField()
    parent = HiddenField()

    def parent_id(self) -> int | None:
        """The comment answered, as a database id, or None."""
        try:
            number = int(self.parent.data or "")
        except ValueError:
            return None
        return number if 0 < number < 2**31 else None


class EndorseForm(Form):
    """The "I agree" button (only the CSRF token)."""
