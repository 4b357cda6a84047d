"""Comment rules: posting on a policy (an article of its current version or the
whole) and on a position record's fields, one-level replies, "I agree"
endorsements, and the grouped reading of all comments (tests, demo). The bounded reading the
pages use lives in `lists` (queries) and `pages` (builders).

Comments are Contributions: `contributions.services.admit` decides whether a new
one waits for review; what a viewer sees follows `visible_filter`. Articles
keep their identity across versions through their key ("pasal-5"), so a
comment made on version 1 shows under the same article of version 2, marked
with the version it was made on and whether the article changed since.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal import permissions
from portal.accounts.models import User
from portal.comments.models import POSITION_FIELDS, STANCES, Comment, Endorsement
from portal.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal.extensions import db, utcnow
from portal.contributions import answers, checks, concerns
from portal.contributions import services as contributions
from portal.contributions.models import Contribution
from portal.positions.models import Position
from portal.proposals.models import Article, Policy, policy_positions

MAX_BODY = 10_000
MAX_WORDING = 10_000


# --- writing ---------------------------------------------------------------------

def post_comment(
    actor,
    policy: Policy,
    *,
    body: str,
    stance: str | None,
    article_key: str | None = None,
    suggested_wording: str = "",
    parent: Comment | None = None,
) -> Comment:
    """Comment on an article of the policy's current version (or the whole policy), or reply to a comment."""
    _require_contributor(actor, policy)
    if not policy.accepts_input():
        raise Conflict(closed_message())
    version = policy.current_version
    if parent is not None:
        parent = _reply_target(actor, parent)
        if parent.policy_id != policy.id or parent.position_id is not None:
            raise ValidationError("parent", _("You can only reply to a comment on this policy."))
        article_key = parent.article_key  # a reply belongs where its comment does
    else:
        article_key = _clean_article_key(version, article_key)
    comment = Comment(
        policy_id=policy.id,
        version_id=version.id if version is not None else None,
        article_key=article_key,
        parent_id=parent.id if parent is not None else None,
    )
    return _admit(actor, comment, body, stance, suggested_wording, is_reply=parent is not None)


def post_position_comment(
    actor,
    position: Position,
    field: str,
    body: str,
    stance: str | None,
    *,
    suggested_wording: str = "",
    parent: Comment | None = None,
) -> Comment:
    """Comment on one field of a position record, while a policy linked to it is open for consultation."""
    _require_contributor(actor, position)
    policy = open_policy_for(position)
    if policy is None:
        raise Conflict(position_closed_message())
    if parent is not None:
        parent = _reply_target(actor, parent)
        if parent.position_id != position.id:
            raise ValidationError("parent", _("You can only reply to a comment on this position."))
        field = parent.position_field
    elif field not in POSITION_FIELDS:
        raise ValidationError("position_field", _("Choose a part of the position record to comment on."))
    comment = Comment(
        policy_id=policy.id,
        position_id=position.id,
        position_field=field,
        parent_id=parent.id if parent is not None else None,
    )
    return _admit(actor, comment, body, stance, suggested_wording, is_reply=parent is not None)


def endorse(actor, comment: Comment) -> Endorsement:
    """Say "I agree" with someone else's published comment, once per user, while input is accepted."""
    _check_signed_in(actor)
    if comment.author_id == actor.id:
        raise ValidationError(None, _("You cannot agree with your own comment."))
    permissions.require(actor, "comment.endorse", comment)
    if not comment_accepts_input(comment):
        raise Conflict(_("The consultation is closed: comments can be read but no longer endorsed."))
    already = _("You have already agreed with this comment.")
    if db.session.scalar(
        select(Endorsement.id).where(Endorsement.comment_id == comment.id, Endorsement.user_id == actor.id)
    ):
        raise ValidationError(None, already)
    endorsement = Endorsement(comment_id=comment.id, user_id=actor.id, created_at=utcnow())
    db.session.add(endorsement)
    try:
        db.session.commit()
    except IntegrityError:  # the same user's second click, in a race
        db.session.rollback()
        raise ValidationError(None, already)
    return endorsement


# --- reading ---------------------------------------------------------------------

def get_comment(viewer, public_id: str) -> Comment:
    """The comment with this public id, if the viewer may see it; else NotFound."""
    comment = db.session.scalar(select(Comment).where(Comment.public_id == (public_id or "")[:40]))
    if comment is None or not contributions.visible_to(viewer, comment):
        raise NotFound()
    return comment


def get_visible_comment_id(viewer, comment_id: int) -> Comment:
    """The comment with this id, if the viewer may see it; else NotFound."""
    comment = db.session.get(Comment, comment_id) if 0 < comment_id < 2**31 else None
    if comment is None or not contributions.visible_to(viewer, comment):
        raise NotFound()
    return comment


