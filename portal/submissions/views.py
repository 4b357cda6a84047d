"""Formal-submission pages: the form, the receipt, "my submissions", co-signing,
withdrawing, the officials' offline-input form and attachment downloads."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.errors import Conflict, NotFound, ValidationError, attach_to_form
from portal.numbers import query_int
from portal.ratelimits import per_account_and_address
from portal.contributions import answers, concerns
from portal.contributions.signals import author_tagged
from portal.contributions.models import EVENT_ACTIONS, REASON_LABELS, STATUS_LABELS
from portal.positions import tags
from portal.proposals import services as policy_services
from portal.submissions import attachments, cosigning, services
from portal.submissions.attachments import Upload
from portal.submissions.forms import FILE_INPUTS, ACCEPT, ConfirmForm, InviteForm, OfflineForm, SubmissionForm, WithdrawForm
from portal.submissions.models import CHANNEL_LABELS, COSIGN_LABELS

bp = Blueprint("submissions", __name__)

UPLOAD_ENDPOINTS = {"submissions.new", "submissions.record_offline"}


@bp.url_value_preprocessor
def allow_attachments(endpoint, values):
    """Let the upload forms carry five full-size attachments.

    Runs before the app's before_request hooks (CSRF reads the body there), so
    the larger limit is in force when the body is parsed; a 413 would lose the typed text.
    """
    if endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        request.max_content_length = max(
            current_app.config.get("MAX_CONTENT_LENGTH") or 0,
            attachments.max_bytes() * attachments.MAX_FILES + 1024 * 1024,
        )


@bp.app_context_processor
def submission_labels():
    """Labels the submission templates share."""
    return {
        "submission_status_labels": STATUS_LABELS,
        "submission_event_labels": EVENT_ACTIONS,
        "submission_reason_labels": REASON_LABELS,
        "submission_channel_labels": CHANNEL_LABELS,
        "cosign_labels": COSIGN_LABELS,
    }


def _uploads() -> list[Upload]:
    return [Upload.from_storage(storage) for storage in request.files.getlist("attachments") if storage]


def _status(error: ValidationError | None = None) -> int:
    if error is not None:
        return error.status  # 413 for a file too large, on disk or unpacked
    return 400 if request.method == "POST" else 200


def _form_page(template: str, form, policy):
    field = tags.field_view(tags.choices_for(policy.positions), form.concerns.data, form.concerns.errors)
    return render_template(template, form=form, policy=policy, file_inputs=FILE_INPUTS, accept=ACCEPT,
                           concerns=field)


@bp.route("/policies/<slug>/submissions/new", methods=["GET", "POST"])
@login_required
@per_account_and_address("SUBMISSION_RATE_LIMIT", "submission")
def new(slug: str):
    """Send a formal submission on a policy (verified organisation members)."""
    policy = policy_services.get_policy_by_slug(current_user, slug)
    form = SubmissionForm()
    form.fill_choices(policy)
    refusal = None
    if request.method == "GET":
        # Refuse at once, with the reason, rather than after the text is typed.
        services.check_can_submit(current_user, policy)
    if form.validate_on_submit():
        try:
            submission = services.submit(
                current_user, policy, form.title.data, form.body.data, form.article_keys.data or [], _uploads(),
                concerns=form.concerns.data or [],
            )
        except ValidationError as error:
            refusal = error
            attach_to_form(form, error)
            if error.field == "attachments":
                form.attachments.errors.append(_("Your text is kept; choose the files again."))
        else:
            if getattr(submission, "resent", False):  # the same form again (a resend, a retried request)
                flash(_("Your submission had already been received; it is saved once. Receipt number: %(id)s",
                        id=submission.public_id), "info")
                return redirect(url_for("submissions.receipt", public_id=submission.public_id))
            if form.concerns.data:
                author_tagged.send(submission, actor=current_user._get_current_object(),
                                   values=list(form.concerns.data))
            flash(_("Your submission was received. Receipt number: %(id)s", id=submission.public_id), "success")
            return redirect(url_for("submissions.receipt", public_id=submission.public_id))
    return _form_page("submissions/form.html", form, policy), _status(refusal)


@bp.route("/policies/<slug>/submissions/offline", methods=["GET", "POST"])
@login_required
@per_account_and_address("SUBMISSION_RATE_LIMIT", "submission")
def record_offline(slug: str):
    """Record input received offline (letter, hearing minutes) for its author (officials)."""
    policy = policy_services.get_policy_by_slug(current_user, slug)
    permissions.require(current_user, "submission.record_offline", policy)
    form = OfflineForm()
    form.fill_choices(policy)
    refusal = None
    if form.validate_on_submit():
        try:
            submission = services.record_offline(
                current_user, policy,
                title=form.title.data, body=form.body.data, channel=form.channel.data,
                received_on=form.received_on.data, author_name=form.author_name.data,
                organisation_name=form.organisation_name.data or "",
                stakeholder_group=form.stakeholder_group.data,
                article_keys=form.article_keys.data or [], files=_uploads(),
            )
        except ValidationError as error:
            refusal = error
            attach_to_form(form, error)
            if error.field == "attachments":
                form.attachments.errors.append(_("Your text is kept; choose the files again."))
        else:
            flash(_("The offline input was recorded. Receipt number: %(id)s", id=submission.public_id), "success")
            return redirect(url_for("submissions.receipt", public_id=submission.public_id))
    return _form_page("submissions/offline_form.html", form, policy), _status(refusal)


@bp.get("/policies/<slug>/submissions")
def policy_list(slug: str):
    """The formal submissions on a policy that the reader may see."""
    policy = policy_services.get_policy_by_slug(current_user, slug)
    pagination = services.policy_submissions(
        current_user, policy, page=query_int("page", 1), per_page=current_app.config["PAGE_SIZE"]
    )
    return render_template("submissions/policy_list.html", policy=policy, pagination=pagination)


@bp.get("/submissions/mine")
@login_required
def mine():
    """The signed-in user's submissions with their status, and invitations to co-sign."""
    return render_template(
        "submissions/mine.html",
        submissions=services.my_submissions(current_user),
        invitations=cosigning.open_invitations(current_user),
    )


