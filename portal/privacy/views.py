"""Data-rights pages: the overview, the data (page and JSON), profile and address correction,
deletion; and the admin page for written requests."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts import auth
from portal.accounts import services as accounts
from portal.errors import Conflict, ValidationError, attach_to_form
from portal.numbers import query_int
from portal.privacy import pages, services
from portal.privacy.forms import AdminDeleteForm, ConfirmEmailForm, DeleteForm, EmailChangeForm, ProfileForm

bp = Blueprint("privacy", __name__, url_prefix="/account/privacy")
admin_bp = Blueprint("privacy_admin", __name__, url_prefix="/admin/privacy")


def _me():
    return current_user._get_current_object()


def _download(actor, user) -> Response:
    pieces = services.export_json(actor, user)
    response = Response(stream_with_context(pieces), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="data-portal-{user.id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@login_required
def index():
    """My data rights: download, correct, delete; the consents I gave."""
    return render_template("privacy/index.html", user=_me())


@bp.get("/data")
@login_required
def data():
    """Everything the portal holds about me, as a page."""
    return render_template("privacy/data.html", **pages.data_page(_me(), _me(), query_int("page", 1)))


@bp.get("/data.json")
@login_required
def data_json():
    """Everything the portal holds about me, as a JSON download."""
    return _download(_me(), _me())


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Correct my name and organisation, or move my account to a new address."""
    user = _me()
    form = ProfileForm(display_name=user.display_name,
                       organisation=user.organisation.name if user.organisation else "")
    email_form = EmailChangeForm()
    status = 200
    if request.method == "POST":
        status = 400
        if "display_name" in request.form and form.validate_on_submit():
            try:
                services.update_profile(user, user, display_name=form.display_name.data,
                                        organisation_name=form.organisation.data if user.organisation else None)
            except ValidationError as error:
                attach_to_form(form, error)
            else:
                flash(_("Your profile was corrected."), "success")
                return redirect(url_for("privacy.index"))
        elif "new_email" in request.form and email_form.validate_on_submit():
            try:
                new_email = services.request_email_change(user, email_form.new_email.data, email_form.current_password.data)
            except ValidationError as error:
                fields = {"email": "new_email", "password": "current_password"}  # nosec B105 form field names
                error.field = fields.get(error.field, error.field)
                attach_to_form(email_form, error)
            else:
                flash(_("We sent a link to %(email)s. Your address changes when you open it.", email=new_email), "info")
                return redirect(url_for("privacy.index"))
    return render_template("privacy/profile.html", form=form, email_form=email_form), status


@bp.route("/email/<token>", methods=["GET", "POST"])
@login_required
def confirm_email(token: str):
    """Confirm the new address from the mailed link."""
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        try:
            services.confirm_email_change(_me(), token)
        except (ValidationError, Conflict) as error:
            flash(error.message, "error")
            return redirect(url_for("privacy.profile"))
        flash(_("Your address was changed."), "success")
        return redirect(url_for("privacy.index"))
    return render_template("privacy/confirm_email.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Withdraw my consent and delete my account (my password is asked)."""
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            services.erase_account(_me(), _me(), keep_contributions=form.choice.data == "anonymous",
                                   password=form.password.data)
        except ValidationError as error:
            attach_to_form(form, error)
        except Conflict as error:
            flash(error.message, "error")
        else:
            auth.sign_out()
            flash(_("Your account and personal data were deleted."), "success")
            return redirect(url_for("main.index"))
    return render_template("privacy/delete.html", form=form), 400 if request.method == "POST" else 200


# --- admin: written requests ----------------------------------------------------------

@admin_bp.get("/<int:user_id>")
@login_required
def request_page(user_id: int):
    """Handle a written request about one account: export or delete its data."""
    permissions.require(current_user, "user.manage")
    user = accounts.get_user(user_id)
    return render_template("privacy/admin.html", user=user, form=AdminDeleteForm(), erased=services.is_erased(user))


@admin_bp.get("/<int:user_id>/data.json")
@login_required
def admin_export(user_id: int):
    """Everything held about the account, as JSON (recorded in the audit log)."""
    permissions.require(current_user, "user.manage")
    return _download(_me(), accounts.get_user(user_id))


@admin_bp.post("/<int:user_id>/delete")
@login_required
def admin_delete(user_id: int):
    """Delete the account on a written request (recorded in the audit log)."""
    permissions.require(current_user, "user.manage")
    user = accounts.get_user(user_id)
    form = AdminDeleteForm()
    if form.validate_on_submit():
        try:
            services.erase_account(_me(), user, keep_contributions=form.choice.data == "anonymous",
                                   reason=form.reason.data)
        except ValidationError as error:
            attach_to_form(form, error)
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for("privacy_admin.request_page", user_id=user.id))
        else:
            flash(_("The account and its personal data were deleted."), "success")
            return redirect(url_for("privacy_admin.request_page", user_id=user.id))
    return render_template("privacy/admin.html", user=user, form=form, erased=services.is_erased(user)), 400
