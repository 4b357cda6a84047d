"""Moderation pages: the moderators' queue and actions, and for authors and
readers the status page of a contribution (history, hide reason, appeal,
report) and the list of one's own contributions."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.errors import Conflict, ValidationError, attach_to_form
from portal.numbers import query_int
from portal.ratelimits import per_account_and_address
from portal.i18n import to_utc
from portal.contributions import answers, models
from portal.contributions import services as contributions
from portal.moderation import queue as moderation_queue
from portal.moderation import services
from portal.moderation.forms import (
    AppealForm,
    ApproveForm,
    DecideAppealForm,
    FlagForm,
    HideForm,
    RestoreForm,
    SuspendForm,
)
from portal.contributions.models import Contribution
from portal.redirects import safe_next
from portal.search import services as search

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
contributions_bp = Blueprint("contributions", __name__)

# The moderator's forms on one item, by action name; each gets a prefix per item.
ACTION_FORMS = {
    "approve": ApproveForm,
    "hide": HideForm,
    "restore": RestoreForm,
    "appeal": DecideAppealForm,
    "suspend": SuspendForm,
}


@bp.app_context_processor
def moderation_labels():
    """Status, reason, history and kind names for every template."""
    return {
        "contribution_status_labels": models.STATUS_LABELS,
        "contribution_reason_labels": models.REASON_LABELS,
        "contribution_event_labels": models.EVENT_ACTIONS,
        "contribution_pending_labels": models.PENDING_REASONS,
        "contribution_kind_labels": models.KIND_LABELS,
        "queue_reason_labels": moderation_queue.QUEUE_REASON_LABELS,
        "queue_filter_labels": moderation_queue.QUEUE_FILTER_LABELS,
    }


def action_forms(contribution: Contribution, failed: tuple[str, object] | None = None) -> dict:
    """The moderator's forms for one item, each with its own field prefix."""
    forms = {name: form_class(prefix=f"{name}-{contribution.id}", formdata=None)
             for name, form_class in ACTION_FORMS.items()}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return forms


# --- the queue ---------------------------------------------------------------------

@bp.get("/")
@login_required
def queue():
    """Pending, reported and appealed contributions, a page at a time, filtered by kind, reason and policy."""
    return _render_queue()


def _render_queue(failed: tuple[str, str, object] | None = None, status: int = 200):
    page = moderation_queue.queue_page(current_user, moderation_queue.filters_from(request.args))
    items = page.items
    forms = {
        item.contribution.public_id: action_forms(
            item.contribution,
            (failed[1], failed[2]) if failed and failed[0] == item.contribution.public_id else None,
        )
        for item in items
    }
    open_form = (failed[0], failed[1]) if failed else None
    if failed and failed[0] not in forms:  # the item left the queue meanwhile: say what was wrong
        for errors in failed[2].errors.values():
            for message in errors:
                flash(message, "error")
    return render_template("moderation/queue.html", items=items, page=page, forms=forms, open_form=open_form,
                           indexing=search.indexing_status()), status


def _action(public_id: str, name: str, act, done_message: str):
    """Run one moderator action from its form, then go back to the queue (or the page it came from)."""
    permissions.require(current_user, "moderation.queue")
    contribution = contributions.get_contribution(current_user, public_id)
    form = ACTION_FORMS[name](prefix=f"{name}-{contribution.id}")
    target = safe_next(request.form.get("next"), url_for("moderation.queue"))
    if form.validate_on_submit():
        try:
            act(contribution, form)
        except ValidationError as error:
            attach_to_form(form, error)
        except Conflict as error:
            flash(error.message, "error")
            return redirect(target)
        else:
            flash(done_message % {"id": contribution.public_id}, "success")
            return redirect(target)
    if target != url_for("moderation.queue"):
        return _render_detail(contribution, failed=(name, form), status=400)
    return _render_queue(failed=(contribution.public_id, name, form), status=400)


@bp.post("/items/<public_id>/approve")
@login_required
def approve(public_id: str):
    """Publish a waiting item, or keep a reported one published."""
    return _action(
        public_id, "approve",
        lambda c, form: services.approve(current_user, c, form.note.data),
        _("%(id)s is published."),
    )


@bp.post("/items/<public_id>/hide")
@login_required
def hide(public_id: str):
    """Hide an item with a reason."""
    return _action(
        public_id, "hide",
        lambda c, form: services.hide(current_user, c, form.reason.data, form.note.data),
        _("%(id)s is hidden. Its author sees the reason and may appeal once."),
    )


