"""The answer form on a contribution and a policy's accountability page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.aspirations.responses import pages, services
from portal.aspirations.responses.forms import ResponseForm
from portal.aspirations.summaries import services as summaries
from portal.contributions import services as contributions
from portal.contributions.urls import contribution_url
from portal.errors import ValidationError, attach_to_form
from portal.numbers import query_int
from portal.proposals import services as proposals

bp = Blueprint("responses", __name__)


@bp.route("/contributions/<public_id>/answer", methods=["GET", "POST"])
@login_required
def answer(public_id: str):
    """Answer a contribution, or reword its answer (officials)."""
    contribution = contributions.get_contribution(current_user, public_id)
    permissions.require(current_user, "response.give", contribution)
    form = ResponseForm()
    existing = services.response_to(contribution)
    if request.method == "GET" and existing is not None:
        form.fill_from(existing)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                services.respond(
                    current_user, contribution, outcome=form.outcome.data, explanation=form.explanation.data,
                    change=form.change.data, change_url=form.change_url.data,
                )
            except ValidationError as error:
                attach_to_form(form, error)
            else:
                flash(_("The answer was saved; the author has been told."), "success")
                return redirect(contribution_url(contribution))
    page = pages.answer_page(current_user, contribution, form)
    return render_template("aspirations/responses/answer.html", page=page), status


@bp.route("/aspirations/themes/<int:theme_id>/answer", methods=["GET", "POST"])
@login_required
def answer_theme(theme_id: int):
    """Answer a theme of a published summary, which answers all its contributions (officials)."""
    theme = summaries.get_theme(current_user, theme_id)
    permissions.require(current_user, "response.give_theme")
    form = ResponseForm()
    existing = services.response_to_theme(theme)
    if request.method == "GET" and existing is not None:
        form.fill_from(existing)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                services.respond_to_theme(
                    current_user, theme, outcome=form.outcome.data, explanation=form.explanation.data,
                    change=form.change.data, change_url=form.change_url.data,
                )
            except ValidationError as error:
                attach_to_form(form, error)
            else:
                flash(_("The answer was saved; the authors of the theme's contributions have been told."), "success")
                return redirect(url_for("summaries.theme", theme_id=theme.id))
    return render_template("aspirations/responses/answer_theme.html", theme=theme, form=form,
                           response=existing), status


@bp.get("/policies/<slug>/accountability")
def accountability(slug: str):
    """What a policy's contributions received: heard, considered, answered, overdue; officials also
    get the list of what is still unanswered."""
    policy = proposals.get_policy_by_slug(current_user, slug)
    page = pages.accountability_page(current_user, policy, page=query_int("page", 1))
    return render_template("aspirations/responses/accountability.html", page=page)
