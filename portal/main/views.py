"""The home page, language switch, and the pages about the portal itself."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.accounts import services as account_services
from portal.errors import ValidationError
from portal.proposals import services as policy_services
from portal.redirects import safe_next

bp = Blueprint("main", __name__)


@bp.app_template_global()
def first_time_on_page(key: str) -> bool:
    """True the first time the page being rendered asks for `key`, False after: a notice that
    would stand under each of a draft's articles is shown once."""
    shown = g.setdefault("notices_shown", set())
    if key in shown:
        return False
    shown.add(key)
    return True


@bp.get("/")
def index():
    """Home: open consultations first, then the rest of the public policies."""
    policies = policy_services.public_policies(current_user)
    return render_template("main/index.html", policies=policies)


@bp.post("/language")
def set_language():
    """Switch the interface language and go back to the page the user was on."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            try:
                account_services.set_locale(current_user, lang)
            except ValidationError:
                pass
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))


@bp.get("/privacy")
def privacy():
    """The privacy notice users consent to (UU PDP)."""
    return render_template(
        "main/privacy.html", version=current_app.config["PRIVACY_NOTICE_VERSION"],
        retention_days=current_app.config["PERSONAL_DATA_RETENTION_DAYS"],
    )


@bp.get("/help", endpoint="help")
def help_page():
    """How to take part, and a short glossary of the terms the portal uses."""
    return render_template("main/help.html")


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement: what the portal aims for, how it is checked, whom to tell."""
    return render_template("main/accessibility.html")


@bp.get("/terms")
def terms():
    """The terms of use of the portal."""
    return render_template("main/terms.html")
