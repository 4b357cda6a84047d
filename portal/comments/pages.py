"""What each comment page shows, gathered in a fixed number of queries: the
comment summary of a policy or position page, a paged list of comments on
one article, field or whole policy, and one comment with its replies.

Views call these builders and hand the result to a template; the failed-comment
path calls the same builder as the page the form lives on, with the failed form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from portal.comments import lists, services
from portal.comments.models import POSITION_FIELDS, Comment
from portal.comments.services import CommentView
from portal.errors import NotFound
from portal.positions import tags
from portal.proposals.models import Policy


def _per_page() -> int:
    return current_app.config["PAGE_SIZE"]


@dataclass
class RemovedArticle:
    """An article the current version no longer has, with how many comments it kept."""

    key: str
    label: str
    heading: str
    count: int


@dataclass
class PolicySummary:
    """The comment part of the policy page: counts per article and the few comments under each."""

    counts: dict  # article key (None: the whole policy) -> visible comments, replies included
    top: dict  # article key -> a few CommentViews
    removed: list[RemovedArticle]
    accepts_input: bool
    closed_message: str

    @property
    def total(self) -> int:
        """All visible comments on the policy's text."""
        return sum(self.counts.values())


def policy_summary(viewer, policy: Policy) -> PolicySummary:
    """Counts per article and the top few comments under each, for `viewer`."""
    where = lists.on_policy(viewer, policy)
    counts = lists.counts_by(where, Comment.article_key)
    top = lists.top_by_key(viewer, where, Comment.article_key)
    lists.mark_versions(policy, [view for views in top.values() for view in views])
    current = policy.current_version
    current_keys = {article.key for article in current.articles} if current else set()
    removed_keys = [key for key in counts if key is not None and key not in current_keys]
    labels = services._labels_of_removed(policy, removed_keys)
    removed = [
        RemovedArticle(key, *labels.get(key, (key, "")), count=counts[key])
        for key in sorted(removed_keys, key=lambda k: services._article_order(labels, k))
    ]
    return PolicySummary(counts, top, removed, policy.accepts_input(), services.closed_message())


@dataclass
class ListPage:
    """A paged, sorted and filtered list of comments on one place, with that place's comment form."""

    title: str
    scope: str  # "article", "removed", "whole", "all" (a policy) or "field" (a position)
    key: str | None  # the article key or position field
    policy: Policy | None
    position: object | None
    pagination: object
    filters: lists.Filters
    accepts_input: bool
    closed_message: str
    form: object | None = None  # the comment form that failed, to show again with its errors and text
    article: object | None = None
    hidden: dict = field(default_factory=dict)  # the hidden fields of this page's comment form
    concerns: list = field(default_factory=list)  # (value, label): positions and OPDs the author may tag


def concerns_of(policy: Policy | None, position=None) -> list[tuple[str, str]]:
    """What an author may say a comment concerns: the policy's positions (or the position) and their OPDs."""
    return tags.choices_for([position] if position is not None else (policy.positions if policy is not None else []))


def _article_of(policy: Policy, key: str):
    current = policy.current_version
    return next((article for article in (current.articles if current else ()) if article.key == key), None)


def policy_list_page(viewer, policy: Policy, filters: lists.Filters, page: int, *, key: str | None = None,
                     whole: bool = False, form=None) -> ListPage:
    """Comments on one article (`key`), on the policy as a whole (`whole`) or on all of it."""
    where = lists.on_policy(viewer, policy)
    article, scope, title, hidden = None, "all", policy.title, {}
    if key is not None:
        article = _article_of(policy, key)
        if article is not None:
            scope, title, hidden = "article", article.label, {"article_key": key}
        else:
            label = services._labels_of_removed(policy, [key]).get(key)
            if label is None:
                raise NotFound()
            scope, title = "removed", label[0]
        where.append(Comment.article_key == key)
    elif whole:
        scope = "whole"
        where.append(Comment.article_key.is_(None))
    pagination = lists.page_of(viewer, where, filters, page, _per_page())
    lists.mark_versions(policy, pagination.items)
    accepting = policy.accepts_input() and scope != "removed"
    return ListPage(title, scope, key, policy, None, pagination, filters, accepting,
                    services.closed_message(), form=form, article=article, hidden=hidden,
                    concerns=concerns_of(policy) if accepting else [])


@dataclass
class PositionSummary:
    """The comment part of a position page: counts per field and the few comments under each."""

    counts: dict
    top: dict
    open_policy: Policy | None
    closed_message: str

    @property
    def accepts_input(self) -> bool:
        """Comments are taken while a linked policy is open for consultation."""
        return self.open_policy is not None


def position_summary(viewer, position) -> PositionSummary:
    """Counts per field and the top few comments under each, for `viewer`."""
    where = lists.on_position(viewer, position)
    return PositionSummary(
        lists.counts_by(where, Comment.position_field),
        lists.top_by_key(viewer, where, Comment.position_field),
        services.open_policy_for(position),
        services.position_closed_message(),
    )


def field_list_page(viewer, position, name: str, filters: lists.Filters, page: int, *, form=None) -> ListPage:
    """Comments on one field of a position record, a page at a time."""
    if name not in POSITION_FIELDS:
        raise NotFound()
    where = lists.on_position(viewer, position) + [Comment.position_field == name]
    pagination = lists.page_of(viewer, where, filters, page, _per_page())
    open_policy = services.open_policy_for(position)
    return ListPage(position.name, "field", name, open_policy, position, pagination, filters,
                    open_policy is not None, services.position_closed_message(), form=form,
                    hidden={"position_field": name})


@dataclass
class CommentPage:
    """One comment, a page of its replies, and the one reply form."""

    comment: CommentView
    replies: object
    policy: Policy | None
    position: object | None
    accepts_input: bool
    closed_message: str
    form: object | None = None


def comment_page(viewer, comment: Comment, page: int, *, form=None) -> CommentPage:
    """The comment a reply belongs under (a reply shows its comment, when visible), with its replies."""
    top = comment
    if comment.parent_id is not None:
        try:
            top = services.get_visible_comment_id(viewer, comment.parent_id)
        except NotFound:
            top = comment
    view = lists.load_views(viewer, [top.id])[top.id]
    replies = lists.replies_page(viewer, top, page, _per_page())
    if top.position_id is None and top.policy is not None:
        lists.mark_versions(top.policy, [view])
    accepting = services.comment_accepts_input(top)
    closed = services.position_closed_message() if top.position_id else services.closed_message()
    return CommentPage(view, replies, top.policy, top.position, accepting, closed, form=form)
