"""Where a contribution is shown: the one place that turns a contribution into
a local URL (its kind's page and anchor) and into the URL of its status page.

Models and services never build URLs; views, templates (`contribution_url`)
and the listeners that store a link in a notification call this module.
"""

from __future__ import annotations

from portal.contributions.models import Contribution
from portal.links import path_for


def location(contribution: Contribution) -> tuple[str, dict, str | None]:
    """Where the contribution is shown, as (endpoint, values, anchor)."""
    if contribution.kind == "comment":
        anchor = f"c-{contribution.id}"
        if contribution.public_id is not None:
            # The comment's own page, with its replies (a reply is shown there under its comment):
            # always there, however many comments its article or field has.
            return "comments.comment", {"public_id": contribution.public_id}, anchor
        if contribution.position_id is not None:
            return "consultation.position", {"position_id": contribution.position_id}, anchor
        if contribution.policy is not None:
            return "consultation.policy", {"slug": contribution.policy.slug}, anchor
    elif contribution.kind == "post":
        return "forums.thread", {"thread_id": contribution.thread_id}, f"post-{contribution.id}"
    elif contribution.kind == "submission":
        return "submissions.receipt", {"public_id": contribution.public_id}, None
    return "contributions.detail", {"public_id": contribution.public_id}, None


def contribution_url(contribution: Contribution) -> str:
    """The local URL of the contribution in its place."""
    endpoint, values, anchor = location(contribution)
    path = path_for(endpoint, **values)
    return f"{path}#{anchor}" if anchor else path


def status_path(contribution: Contribution) -> str:
    """The local path of the contribution's status page (what notifications to its author link to)."""
    return path_for("contributions.detail", public_id=contribution.public_id)
