"""Two-factor pages: the code at sign-in, enrolment with a QR code, recovery codes, turning it
off, confirming who one is before a change to how one signs in, and the admin reset."""

from __future__ import annotations

import hashlib
import time

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from portal import permissions
from portal.accounts import auth, sessions
from portal.accounts.models import User
from portal.errors import Conflict, ValidationError, attach_to_form
from portal.extensions import db, limiter, utcnow
from portal.ratelimits import per_account_and_address
from portal.redirects import safe_next
from portal.twofactor import services
from portal.twofactor.forms import ActionForm, CodeForm, EnrolForm, ReauthForm, ResetForm

bp = Blueprint("twofactor", __name__)

# The browser session's note that the password was right and the code is still to come.
PENDING = "twofactor_pending"


def _limit():
    return current_app.config["TWO_FACTOR_RATE_LIMIT"]


def _fingerprint(user: User) -> str:
    """Changes when the password does, so a pending sign-in dies with the old password."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _pending_key() -> str:
    """Code attempts are counted per account whose password was given (and per address)."""
    pending = session.get(PENDING)
    if isinstance(pending, dict) and isinstance(pending.get("user"), int):
        return f"twofactor-account:{pending['user']}"
    return f"address:{request.remote_addr or 'unknown'}"


def hold_for_code(user: User, *, remember: bool, target: str):
    """The second step (registered with portal.accounts.auth): an account with a second factor is
    not signed in by its password. The session the password opened ends at once; the browser
    keeps only a note (in its signed session) that the code is due, for a few minutes."""
    if not services.is_enrolled(user):
        return None
    sessions.end(user.session_token)
    user.session_token = None
    user.session_record = None
    db.session.commit()
    kept = {key: session[key] for key in ("lang", "csrf_token") if key in session}
    session.clear()
    session.update(kept)
    session[PENDING] = {"user": user.id, "remember": bool(remember), "at": int(time.time()),
                        "next": target, "check": _fingerprint(user)}
    return redirect(url_for("twofactor.sign_in_code"))


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None, {}
    if int(time.time()) - int(pending.get("at") or 0) > current_app.config["TWO_FACTOR_PENDING_MAX_AGE"]:
        session.pop(PENDING, None)
        return None, {}
    user = db.session.get(User, pending["user"])
    if user is None or not user.active or pending.get("check") != _fingerprint(user) or not services.is_enrolled(user):
        session.pop(PENDING, None)
        return None, {}
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@limiter.limit(_limit, key_func=_pending_key, methods=["POST"])
def sign_in_code():
    """The second step of signing in: the code from the app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user, pending = _pending_user()
    if user is None:
        flash(_("Sign in with your email and password first."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            kind = services.verify_sign_in_code(user, form.code.data)
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            user.last_login_at = utcnow()
            sessions.start(user, remember=bool(pending.get("remember")))
            db.session.commit()
            auth.sign_in(user)  # a new browser session: the pending note goes with the old one
            flash(_("You are signed in."), "success")
            if kind == "recovery":
                left = services.recovery_codes_left(user)
                flash(_("You used a recovery code; %(num)d are left. Make new ones on the two-factor page if you run short.",
                        num=left), "info")
            return redirect(safe_next(pending.get("next"), url_for("main.index")))
    status = 400 if request.method == "POST" else 200
    return render_template("twofactor/sign_in_code.html", form=form), status


# --- the account's own second factor ---------------------------------------------------

def _qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG, drawn on the server (segno): no script, no outside service.
    Markup is safe: segno writes only its own elements, and escapes the title it is given."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="qr",
        title=_("QR code for your authenticator app"),
    )
    svg = svg.replace("<svg ", '<svg role="img" ', 1)
    return Markup(svg)  # nosec B704 # segno's own SVG elements; the title it is given is escaped


@bp.get("/account/two-factor")
@login_required
def settings():
    """Whether two-factor sign-in is on, with its actions."""
    user = current_user._get_current_object()
    return render_template(
        "twofactor/settings.html", enrolled=services.is_enrolled(user), required=services.is_required(user),
        codes_left=services.recovery_codes_left(user), form=ActionForm(),
    )


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
@per_account_and_address("TWO_FACTOR_RATE_LIMIT", "twofactor-setup")
def setup():
    """Enrol an authenticator app: scan the QR code (or type the secret), then type its first code."""
    user = current_user._get_current_object()
    try:
        secret = services.start_enrolment(user)
    except Conflict as error:
        flash(error.message, "info")
        return redirect(url_for("twofactor.settings"))
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = services.confirm_enrolment(user, form.code.data)
        except ValidationError as error:
            attach_to_form(form, error)
        except Conflict as error:
            flash(error.message, "info")
            return redirect(url_for("twofactor.settings"))
        else:
            flash(_("Two-factor sign-in is on. From now on you sign in with your password and a code."), "success")
            return _show_recovery_codes(codes)
    status = 400 if request.method == "POST" else 200
    uri = services.provisioning_uri(user, secret)
    return render_template(
        "twofactor/setup.html", form=form, qr=_qr_svg(uri), secret=services.format_secret(secret),
        required=services.is_required(user),
    ), status


def _show_recovery_codes(codes: list[str]):
    """The only time the codes are shown: in the answer to the request that made them, never cached."""
    response = current_app.make_response(render_template("twofactor/recovery_codes.html", codes=codes))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/two-factor/recovery-codes")
@login_required
def new_recovery_codes():
    """Ten new recovery codes; the old ones stop working."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        codes = services.regenerate_recovery_codes(current_user._get_current_object())
    except Conflict as error:
        flash(error.message, "info")
        return redirect(url_for("twofactor.settings"))
    flash(_("New recovery codes were made; the old ones no longer work."), "success")
    return _show_recovery_codes(codes)


@bp.post("/account/two-factor/disable")
@login_required
def disable():
    """Turn two-factor sign-in off (moderators and admins must set it up again at once)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    try:
        services.disable(user)
    except Conflict as error:
        flash(error.message, "info")
        return redirect(url_for("twofactor.settings"))
    if services.is_required(user):
        flash(_("The old second factor was removed. Set up your authenticator app again to go on."), "info")
        return redirect(url_for("twofactor.setup"))
    flash(_("Two-factor sign-in is off."), "success")
    return redirect(url_for("twofactor.settings"))


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_required
@per_account_and_address("TWO_FACTOR_RATE_LIMIT", "twofactor-reauth")
def reauthenticate():
    """Confirm who is at the keyboard (password, and code when on) before a change to the password
    or the second factor; it holds for REAUTH_MAX_AGE seconds."""
    user = current_user._get_current_object()
    target = safe_next(request.args.get("next"), url_for("accounts.account"))
    form = ReauthForm()
    enrolled = services.is_enrolled(user)
    if form.validate_on_submit():
        try:
            services.reauthenticate(user, form.password.data, form.code.data)
        except ValidationError as error:
            attach_to_form(form, error)
        else:
            session[auth.AUTHENTICATED_AT] = int(time.time())
            return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render_template("twofactor/reauthenticate.html", form=form, enrolled=enrolled), status


# --- admin ------------------------------------------------------------------------------

@bp.post("/admin/accounts/<int:user_id>/two-factor/reset")
@login_required
def admin_reset(user_id: int):
    """An admin removes an account's second factor (a lost phone); recorded in the audit log."""
    permissions.require(current_user, "twofactor.reset")
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            services.reset(current_user._get_current_object(), user, form.reason.data)
        except Conflict as error:
            flash(error.message, "info")
        else:
            flash(_("The second factor of %(name)s was removed and their sessions ended.", name=user.display_name),
                  "success")
    else:
        flash(_("The reason may be at most 500 characters."), "error")
    return redirect(url_for("accounts_admin.user_detail", user_id=user.id))
