"""What the links pages show, in a fixed number of queries: the moderators' review of
suggested links, a page at a time, and the members of one campaign."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal import permissions
from portal.aspirations.links.models import ContributionLink
from portal.contributions import services as contributions
from portal.contributions.models import Contribution
from portal.errors import NotFound
from portal.extensions import db


@dataclass
class ReviewItem:
    """One contribution with its links still to decide (and those already decided)."""

    contribution: Contribution
    suggested: list[ContributionLink]
    others: list[ContributionLink]  # active links of the author or confirmed


def review_page(viewer, page: int):
    """Contributions with suggested links no moderator has decided yet, the oldest first."""
    permissions.require(viewer, "aspiration_link.review")
    waiting = (
        select(ContributionLink.contribution_id)
        .where(ContributionLink.source == "suggested", ContributionLink.status == "active")
        .distinct()
    )
    query = (
        select(Contribution)
        .where(Contribution.id.in_(waiting), Contribution.status == "published")
        .order_by(Contribution.id)
        .options(joinedload(Contribution.author), joinedload(Contribution.policy))
    )
    pagination = db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False, count=True)
    ids = [item.id for item in pagination.items]
    links: dict[int, list[ContributionLink]] = {}
    if ids:
        for link in db.session.scalars(
            select(ContributionLink)
            .where(ContributionLink.contribution_id.in_(ids), ContributionLink.status == "active")
            .order_by(ContributionLink.id)
            .options(joinedload(ContributionLink.position), joinedload(ContributionLink.opd))
        ):
            links.setdefault(link.contribution_id, []).append(link)
    pagination.items = [
        ReviewItem(item, [lk for lk in links.get(item.id, []) if lk.source == "suggested"],
                   [lk for lk in links.get(item.id, []) if lk.source != "suggested"])
        for item in pagination.items
    ]
    return pagination


@dataclass
class CampaignPage:
    """The members of one campaign the viewer may see, a page at a time."""

    campaign_id: int
    representative: Contribution | None
    total: int
    pagination: object


def campaign_page(viewer, campaign_id: int, page: int) -> CampaignPage:
    """Every visible near-copy of one text; NotFound when the viewer sees none of them."""
    where = [Contribution.campaign_id == campaign_id, contributions.visible_filter(viewer)]
    total = db.session.scalar(select(func.count(Contribution.id)).where(*where)) or 0
    if total == 0:
        raise NotFound()
    query = select(Contribution).where(*where).order_by(Contribution.id).options(joinedload(Contribution.author))
    pagination = db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False, count=True)
    representative = db.session.get(Contribution, campaign_id)
    if representative is not None and not contributions.visible_to(viewer, representative):
        representative = None
    return CampaignPage(campaign_id, representative, total, pagination)
