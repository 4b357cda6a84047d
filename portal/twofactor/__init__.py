"""Two-factor sign-in (TOTP): the code after the password, and the gate that keeps staff without
a second factor on the enrolment page and asks for a recent sign-in before sensitive changes."""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

# What an account that must enrol (TWO_FACTOR_REQUIRED_ROLES) may still reach before it has.
OPEN_BEFORE_ENROLMENT = frozenset({
    "static", "twofactor.setup", "twofactor.reauthenticate", "accounts.logout", "main.set_language",
})
# Changes to how one signs in: they ask for a sign-in (or confirmation) within REAUTH_MAX_AGE.
NEEDS_RECENT_SIGN_IN = frozenset({
    "accounts.change_password", "twofactor.setup", "twofactor.new_recovery_codes", "twofactor.disable",
})


def recently_authenticated() -> bool:
    """Whether this browser proved who it is (signing in, or confirming) within REAUTH_MAX_AGE."""
    from portal.accounts.auth import AUTHENTICATED_AT

    stamp = session.get(AUTHENTICATED_AT)
    return isinstance(stamp, int) and 0 <= time.time() - stamp <= current_app.config["REAUTH_MAX_AGE"]


def _here() -> str:
    """Where to come back to: this page, or for a form, the page it was on."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return url_for("twofactor.settings") if request.endpoint != "accounts.change_password" else url_for(
        "accounts.change_password")


def init_app(app: Flask) -> None:
    """Add the code step to signing in, and the gate in front of every page."""
    from portal.accounts.auth import SECOND_STEPS
    from portal.twofactor import services
    from portal.twofactor.views import hold_for_code

    app.extensions.setdefault(SECOND_STEPS, []).append(hold_for_code)

    @app.before_request
    def second_factor_gate():
        endpoint = request.endpoint
        if endpoint is None or endpoint == "static" or not current_user.is_authenticated:
            return None
        user = current_user._get_current_object()
        if endpoint not in OPEN_BEFORE_ENROLMENT and services.must_enrol(user):
            flash(_("Your role needs two-factor sign-in. Set up an authenticator app to go on."), "info")
            return redirect(url_for("twofactor.setup"), 303)
        if endpoint in NEEDS_RECENT_SIGN_IN and not recently_authenticated():
            flash(_("Confirm it is you before changing how you sign in."), "info")
            return redirect(url_for("twofactor.reauthenticate", next=_here()), 303)
        return None