@bp.get("/submissions/<public_id>")
def receipt(public_id: str):
    """A submission's receipt: number, status and history, attachments, co-signers."""
    submission = services.get_submission(current_user, public_id)
    invite_form = InviteForm()
    if permissions.can(current_user, "submission.invite_cosigner", submission):
        invite_form.fill_choices(submission)
    return render_template(
        "submissions/receipt.html",
        submission=submission,
        articles=services.article_labels(submission),
        answer=answers.for_one(submission),
        links=concerns.for_one(submission),
        invite_form=invite_form,
        withdraw_form=WithdrawForm(),
    )


@bp.post("/submissions/<public_id>/withdraw")
@login_required
def withdraw(public_id: str):
    """Withdraw one's submission before the consultation closes."""
    submission = services.get_submission(current_user, public_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(current_user, submission, form.note.data or "")
        except (ValidationError, Conflict) as error:
            flash(error.message, "error")
        else:
            flash(_("The submission was withdrawn. It stays on record, marked withdrawn."), "success")
    else:
        flash(_("The note may be at most %(n)d characters.", n=2000), "error")
    return redirect(url_for("submissions.receipt", public_id=submission.public_id))


@bp.post("/submissions/<public_id>/cosigners")
@login_required
def invite(public_id: str):
    """Invite another verified organisation to co-sign."""
    submission = services.get_submission(current_user, public_id)
    permissions.require(current_user, "submission.invite_cosigner", submission)
    form = InviteForm()
    form.fill_choices(submission)
    if form.validate_on_submit():
        try:
            cosignature = cosigning.invite_cosigner(
                current_user, submission, cosigning.organisation_by_id(form.organisation_id.data)
            )
        except ValidationError as error:
            flash(error.message, "error")
        else:
            flash(
                _("%(org)s was invited to co-sign. One of its verified members confirms it from their own account.",
                  org=cosignature.organisation.name),
                "success",
            )
    else:
        flash(_("Choose an organisation from the list."), "error")
    return redirect(url_for("submissions.receipt", public_id=submission.public_id))


@bp.route("/cosignatures/<int:cosignature_id>", methods=["GET", "POST"])
@login_required
def cosign(cosignature_id: int):
    """Confirm a co-signature for one's organisation, after reading the submission."""
    cosignature = cosigning.get_cosignature(current_user, cosignature_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        cosigning.confirm_cosign(current_user, cosignature)
        flash(_("Your organisation now co-signs this submission."), "success")
        return redirect(url_for("submissions.receipt", public_id=cosignature.submission.public_id))
    return render_template("submissions/cosign.html", cosignature=cosignature, form=form), _status()


@bp.get("/submissions/<public_id>/attachments/<int:attachment_id>")
def download(public_id: str, attachment_id: int):
    """Download an attachment, always as a file (never shown inline): a file that is a
    document and a web page at once must not run as a page of the portal."""
    submission = services.get_submission(current_user, public_id)
    attachment = services.get_attachment(current_user, submission, attachment_id)
    path = attachments.path_of(attachment.stored_name)
    if not path.is_file():
        current_app.logger.error("attachment %s of %s is missing on disk", attachment.id, submission.public_id)
        raise NotFound()
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachments.download_name(attachment.display_name, attachment.content_type),
        max_age=0,
        etag=attachment.sha256,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Were it ever rendered, it would run in a sandbox with no script and no access to the portal.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
