"""Draft-policy pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from portal import permissions
from portal.proposals import services

bp = Blueprint("proposals", __name__, url_prefix="/policies")


@bp.get("/")
def index():
    """All public policies, open consultations first."""
    return render_template("proposals/index.html", policies=services.public_policies(current_user))


@bp.get("/new")
@login_required
def new():
    """Create a policy (officials)."""
    permissions.require(current_user, "policy.create")
    return render_template("proposals/index.html", policies=[])
