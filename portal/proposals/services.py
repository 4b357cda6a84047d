"""Draft-policy rules: listing, creating, versioning, the status workflow."""

from __future__ import annotations

from sqlalchemy import case, select

from portal import permissions
from portal.extensions import db
from portal.proposals.models import Policy


def public_policies(actor) -> list[Policy]:
    """Policies the actor may see: open consultations first, then the rest, newest first."""
    query = select(Policy)
    if not permissions.can(actor, "policy.view_drafts"):
        query = query.where(Policy.status != "draft")
    order = case({"open": 0, "draft": 1, "closed": 2, "adopted": 3, "withdrawn": 4}, value=Policy.status)
    query = query.order_by(order, Policy.closes_at.asc().nulls_last(), Policy.created_at.desc())
    return list(db.session.scalars(query))