@bp.post("/items/<public_id>/restore")
@login_required
def restore(public_id: str):
    """Publish a hidden item again."""
    return _action(
        public_id, "restore",
        lambda c, form: services.restore(current_user, c, form.note.data),
        _("%(id)s is published again."),
    )


@bp.post("/items/<public_id>/appeal")
@login_required
def decide_appeal(public_id: str):
    """Decide the author's appeal on a hidden item."""

    def act(contribution: Contribution, form: DecideAppealForm) -> None:
        if contribution.appeal is None:
            raise Conflict(_("This contribution has no appeal."))
        services.decide_appeal(current_user, contribution.appeal, form.decision.data == "uphold", form.note.data)

    return _action(public_id, "appeal", act, _("The appeal on %(id)s is decided."))


@bp.post("/items/<public_id>/suspend-author")
@login_required
def suspend_author(public_id: str):
    """Suspend the author of an item until the end of a day (WIB)."""

    def act(contribution: Contribution, form: SuspendForm) -> None:
        services.suspend(current_user, contribution.author, _end_of_day(form.until.data), form.reason.data)

    return _action(public_id, "suspend", act, _("The author of %(id)s is suspended."))


def _end_of_day(day) -> datetime:
    """The first moment after `day` in WIB, in UTC."""
    return to_utc(datetime.combine(day + timedelta(days=1), time.min))


# --- the author's and readers' side ------------------------------------------------

@contributions_bp.get("/contributions/<public_id>")
def detail(public_id: str):
    """A contribution's status page: its status, history, hide reason, appeal and report forms."""
    contribution = contributions.get_contribution(current_user, public_id)
    return _render_detail(contribution)


def _render_detail(contribution: Contribution, failed: tuple[str, object] | None = None, status: int = 200):
    forms = {"appeal": AppealForm(formdata=None), "flag": FlagForm(formdata=None)}
    moderator_forms = action_forms(contribution)
    open_form = None
    if failed is not None:
        open_form = failed[0]
        if failed[0] in forms:
            forms[failed[0]] = failed[1]
        else:
            moderator_forms[failed[0]] = failed[1]
    pending_reason = next(
        (event.reason for event in contribution.events if event.action == "submitted" and event.reason), None
    )
    return render_template(
        "moderation/contribution.html",
        c=contribution,
        forms=forms,
        moderator_forms=moderator_forms,
        open_form=open_form,
        pending_reason=pending_reason,
        answer=answers.for_one(contribution),
    ), status


@contributions_bp.post("/contributions/<public_id>/appeal")
@login_required
def appeal(public_id: str):
    """The author appeals once against the hiding of their contribution."""
    contribution = contributions.get_contribution(current_user, public_id)
    form = AppealForm()
    if form.validate_on_submit():
        try:
            contributions.appeal(current_user, contribution, form.text.data)
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            flash(_("Your appeal was sent. A moderator will look at the contribution again."), "success")
            return redirect(url_for("contributions.detail", public_id=contribution.public_id))
    return _render_detail(contribution, failed=("appeal", form), status=400)


@contributions_bp.post("/contributions/<public_id>/flag")
@login_required
@per_account_and_address("FLAG_RATE_LIMIT", "flag")
def flag(public_id: str):
    """Report a published contribution to the moderators, from its status page or from the page
    that shows it (a forum thread, which sends `next`: the reader goes back there, told what happened)."""
    contribution = contributions.get_contribution(current_user, public_id)
    form = FlagForm()
    back = safe_next(request.form.get("next"), "")
    if form.validate_on_submit():
        try:
            contributions.flag(current_user, contribution, form.reason.data, form.note.data)
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            flash(_("Thank you. A moderator will look at the contribution."), "success")
            return redirect(back or url_for("contributions.detail", public_id=public_id))
    if back:
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(back)
    return _render_detail(contribution, failed=("flag", form), status=400)


@contributions_bp.get("/me/contributions")
@login_required
def mine():
    """Everything the signed-in user wrote, any kind, with its status, newest first."""
    pagination = contributions.contributions_by(current_user, page=query_int("page", 1))
    if not pagination.items and pagination.pages and pagination.page > pagination.pages:
        pagination = contributions.contributions_by(current_user, page=pagination.pages)  # past the end: the last
    return render_template("moderation/mine.html", pagination=pagination)
