"""Links pages: the moderators' review of suggested links (confirm or remove, reached from
the moderation queue), and the list of one campaign's near-copies."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.aspirations.links import pages, services
from portal.aspirations.links.models import REASON_LABELS, SOURCE_LABELS
from portal.errors import ValidationError
from portal.forms import Form
from portal.numbers import query_int

bp = Blueprint("aspiration_links", __name__)


class DecideForm(Form):
    """Confirm or remove one link (only the CSRF token)."""


@bp.app_context_processor
def link_labels():
    """Names of link sources and reasons for every template."""
    return {"link_source_labels": SOURCE_LABELS, "link_reason_labels": REASON_LABELS}


@bp.get("/moderation/links")
@login_required
def review():
    """Contributions with suggested links to confirm or remove, the oldest first."""
    pagination = pages.review_page(current_user, query_int("page", 1))
    return render_template("aspirations/links_review.html", pagination=pagination, form=DecideForm())


@bp.post("/moderation/links/<int:link_id>/<any(confirm, remove):action>")
@login_required
def decide(link_id: int, action: str):
    """Confirm or remove one link, then back to the review page."""
    link = services.get_link(current_user, link_id)
    if not DecideForm().validate_on_submit():
        raise ValidationError(None, _("The form expired. Please reload the page and try again."))
    try:
        if action == "confirm":
            services.confirm(current_user, link)
            flash(_("Link confirmed for %(id)s.", id=link.contribution.public_id), "success")
        else:
            services.remove(current_user, link)
            flash(_("Link removed from %(id)s.", id=link.contribution.public_id), "success")
    except ValidationError as error:
        flash(error.message, "error")
    return redirect(url_for("aspiration_links.review", page=query_int("page")))


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    """Every contribution with (nearly) the same text, a page at a time."""
    page = pages.campaign_page(current_user, campaign_id, query_int("page", 1))
    return render_template("aspirations/campaign.html", page=page)
