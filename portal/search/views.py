"""The search page: one box, results with highlights, facets, sort and paging."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import permissions
from portal.errors import ValidationError
from portal.contributions.models import KIND_LABELS, STATUS_LABELS
from portal.numbers import query_int
from portal.search import services

bp = Blueprint("search", __name__)

SEARCH_KIND_LABELS = {
    "policy": _l("Draft policy"),
    "article": _l("Article (Pasal)"),
    **KIND_LABELS,
}
GROUP_LABELS = {
    "citizen": _l("Citizen (warga)"),
    "ngo": _l("NGO (LSM)"),
    "academic": _l("Academic (akademisi)"),
    "official": _l("Official"),
}
SEARCH_STATUS_LABELS = {**STATUS_LABELS, "draft": _l("Draft (officials only)")}
DATE_LABELS = {"7d": _l("Last 7 days"), "30d": _l("Last 30 days"), "365d": _l("Last year")}
FACET_PARAMS = {"kind": "kind", "policy": "policy", "group": "group", "status": "status", "date": "since"}
FACET_TITLES = {
    "kind": _l("Kind"),
    "policy": _l("Draft policy"),
    "group": _l("Author group"),
    "status": _l("Status"),
    "date": _l("Date"),
}


@bp.app_context_processor
def search_labels():
    """Kind and group names for the search templates."""
    return {"search_kind_labels": SEARCH_KIND_LABELS, "search_group_labels": GROUP_LABELS}


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/search")
def index():
    """Search draft policies, their articles and everything people wrote."""
    args = request.args
    text = args.get("q", "")
    page, error = None, None
    page_number = query_int("page", 1)
    if text.strip():
        try:
            page = services.search(
                current_user,
                text,
                kinds=args.getlist("kind"),
                policy_ids=args.getlist("policy"),
                groups=args.getlist("group"),
                statuses=args.getlist("status"),
                date_range=args.get("since"),
                date_from=_date(args.get("from")),
                date_to=_date(args.get("to")),
                sort=args.get("sort", "relevance"),
                page=page_number,
            )
        except ValidationError as failure:
            error = failure.message
    facets = _facets(page) if page is not None else []
    return render_template(
        "search/index.html", q=text, page=page, error=error, facets=facets,
        sort=args.get("sort", "relevance"), date_from=args.get("from", ""), date_to=args.get("to", ""),
    )


def _toggled(param: str, value: str) -> str:
    """This page's URL with `param=value` switched on or off (back to page 1)."""
    args = request.args.to_dict(flat=False)
    values = args.get(param, [])
    if value in values:
        values = [v for v in values if v != value]
    elif param == "since":
        values = [value]
    else:
        values = values + [value]
    args[param] = values
    args.pop("page", None)
    return url_for("search.index", **args)


def _facets(page) -> list[dict]:
    """Facet groups for the template: title and (label, count, active, url) per value."""
    labels = {
        "kind": SEARCH_KIND_LABELS,
        "group": GROUP_LABELS,
        "status": SEARCH_STATUS_LABELS,
        "date": DATE_LABELS,
        "policy": page.policy_names,
    }
    groups = []
    for name, param in FACET_PARAMS.items():
        if name == "status" and not permissions.is_official(current_user):
            continue
        chosen = request.args.getlist(param)
        counts = page.results.facets.get(name, [])
        if name == "date":  # newest range first, whatever the counts
            order = list(DATE_LABELS)
            counts = sorted(counts, key=lambda item: order.index(item[0]) if item[0] in order else len(order))
        values = []
        for value, count in counts:
            if name == "policy" and value not in page.policy_names:
                continue
            label = labels[name].get(value, value)
            values.append({"label": label, "count": count, "active": value in chosen, "url": _toggled(param, value)})
        if values:
            groups.append({"title": FACET_TITLES[name], "values": values})
    return groups
