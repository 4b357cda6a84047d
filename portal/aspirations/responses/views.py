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
    saved = _save_answer(form, existing, lambda fields: services.respond(
        current_user, contribution, **fields
    ), _("The answer was saved; the author has been told."), contribution_url(contribution))
    if saved is not None:
        return saved
    page = pages.answer_page(current_user, contribution, form, existing)
    return render_template("aspirations/responses/answer.html", page=page), 400 if request.method == "POST" else 200


@bp.route("/aspirations/themes/<int:theme_id>/answer", methods=["GET", "POST"])
@login_required
def answer_theme(theme_id: int):
    """Answer a theme of a published summary, which answers all its contributions (officials)."""
    theme = summaries.get_theme(current_user, theme_id)
    permissions.require(current_user, "response.give_theme")
    form = ResponseForm()
    existing = services.response_to_theme(theme)
    saved = _save_answer(form, existing, lambda fields: services.respond_to_theme(
        current_user, theme, **fields
    ), _("The answer was saved; the authors of the theme's contributions have been told."),
        url_for("summaries.theme", theme_id=theme.id))
    if saved is not None:
        return saved
    status = 400 if request.method == "POST" else 200
    return render_template("aspirations/responses/answer_theme.html", theme=theme, form=form,
                           response=existing), status


def _save_answer(form: ResponseForm, existing, respond, done: str, back: str):
    """GET: fill the form from the `existing` answer. POST: save it through `respond(fields)` and redirect
    to `back` saying `done`; None when the form is to be shown (again, with its errors)."""
    if request.method == "GET":
        if existing is not None:
            form.fill_from(existing)
        return None
    if not form.validate_on_submit():
        return None
    try:
        respond(dict(outcome=form.outcome.data, explanation=form.explanation.data,
                     change=form.change.data, change_url=form.change_url.data))
    except ValidationError as error:
        attach_to_form(form, error)
        return None
    flash(done, "success")
    return redirect(back)


@bp.get("/policies/<slug>/accountability")
def accountability(slug: str):
    """What a policy's contributions received: heard, considered, answered, overdue; officials also
    get the list of what is still unanswered."""
    policy = proposals.get_policy_by_slug(current_user, slug)
    page = pages.accountability_page(current_user, policy, page=query_int("page", 1))
    return render_template("aspirations/responses/accountability.html", page=page)
