"""Position-record pages."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("positions", __name__, url_prefix="/positions")


@bp.get("/")
def index():
    """All position records."""
    return render_template("positions/index.html")
