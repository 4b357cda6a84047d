"""Reading comments a bounded amount at a time: the few that matter most per
article (or position field), one page of a sorted and filtered list, and one
comment with a page of its replies.

Every function here sends a fixed number of queries, whatever the number of
comments: counting and ranking happen in SQL (grouped counts, window
functions), and only the rows a page shows are loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from portal.accounts.models import User
from portal.comments.models import STANCES, Comment, Endorsement
from portal.comments.services import CommentView, _old_article_bodies, _views
from portal.extensions import db
from portal.contributions import services as contributions
from portal.contributions.models import Contribution
from portal.proposals.models import Policy

SORTS = ("newest", "oldest", "endorsed")
GROUPS = ("citizen", "ngo", "academic", "official")
TOP_PER_KEY = 3  # comments shown under each article / field on the policy and position pages
MOST_ENDORSED = 2  # of those, how many are picked for their endorsements (the rest are the newest)


@dataclass(frozen=True)
class Filters:
    """How a comment list is sorted and narrowed (already checked against SORTS, STANCES and GROUPS)."""

    sort: str = "newest"
    stance: str | None = None
    group: str | None = None

    @classmethod
    def parse(cls, sort: str | None, stance: str | None, group: str | None) -> "Filters":
        """Filters from query-string values; an unknown value means no filter (or the default sort)."""
        return cls(
            sort=sort if sort in SORTS else "newest",
            stance=stance if stance in STANCES else None,
            group=group if group in GROUPS else None,
        )

    def args(self) -> dict:
        """The filters as query-string arguments (defaults left out), for page links."""
        values = {"sort": self.sort if self.sort != "newest" else None, "stance": self.stance, "group": self.group}
        return {key: value for key, value in values.items() if value}


def on_policy(viewer, policy: Policy) -> list:
    """The SQL conditions for the viewer's visible comments on a policy's text (not on positions)."""
    return [Comment.policy_id == policy.id, Comment.position_id.is_(None), contributions.visible_filter(viewer)]


def on_position(viewer, position) -> list:
    """The SQL conditions for the viewer's visible comments on a position record."""
    return [Comment.position_id == position.id, contributions.visible_filter(viewer)]


def counts_by(where: list, key_column) -> dict:
    """Visible comments (replies included) per key, in one grouped query."""
    rows = db.session.execute(
        select(key_column, func.count(Comment.id)).select_from(Comment).where(*where).group_by(key_column)
    )
    return {key: count for key, count in rows}


def not_a_shown_copy(viewer):
    """Leaves out a near-copy (`campaign_id`) whose campaign's first comment the viewer sees in the same
    place: that one is shown with the count of all of them (`campaign_sizes`); every copy stays counted."""
    first = aliased(Comment)
    return or_(
        Comment.campaign_id.is_(None),
        Comment.campaign_id == Comment.id,
        ~exists().where(
            first.id == Comment.campaign_id,
            first.parent_id.is_(None),
            first.policy_id == Comment.policy_id,
            first.position_id.is_not_distinct_from(Comment.position_id),
            first.article_key.is_not_distinct_from(Comment.article_key),
            first.position_field.is_not_distinct_from(Comment.position_field),
            contributions.visible_filter(viewer, first),
        ),
    )


def campaign_sizes(viewer, views: dict) -> dict[int, int]:
    """comment id -> visible near-copies of its text (itself included), for the comments that stand
    for a campaign, in one grouped query."""
    firsts = [i for i, view in views.items() if view.comment.campaign_id == i]
    if not firsts:
        return {}
    return dict(db.session.execute(
        select(Contribution.campaign_id, func.count(Contribution.id))
        .where(Contribution.campaign_id.in_(firsts), contributions.visible_filter(viewer))
        .group_by(Contribution.campaign_id)
    ).all())


def _endorsement_counts():
    return (
        select(Endorsement.comment_id, func.count(Endorsement.id).label("n"))
        .group_by(Endorsement.comment_id)
        .subquery()
    )


