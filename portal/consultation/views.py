"""The draft-policy page and the position-record page.

Both show what several packages own (articles or fields, comments, forum
threads, submissions, follow state), so they live above all of them; the
packages below link here by endpoint name only.
"""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, url_for
from flask_login import current_user

from portal.consultation import outcome as outcome_pages
from portal.consultation import pages, pdf
from portal.errors import NotFound
from portal.positions import history as position_history
from portal.positions import services as positions
from portal.proposals import services as proposals

bp = Blueprint("consultation", __name__)


@bp.get("/policies/<slug>")
def policy(slug: str):
    """A policy: summary, dates and how to take part, versions, articles with their top comments, history."""
    found = proposals.get_policy_by_slug(current_user, slug)
    return render_template("proposals/detail.html", page=pages.policy_page(current_user, found))


@bp.get("/positions/<int:position_id>")
def position(position_id: int):
    """One position's informasi jabatan, workload gap, links and aspiration summary."""
    found = positions.get_position(current_user, position_id)
    page = pages.position_page(current_user, found)
    return render_template(
        "positions/detail.html",
        position=found,
        policies=[(policy, url_for("consultation.policy", slug=policy.slug)) for policy in page.policies],
        on_position=page.comments,
        aspirations=page.aspirations,
    )


@bp.get("/policies/<slug>/outcome")
def outcome(slug: str):
    """The consultation outcome report of a closed policy (before it closes: a page saying when it comes)."""
    found = proposals.get_policy_by_slug(current_user, slug)
    return render_template("consultation/outcome.html", report=outcome_pages.outcome(found),
                           field_labels=position_history.FIELD_LABELS)


@bp.get("/policies/<slug>/outcome.pdf")
def outcome_pdf(slug: str):
    """The outcome report as a PDF download (404 until the consultation has closed)."""
    found = proposals.get_policy_by_slug(current_user, slug)
    report = outcome_pages.outcome(found)
    if not report.ready:
        raise NotFound()
    response = make_response(pdf.render(report))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="laporan-hasil-{found.slug}.pdf"'
    return response
