"""The official's page that says what each changed article of a policy version cites."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.aspirations.citations import pages, services
from portal.aspirations.citations.forms import CiteForm
from portal.errors import ValidationError
from portal.proposals import services as proposals

bp = Blueprint("citations", __name__)


@bp.route("/policies/<slug>/versions/<int:number>/citations", methods=["GET", "POST"])
@login_required
def edit(slug: str, number: int):
    """Cite, per changed article, the published themes and official answers that motivated a version."""
    policy = proposals.get_policy_by_slug(current_user, slug)
    permissions.require(current_user, "policy.cite", policy)
    version = proposals.get_version(policy, number)
    form = CiteForm()
    error = None
    if request.method == "POST":
        chosen = form.choices(request.form)
        if not form.validate_on_submit():
            error = _("The form expired. Please reload the page and try again.")
        else:
            try:
                count = services.cite(current_user, version, chosen)
            except ValidationError as refused:
                error = refused.message
            else:
                flash(_("Version %(n)d now cites %(count)d themes and answers.", n=version.number, count=count),
                      "success")
                return redirect(url_for("proposals.diff", slug=policy.slug,
                                        **{"from": version.number - 1, "to": version.number}))
        page = pages.cite_page(version, {key: set(tokens) for key, tokens in chosen.items()})
        return render_template("aspirations/citations/form.html", page=page, form=form, error=error), 400
    return render_template("aspirations/citations/form.html", page=pages.cite_page(version), form=form, error=None)
