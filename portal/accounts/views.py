"""Account pages: register, sign in and out, password reset, own account,
and the admin pages for accounts and affiliations."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts import auth, registration, services
from portal.accounts.forms import (
    ChangePasswordForm,
    ConfirmForm,
    ConfirmRegistrationForm,
    LoginForm,
    ReasonForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    RoleForm,
)
from portal.accounts.throttle import SignInPaused
from portal.errors import Conflict, ValidationError, attach_to_form
from portal.numbers import query_int
from portal.ratelimits import per_address
from portal.redirects import safe_next

bp = Blueprint("accounts", __name__)
admin_bp = Blueprint("accounts_admin", __name__, url_prefix="/admin/accounts")


def _chosen_language() -> str | None:
    """The language picked with the language switch (kept in the session), if any."""
    lang = session.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else None


@bp.route("/register", methods=["GET", "POST"])
@per_address("REGISTER_RATE_LIMIT")
def register():
    """Register, with consent to the privacy notice; the account is made from the mailed link."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            email = registration.start_registration(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                role=form.role.data,
                organisation_name=form.organisation.data,
                consent=form.consent.data,
                locale=_chosen_language(),
            )
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            session["registered_email"] = email
            # Where the reader was (e.g. an article, `#pasal-3`): the mailed link brings them back there.
            back = safe_next(request.args.get("next"), "")
            if back:
                session["registration_next"] = back
            return redirect(url_for("accounts.registration_sent"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form), status


@bp.get("/register/sent")
def registration_sent():
    """"Check your mail": the same page whether or not the address already had an account."""
    return render_template("accounts/register_sent.html", email=session.pop("registered_email", None))


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@per_address("LOGIN_RATE_LIMIT")
def confirm_registration(token: str):
    """Finish a registration from the mailed link: the password chosen then makes the account."""
    try:
        pending = registration.pending_registration_for(token)
    except ValidationError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.register"))
    form = ConfirmRegistrationForm()
    if form.validate_on_submit():
        try:
            user = registration.confirm_registration(token, form.password.data)
        except ValidationError as error:
            attach_to_form(form, error)
        except Conflict as error:
            flash(error.message, "info")
            return redirect(url_for("accounts.login"))
        else:
            back = session.pop("registration_next", None)  # signing in starts a new session
            auth.sign_in(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.display_name), "success")
            if user.affiliation_pending:
                flash(_("An admin will verify your organisation. Until then you take part as a citizen."), "info")
            return redirect(safe_next(back, url_for("main.index")))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/register_confirm.html", form=form, pending=pending), status