def top_by_key(viewer, where: list, key_column, per_key: int = TOP_PER_KEY) -> dict:
    """key -> the few top-level comments that matter most: the most endorsed, then the newest."""
    counts = _endorsement_counts()
    endorsed = func.coalesce(counts.c.n, 0)
    ranked = (
        select(
            Comment.id.label("id"),
            key_column.label("key"),
            endorsed.label("n"),
            func.row_number().over(partition_by=key_column, order_by=(endorsed.desc(), Comment.id.desc()))
            .label("by_endorsed"),
            func.row_number().over(partition_by=key_column, order_by=Comment.id.desc()).label("by_newest"),
        )
        .outerjoin(counts, counts.c.comment_id == Comment.id)
        .where(*where, Comment.parent_id.is_(None), not_a_shown_copy(viewer))
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.id, ranked.c.key, ranked.c.n, ranked.c.by_endorsed, ranked.c.by_newest)
        .where(or_(ranked.c.by_endorsed <= MOST_ENDORSED, ranked.c.by_newest <= per_key))
    ).all()
    chosen: dict = {}
    for row in sorted(rows, key=lambda r: r.by_endorsed):
        if row.n > 0 and row.by_endorsed <= MOST_ENDORSED:
            chosen.setdefault(row.key, []).append(row.id)
    for row in sorted(rows, key=lambda r: r.by_newest):
        ids = chosen.setdefault(row.key, [])
        if row.id not in ids and len(ids) < per_key:
            ids.append(row.id)
    views = load_views(viewer, [i for ids in chosen.values() for i in ids])
    return {key: [views[i] for i in ids if i in views] for key, ids in chosen.items()}


def load_views(viewer, ids: list[int]) -> dict[int, CommentView]:
    """CommentViews of these comments (author loaded, endorsements and reply counts filled)."""
    if not ids:
        return {}
    comments = db.session.scalars(
        select(Comment).where(Comment.id.in_(ids)).options(joinedload(Comment.author).joinedload(User.organisation))
    ).unique()
    views = _views(viewer, list(comments))
    for comment_id, count in _reply_counts(viewer, list(views)).items():
        views[comment_id].reply_count = count
    for comment_id, size in campaign_sizes(viewer, views).items():
        views[comment_id].campaign_size = size
    return views


def _reply_counts(viewer, ids: list[int]) -> dict[int, int]:
    """comment id -> visible replies, in one grouped query."""
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Comment.parent_id, func.count(Comment.id))
        .where(Comment.parent_id.in_(ids), contributions.visible_filter(viewer))
        .group_by(Comment.parent_id)
    ).all())


def page_of(viewer, where: list, filters: Filters, page: int, per_page: int):
    """One page of top-level comments, sorted and filtered; `items` are CommentViews."""
    counts = _endorsement_counts()
    query = select(Comment).outerjoin(counts, counts.c.comment_id == Comment.id).where(
        *where, Comment.parent_id.is_(None), not_a_shown_copy(viewer)
    )
    if filters.stance:
        query = query.where(Comment.stance == filters.stance)
    if filters.group:
        query = query.where(Comment.stakeholder_group == filters.group)
    order = {
        "newest": (Comment.id.desc(),),
        "oldest": (Comment.id.asc(),),
        "endorsed": (func.coalesce(counts.c.n, 0).desc(), Comment.id.desc()),
    }[filters.sort]
    query = query.order_by(*order).options(joinedload(Comment.author).joinedload(User.organisation))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    views = _views(viewer, list(pagination.items))
    for comment_id, count in _reply_counts(viewer, list(views)).items():
        views[comment_id].reply_count = count
    for comment_id, size in campaign_sizes(viewer, views).items():
        views[comment_id].campaign_size = size
    pagination.items = list(views.values())
    return pagination


def replies_page(viewer, comment: Comment, page: int, per_page: int):
    """One page of a comment's visible replies, oldest first; `items` are CommentViews."""
    query = (
        select(Comment)
        .where(Comment.parent_id == comment.id, contributions.visible_filter(viewer))
        .order_by(Comment.id)
        .options(joinedload(Comment.author).joinedload(User.organisation))
    )
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    pagination.items = list(_views(viewer, list(pagination.items)).values())
    return pagination


def mark_versions(policy: Policy, views) -> None:
    """Mark comments made on an older version with its number, and whether their article changed since."""
    current = policy.current_version
    older = [view for view in views if current is not None and view.comment.version_id not in (None, current.id)]
    if not older:
        return
    numbers = {version.id: version.number for version in policy.versions}
    current_bodies = {article.key: article.body for article in current.articles}
    old_bodies = _old_article_bodies([view.comment for view in older], current.id)
    for view in older:
        comment = view.comment
        view.made_on = numbers.get(comment.version_id)
        key = comment.article_key
        if key is not None and key in current_bodies:
            old = old_bodies.get((comment.version_id, key))
            view.changed_since = old is None or old[2] != current_bodies[key]
