"""Password hashing (Argon2id) and the Flask-Login glue: the user loader, which checks the
session is still open on the server (portal.accounts.sessions), signing a browser in and out."""

from __future__ import annotations

import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from portal.accounts import sessions
from portal.errors import render_error
from portal.extensions import db, login_manager

# What a browser keeps in its session across signing in and out: the language it chose and
# its form token, so a form left open in another tab can still be sent. (The token proves only
# that a form came from this browser; it is no credential, and the cookie is signed.)
_KEPT_ACROSS_SIGN_IN = ("lang", "csrf_token")
_KEPT_ACROSS_SIGN_OUT = _KEPT_ACROSS_SIGN_IN + ("_remember",)
# When this browser last proved who it is (signing in, or confirming it again): changes to the
# password or the second factor ask for a recent one (portal.twofactor).
AUTHENTICATED_AT = "authenticated_at"
# Steps a sign-in passes after the right password (portal.twofactor adds the code): app.extensions key.
SECOND_STEPS = "portal.second_steps"


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker settings than today's."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


ROLE_LABELS = {
    "citizen": _l("Citizen"),
    "ngo": _l("NGO member"),
    "academic": _l("Academic"),
    "moderator": _l("Moderator (official)"),
    "admin": _l("Admin"),
}


def sign_in(user) -> None:
    """Sign this browser in to the session a service opened for `user` (`user.session_token`).

    The browser gets a new session token: nothing it held before signing in carries over but
    its language and form token, so a session planted before sign-in is worth nothing (no
    session fixation).
    """
    kept = {key: session[key] for key in _KEPT_ACROSS_SIGN_IN if key in session}
    session.clear()
    session.update(kept)
    session[AUTHENTICATED_AT] = int(time.time())
    continue_as(user)


def second_step(user, *, remember: bool, target: str):
    """After the right password: the response of a further step the sign-in must pass (the
    code of a second factor), or None to sign in now. Each step an app registered in
    `app.extensions[SECOND_STEPS]` is asked in turn."""
    for step in current_app.extensions.get(SECOND_STEPS, ()):
        response = step(user, remember=remember, target=target)
        if response is not None:
            return response
    return None


def continue_as(user) -> None:
    """Point this browser's session (and remember-me cookie) at `user`'s current session token,
    keeping the rest of the browser session (after a password change renewed the token)."""
    login_user(user, remember=bool(user.session_record and user.session_record.remember))


def sign_out() -> None:
    """Forget the signed-in user in this browser (the service has ended the session itself)."""
    logout_user()  # also asks the browser to drop the remember-me cookie
    for key in list(session):
        if key not in _KEPT_ACROSS_SIGN_OUT:
            session.pop(key)


def init_app(app: Flask) -> None:
    """Bind Flask-Login: sessions are checked on the server at every request."""
    sessions.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.id_attribute = "session_cookie_id"

    @app.context_processor
    def inject_role_names():
        return {"role_names": ROLE_LABELS}

    @login_manager.user_loader
    def load_user(cookie_id: str):
        user = sessions.load(cookie_id)
        if user is None:
            # An ended session: forget it, so the next request does not ask again.
            session.pop("_user_id", None)
            session.pop("_fresh", None)
            g.session_ended = True
        return user

    @login_manager.unauthorized_handler
    def sign_in_first():
        if request.method == "POST" and g.get("session_ended"):
            # A form sent after its session ended (signed out elsewhere, password changed, idle):
            # show what was typed instead of redirecting it away.
            return render_error(401)
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))

    @app.before_request
    def keep_session_alive():
        if request.endpoint == "static":
            return None
        user = current_user._get_current_object()  # loads and checks the session now
        if user.is_authenticated and sessions.keep_alive(user):
            db.session.commit()
        return None