def endorsers(actor, comment: Comment) -> list[User]:
    """Who said "I agree" with the comment, oldest first (moderators only)."""
    permissions.require(actor, "comment.view_endorsers", comment)
    return list(
        db.session.scalars(
            select(User).join(Endorsement, Endorsement.user_id == User.id)
            .where(Endorsement.comment_id == comment.id)
            .order_by(Endorsement.id)
        )
    )


@dataclass
class CommentView:
    """A comment as one viewer sees it: endorsement count, whether they agreed, its replies."""

    comment: Comment
    endorsements: int = 0
    endorsed: bool = False
    endorsers: list[User] = field(default_factory=list)  # filled for moderators only
    replies: list["CommentView"] = field(default_factory=list)
    made_on: int | None = None  # the version number, when older than the current one
    changed_since: bool = False  # the article's text differs between that version and the current one
    reply_count: int = 0  # visible replies, filled where replies are not listed
    campaign_size: int = 0  # visible near-copies of its text, itself included, when it stands for them
    answer: object | None = None  # the official response, if any (portal.contributions.answers)
    concerns: list = field(default_factory=list)  # the positions and OPDs it concerns (portal.contributions.concerns)


def comments_for_policy(viewer, policy: Policy) -> dict[str | None, list[CommentView]]:
    """The comments on `policy` the viewer may see, by article key (None: the whole policy), replies nested."""
    comments = list(
        db.session.scalars(
            select(Comment)
            .where(Comment.policy_id == policy.id, Comment.position_id.is_(None), contributions.visible_filter(viewer))
            .options(joinedload(Comment.author).joinedload(User.organisation))
            .order_by(Comment.id)
        ).unique()
    )
    views = _views(viewer, comments)
    current = policy.current_version
    numbers = {version.id: version.number for version in policy.versions}
    current_bodies = {article.key: article.body for article in current.articles} if current else {}
    old_bodies = _old_article_bodies(comments, current.id if current else None)
    for view in views.values():
        comment = view.comment
        if current is None or comment.version_id in (None, current.id):
            continue
        view.made_on = numbers.get(comment.version_id)
        key = comment.article_key
        if key is not None and key in current_bodies:
            old = old_bodies.get((comment.version_id, key))
            view.changed_since = old is None or old[2] != current_bodies[key]
    return _group(views, lambda c: c.article_key)


def counts_by_article(viewer, policy: Policy) -> dict[str | None, int]:
    """How many comments (replies included) the viewer may see per article key, in one grouped query."""
    rows = db.session.execute(
        select(Comment.article_key, func.count(Comment.id))
        .select_from(Comment)
        .where(Comment.policy_id == policy.id, Comment.position_id.is_(None), contributions.visible_filter(viewer))
        .group_by(Comment.article_key)
    )
    return {key: count for key, count in rows}


def open_policy_for(position: Position) -> Policy | None:
    """The linked policy taking input now that closes soonest, or None: a position takes comments only then."""
    now = utcnow()
    linked = db.session.scalars(
        select(Policy)
        .join(policy_positions, policy_positions.c.policy_id == Policy.id)
        .where(policy_positions.c.position_id == position.id, Policy.status == "open")
        .order_by(Policy.closes_at, Policy.id)
    )
    return next((policy for policy in linked if policy.accepts_input(now)), None)


def comment_accepts_input(comment: Comment) -> bool:
    """Whether the consultation the comment belongs to still takes input (replies, endorsements)."""
    if comment.position_id is not None:
        return comment.position is not None and open_policy_for(comment.position) is not None
    return comment.policy is not None and comment.policy.accepts_input()


def closed_message() -> str:
    """The refusal shown when a policy's consultation does not take comments."""
    return _("This consultation is not open for comments: commenting closes when the consultation closes. "
             "You can still read every comment.")


def position_closed_message() -> str:
    """The refusal shown when no policy linked to a position is open for consultation."""
    return _("Comments on this position record are accepted only while a draft policy about it is open for "
             "consultation. You can still read every comment.")


# --- internals -------------------------------------------------------------------------

def _require_contributor(actor, target) -> None:
    """`permissions.require(actor, "contribution.create", target)`, saying in words why it refuses."""
    try:
        permissions.require(actor, "contribution.create", target)
    except PermissionDenied:
        _check_signed_in(actor)
        raise


def _check_signed_in(actor) -> None:
    if not permissions.signed_in(actor):
        raise PermissionDenied(_("Sign in to comment."))
    if actor.is_suspended():
        raise PermissionDenied(_("Your account is suspended: you can read comments but not write until the "
                                 "suspension ends."))


def _reply_target(actor, parent: Comment) -> Comment:
    """The comment a reply attaches to: replies stay one level deep."""
    if not contributions.visible_to(actor, parent) or parent.status not in ("published", "pending"):
        raise ValidationError("parent", _("The comment you answered is no longer available."))
    if parent.parent_id is not None and parent.parent is not None:
        parent = parent.parent
    return parent


def _clean_article_key(version, article_key: str | None) -> str | None:
    key = (article_key or "").strip() or None
    if key is None:
        return None
    exists = version is not None and len(key) <= 40 and db.session.scalar(
        select(Article.id).where(Article.version_id == version.id, Article.key == key)
    )
    if not exists:
        raise ValidationError("article_key", _("This article is not part of the current version of the policy."))
    return key


