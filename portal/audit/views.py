"""The admin's view of the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from portal.audit import labels, services
from portal.i18n import to_utc
from portal.numbers import query_int

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _date_arg(name: str) -> datetime | None:
    value = request.args.get(name, "")
    try:
        return to_utc(datetime.strptime(value, "%Y-%m-%d")) if value else None
    except ValueError:
        return None


@bp.get("/")
@login_required
def index():
    """Browse the audit log, filtered by action, actor, kind of item and date."""
    since = _date_arg("since")
    until = _date_arg("until")
    pagination = services.browse(
        current_user,
        action=request.args.get("action") or None,
        actor_id=query_int("actor"),
        target_type=request.args.get("target") or None,
        since=since,
        until=until + timedelta(days=1) if until else None,
        page=query_int("page", 1),
    )
    return render_template(
        "audit/index.html",
        pagination=pagination,
        rows=[
            {"entry": entry, "action": labels.action_label(entry.action), "target": labels.target_text(entry),
             "detail": labels.detail_text(entry)}
            for entry in pagination.items
        ],
        actions=[(name, labels.action_label(name)) for name in services.actions()],
    )
