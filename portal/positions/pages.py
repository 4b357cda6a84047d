"""What a position record's page shows, gathered by one builder the view calls
(the comment part in a bounded number of queries, whatever the number of comments)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.comments import pages as comment_pages
from portal.positions import services
from portal.positions.models import Position


@dataclass
class PositionPage:
    """A position record, the policies linked to it and the comment summary of its fields."""

    position: Position
    policies: list
    comments: comment_pages.PositionSummary


def position_page(viewer, position: Position) -> PositionPage:
    """The page of `position` as `viewer` sees it."""
    return PositionPage(
        position=position,
        policies=services.policies_for(viewer, position),
        comments=comment_pages.position_summary(viewer, position),
    )