def _admit(actor, comment: Comment, body: str, stance: str | None, wording: str, *, is_reply: bool) -> Comment:
    if stance in (None, "") and is_reply:
        stance = None
    elif stance not in STANCES:
        raise ValidationError("stance", _("Choose whether you support, object to or suggest a change."))
    comment.stance = stance
    comment.body = checks.clean_text("body", body, MAX_BODY, required=_("Write your comment."))
    comment.suggested_wording = checks.clean_text("suggested_wording", wording, MAX_WORDING)
    resent = checks.refuse_repeat(actor, "comment", comment.body, _repeated,
                                  same_place=lambda last: _same_place(last, comment))
    if resent is not None:
        resent.resent = True  # the view says it was saved once
        return resent
    with db.session.no_autoflush:  # the comment joins the session inside admit, not before
        contributions.admit(actor, comment)
    db.session.commit()
    return comment


def _same_place(last: Contribution, comment: Comment) -> bool:
    """Whether `last` is a comment on the same policy or position field, article and comment as `comment`."""
    return all(getattr(last, name, None) == getattr(comment, name) for name in
               ("policy_id", "position_id", "position_field", "article_key", "parent_id", "stance"))


def _repeated(last: Contribution) -> str:
    return _("You have just sent this same comment. Write something new.")


def _views(viewer, comments: list[Comment]) -> dict[int, CommentView]:
    """A CommentView per comment, with endorsement counts, the viewer's own and (moderators) the endorsers."""
    views = {comment.id: CommentView(comment) for comment in comments}
    if not views:
        return views
    ids = list(views)
    for comment_id, count in db.session.execute(
        select(Endorsement.comment_id, func.count(Endorsement.id))
        .where(Endorsement.comment_id.in_(ids))
        .group_by(Endorsement.comment_id)
    ):
        views[comment_id].endorsements = count
    if getattr(viewer, "is_authenticated", False):
        for comment_id in db.session.scalars(
            select(Endorsement.comment_id).where(Endorsement.comment_id.in_(ids), Endorsement.user_id == viewer.id)
        ):
            views[comment_id].endorsed = True
    if permissions.can(viewer, "comment.view_endorsers"):
        for comment_id, user in db.session.execute(
            select(Endorsement.comment_id, User)
            .join(User, User.id == Endorsement.user_id)
            .where(Endorsement.comment_id.in_(ids))
            .order_by(Endorsement.id)
        ):
            views[comment_id].endorsers.append(user)
    for comment_id, answer in answers.for_ids(ids).items():
        views[comment_id].answer = answer
    top_level = [comment_id for comment_id, view in views.items() if view.comment.parent_id is None]
    for comment_id, links in concerns.for_ids(top_level).items():
        views[comment_id].concerns = links
    return views


def _group(views: dict[int, CommentView], key_of) -> dict:
    """Top-level comments by key, each with its replies; a reply whose comment is not shown stands alone."""
    grouped: dict = {}
    for view in views.values():
        parent_id = view.comment.parent_id
        if parent_id is not None and parent_id in views:
            views[parent_id].replies.append(view)
        else:
            grouped.setdefault(key_of(view.comment), []).append(view)
    return grouped


def _old_article_bodies(comments: list[Comment], current_id: int | None) -> dict[tuple[int, str], tuple]:
    """(version_id, key) -> (label, heading, body) of the articles older comments were made on, in one query."""
    pairs = {
        (c.version_id, c.article_key) for c in comments
        if c.version_id is not None and c.version_id != current_id and c.article_key is not None
    }
    if not pairs:
        return {}
    rows = db.session.execute(
        select(Article.version_id, Article.key, Article.label, Article.heading, Article.body).where(
            Article.version_id.in_({v for v, _k in pairs}), Article.key.in_({k for _v, k in pairs})
        )
    )
    return {(version_id, key): (label, heading, body) for version_id, key, label, heading, body in rows}


def _labels_of_removed(policy: Policy, keys: list[str]) -> dict[str, tuple[str, str]]:
    """key -> (label, heading) from the newest version that still had the article."""
    if not keys:
        return {}
    numbers = {version.id: version.number for version in policy.versions}
    rows = db.session.execute(
        select(Article.version_id, Article.key, Article.label, Article.heading, Article.position).where(
            Article.version_id.in_(numbers), Article.key.in_(keys)
        )
    )
    best: dict[str, tuple[int, str, str, int]] = {}
    for version_id, key, label, heading, position in rows:
        number = numbers[version_id]
        if key not in best or number > best[key][0]:
            best[key] = (number, label, heading, position)
    return {key: (label, heading) for key, (_n, label, heading, _p) in best.items()}


def _article_order(labels: dict, key: str):
    digits = "".join(ch for ch in key if ch.isdigit())
    return (int(digits) if digits else 0, key)
