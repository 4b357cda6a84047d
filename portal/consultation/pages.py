"""The two pages a consultation is read on: a draft policy and a position record,
each gathered by one builder the view calls.

They sit above every kind of input because they are composed of parts other
packages own (on the draft page: the comment summary, the forum threads, the
number of formal submissions, the follow state). Each part is read in a
bounded number of queries, so a page does not grow with the number of
comments. Templates only render the `PolicyPage` / `PositionPage`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from portal import permissions
from portal.aspirations.summaries import pages as summary_pages
from portal.comments import pages as comment_pages
from portal.extensions import utcnow
from portal.forums import services as forums
from portal.notifications import services as notifications
from portal.positions import services as positions
from portal.positions.models import Position
from portal.proposals import services
from portal.proposals.models import Policy, PolicyVersion
from portal.submissions import services as submissions


@dataclass
class LatestChange:
    """What the newest version changed against the one before, in numbers (details on the diff page)."""

    old: int
    new: int
    note: str
    counts: dict = field(default_factory=dict)  # "added" / "changed" / "removed" -> number of articles


@dataclass
class PolicyPage:
    """Everything the draft page shows, for one viewer."""

    policy: Policy
    version: PolicyVersion | None
    now: datetime
    moves: tuple
    comments: comment_pages.PolicySummary
    threads: list
    submission_count: int
    following: bool
    latest_change: LatestChange | None


def _latest_change(policy: Policy) -> LatestChange | None:
    versions = sorted(policy.versions, key=lambda v: v.number)
    if len(versions) < 2:
        return None
    old, new = versions[-2], versions[-1]
    counts = Counter(change.kind for change in services.diff_versions(old, new) if change.kind != "unchanged")
    return LatestChange(old.number, new.number, new.change_note or "", dict(counts))


def policy_page(viewer, policy: Policy) -> PolicyPage:
    """The draft page of `policy` as `viewer` sees it."""
    return PolicyPage(
        policy=policy,
        version=policy.current_version,
        now=utcnow(),
        moves=services.allowed_moves(policy) if permissions.can(viewer, "policy.transition", policy) else (),
        comments=comment_pages.policy_summary(viewer, policy),
        threads=forums.policy_threads(viewer, policy),
        submission_count=submissions.count_for_policy(policy) if policy.status != "draft" else 0,
        following=notifications.is_following(viewer, "policy", policy.id),
        latest_change=_latest_change(policy),
    )


@dataclass
class PositionPage:
    """A position record, the policies linked to it and the comment summary of its fields."""

    position: Position
    policies: list
    comments: comment_pages.PositionSummary
    aspirations: summary_pages.PositionAspirations


def position_page(viewer, position: Position) -> PositionPage:
    """The page of `position` as `viewer` sees it (the comment part in a bounded number of queries)."""
    return PositionPage(
        position=position,
        policies=positions.policies_for(viewer, position),
        comments=comment_pages.position_summary(viewer, position),
        aspirations=summary_pages.position_aspirations(position),
    )