@bp.route("/login", methods=["GET", "POST"])
@per_address("LOGIN_RATE_LIMIT")
def login():
    """Sign in with email and password."""
    target = safe_next(request.args.get("next"), url_for("main.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, remember=form.remember.data)
        except SignInPaused as paused:  # too many wrong passwords for this account: say until when
            form.form_errors.append(paused.message)
            return render_template("accounts/login.html", form=form), 429, {"Retry-After": str(paused.retry_after)}
        if user is not None:
            held = auth.second_step(user, remember=form.remember.data, target=target)
            if held is not None:
                return held  # the code of the second factor comes next
            auth.sign_in(user)
            flash(_("You are signed in."), "success")
            return redirect(target)
        form.form_errors.append(_("The email or password is wrong."))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out: this session ends on the server, so no copy of its cookies works afterwards."""
    if current_user.is_authenticated:
        services.sign_out(current_user._get_current_object())
    auth.sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/reset-password", methods=["GET", "POST"])
@per_address("RESET_RATE_LIMIT")
def request_reset():
    """Ask for a password-reset link; the answer is the same whether or not the email is known."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(_("If this email has an account, a link to reset the password has been sent to it."), "info")
        return redirect(url_for("accounts.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/reset_request.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@per_address("RESET_RATE_LIMIT")
def reset_password(token: str):
    """Choose a new password with a reset link."""
    try:
        services.reset_request_for(token)
    except ValidationError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            flash(_("Your password has been changed. Sign in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/reset_password.html", form=form), status


@bp.get("/account")
@login_required
def account():
    """The signed-in user's own account: role, organisation, consents, other sessions."""
    user = current_user._get_current_object()
    return render_template(
        "accounts/account.html", user=user, other_sessions=services.other_session_count(user),
        confirm_form=ConfirmForm(),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@per_address("LOGIN_RATE_LIMIT")
def change_password():
    """Choose a new password (the current one is asked); every other session ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            auth.continue_as(user)  # this browser goes on, under the session's new token
            flash(_("Your password has been changed. You are signed out everywhere else."), "success")
            return redirect(url_for("accounts.account"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/change_password.html", form=form), status


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    """Sign out on every other device and browser."""
    if ConfirmForm().validate_on_submit():
        ended = services.end_other_sessions(current_user._get_current_object())
        flash(ngettext("You were signed out of %(num)d other session.",
                       "You were signed out of %(num)d other sessions.", ended), "success")
    return redirect(url_for("accounts.account"))


# --- admin -------------------------------------------------------------------

@admin_bp.get("/")
@login_required
def users():
    """All accounts, with a filter for affiliations waiting for verification."""
    page = query_int("page", 1)
    pagination = services.list_users(
        current_user,
        query=request.args.get("q", "")[:100],
        role=request.args.get("role", ""),
        pending_only=request.args.get("pending") == "1",
        page=page,
    )
    return render_template("accounts/admin_users.html", pagination=pagination)


@admin_bp.route("/<int:user_id>", methods=["GET"])
@login_required
def user_detail(user_id: int):
    """One account, with the admin actions."""
    permissions.require(current_user, "user.manage")
    user = services.get_user(user_id)
    return render_template(
        "accounts/admin_user.html",
        user=user,
        role_form=RoleForm(role=user.role),
        reason_form=ReasonForm(),
        confirm_form=ConfirmForm(),
    )


@admin_bp.post("/<int:user_id>/verify")
@login_required
def verify(user_id: int):
    """Verify the account's affiliation with its organisation."""
    permissions.require(current_user, "organisation.verify")
    user = services.get_user(user_id)
    if ConfirmForm().validate_on_submit():
        services.verify_affiliation(current_user, user)
        flash(_("The affiliation of %(name)s is verified.", name=user.display_name), "success")
    return redirect(url_for("accounts_admin.user_detail", user_id=user.id))


@admin_bp.post("/<int:user_id>/revoke")
@login_required
def revoke(user_id: int):
    """Refuse or withdraw the affiliation, with a reason."""
    permissions.require(current_user, "organisation.verify")
    user = services.get_user(user_id)
    form = ReasonForm()
    if form.validate_on_submit():
        services.revoke_affiliation(current_user, user, form.reason.data)
        flash(_("The affiliation was removed; the account takes part as a citizen."), "success")
        return redirect(url_for("accounts_admin.user_detail", user_id=user.id))
    return render_template(
        "accounts/admin_user.html", user=user, role_form=RoleForm(role=user.role),
        reason_form=form, confirm_form=ConfirmForm(),
    ), 400


@admin_bp.post("/<int:user_id>/role")
@login_required
def change_role(user_id: int):
    """Change the account's role."""
    permissions.require(current_user, "user.manage")
    user = services.get_user(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.set_role(current_user, user, form.role.data)
        except ValidationError as error:
            flash(error.message, "error")
        else:
            flash(_("The role was changed."), "success")
    else:
        flash(_("Choose a role from the list."), "error")
    return redirect(url_for("accounts_admin.user_detail", user_id=user.id))


@admin_bp.post("/<int:user_id>/active")
@login_required
def toggle_active(user_id: int):
    """Deactivate or reactivate the account."""
    permissions.require(current_user, "user.manage")
    user = services.get_user(user_id)
    if ConfirmForm().validate_on_submit():
        services.set_active(current_user, user, not user.active)
        flash(_("The account was updated."), "success")
    return redirect(url_for("accounts_admin.user_detail", user_id=user.id))
