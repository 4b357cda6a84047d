"""The moderation queue: what waits for a moderator, filtered, counted and
paged in a fixed number of queries whatever its length.

An item waits for one reason, which its status says: a pending item for
pre-moderation of a new account or the word filter (the reason recorded when
it was sent), a published one for open reports, a hidden one for an open
appeal.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, inspect, literal, or_, select
from sqlalchemy.orm import joinedload, selectin_polymorphic, selectinload

from portal import permissions
from portal.errors import NotFound, ValidationError
from portal.extensions import db
from portal.contributions import services as contributions
from portal.contributions.models import Appeal, Contribution, ContributionEvent, Flag

QUEUE_KINDS = ("comment", "submission", "post")
# Why an item waits, as the reason filter names it.
QUEUE_REASONS = ("premoderation", "word_filter", "flagged", "appealed")
ORDERS = ("oldest", "newest")
DEFAULT_PAGE_SIZE = 20
PAGE_LINKS = 5  # page links around the current one
_NUMBER = re.compile(r"[0-9]{1,9}", re.ASCII)

# Why an item is in the moderation queue.
QUEUE_REASON_LABELS = {
    "pending": _l("Waiting for review"),
    "flagged": _l("Reported"),
    "appealed": _l("Appealed"),
}
# The reason filter of the queue: why an item waits.
QUEUE_FILTER_LABELS = {
    "premoderation": _l("New account (pre-moderation)"),
    "word_filter": _l("Word filter"),
    "flagged": _l("Reported"),
    "appealed": _l("Appealed"),
}


@dataclass(frozen=True)
class QueueFilters:
    """What the moderator asked to see: kind, reason, policy, order and page."""

    kind: str | None = None
    reason: str | None = None
    policy_id: int | None = None
    order: str = "oldest"
    page: int = 1

    def args(self, **changes) -> dict[str, object]:
        """Query-string values for these filters with `changes`, defaults left out (for links)."""
        values = {"kind": self.kind, "reason": self.reason, "policy": self.policy_id, "order": self.order,
                  "page": self.page, **changes}
        defaults = {"order": "oldest", "page": 1}
        return {key: value for key, value in values.items() if value is not None and defaults.get(key) != value}


def filters_from(args: Mapping[str, str]) -> QueueFilters:
    """Read the filters from a query string; ValidationError (400) on a value the queue does not know."""
    kind = args.get("kind") or None
    if kind is not None and kind not in QUEUE_KINDS:
        raise ValidationError("kind", _("Choose a kind from the list."))
    reason = args.get("reason") or None
    if reason is not None and reason not in QUEUE_REASONS:
        raise ValidationError("reason", _("Choose a reason from the list."))
    order = args.get("order") or "oldest"
    if order not in ORDERS:
        raise ValidationError("order", _("Choose oldest or newest first."))
    policy = args.get("policy") or None
    if policy is not None and not _NUMBER.fullmatch(policy):
        raise ValidationError("policy", _("Choose a policy from the list."))
    page = args.get("page") or "1"
    if not _NUMBER.fullmatch(page) or int(page) < 1:
        raise ValidationError("page", _("The page number must be a whole number from 1."))
    return QueueFilters(kind, reason, int(policy) if policy else None, order, int(page))


@dataclass
class QueueItem:
    """One contribution waiting for a moderator, with why and since when."""

    contribution: Contribution
    reasons: list[str]  # one of "pending", "flagged", "appealed"
    waiting_since: datetime
    open_flags: list[Flag] = field(default_factory=list)
    appeal: Appeal | None = None
    author_history: dict[str, int] = field(default_factory=dict)  # published / hidden / pending / withdrawn
    # Why a pending item waits: "word_filter", "new_account", or "new_account_since"
    # (sent while the account was new; it has enough published contributions now).
    pending_reason: str | None = None
    # The article a comment is on ("Pasal 5 — Data"), as the version it was written on names it.
    article: str | None = None


@dataclass
class QueuePage:
    """One page of the queue, with the counts for each filter value under the other filters."""

    filters: QueueFilters
    items: list[QueueItem]
    total: int  # under the filters
    everything: int  # the whole queue
    pages: int
    per_page: int
    counts: dict[str, dict[object, int]]  # "kind" / "reason" / "policy" -> value -> count
    policies: list[tuple[int, str]]  # (id, title) of the policies that have waiting items
    page_links: list[int]

    @property
    def first_number(self) -> int:
        """The position of the page's first item in the filtered queue (1-based)."""
        return (self.filters.page - 1) * self.per_page + 1 if self.items else 0


def page_size() -> int:
    """Items per queue page (MODERATION_QUEUE_PAGE_SIZE)."""
    return int(current_app.config.get("MODERATION_QUEUE_PAGE_SIZE", DEFAULT_PAGE_SIZE))


def queue_page(actor, filters: QueueFilters = QueueFilters(), per_page: int | None = None) -> QueuePage:
    """A page of the queue (moderators only); NotFound for a page past the last."""
    permissions.require(actor, "moderation.queue")
    per_page = per_page or page_size()
    reason = _reason_column()
    rows = db.session.execute(
        select(Contribution.kind, reason, Contribution.policy_id, func.count())
        .where(_waiting())
        .group_by(Contribution.kind, reason, Contribution.policy_id)
    ).all()
    counts = _counts(rows, filters)
    total = sum(n for kind, why, policy_id, n in rows if _matches(filters, kind, why, policy_id))
    pages = max(1, math.ceil(total / per_page))
    if filters.page > pages:
        raise NotFound(_("The queue has no page %(page)d.", page=filters.page))
    since = _waiting_since()
    query = select(Contribution.id, reason).where(_waiting())
    if filters.kind:
        query = query.where(Contribution.kind == filters.kind)
    if filters.reason:
        query = query.where(reason == filters.reason)
    if filters.policy_id is not None:
        query = query.where(Contribution.policy_id == filters.policy_id)
    direction = (lambda column: column.desc()) if filters.order == "newest" else (lambda column: column.asc())
    query = query.order_by(direction(since), direction(Contribution.id))
    page_rows = db.session.execute(query.limit(per_page).offset((filters.page - 1) * per_page)).all()
    items = _items([row[0] for row in page_rows])
    policies = [
        (policy_id, title) for policy_id, title in db.session.execute(_policy_titles(rows))
    ] if any(row[2] is not None for row in rows) else []
    return QueuePage(
        filters=filters, items=items, total=total, everything=sum(row[3] for row in rows), pages=pages, per_page=per_page, counts=counts,
        policies=policies, page_links=_page_links(filters.page, pages),
    )


def items(actor, *, kind: str | None = None) -> list[QueueItem]:
    """The whole queue, oldest first (for the command line and tests; pages use `queue_page`)."""
    page = queue_page(actor, QueueFilters(kind=kind), per_page=1_000_000_000)
    return page.items


def author_history(author_ids: set[int]) -> dict[int, dict[str, int]]:
    """For each author, how many contributions they have per status."""
    if not author_ids:
        return {}
    rows = db.session.execute(
        select(Contribution.author_id, Contribution.status, func.count(Contribution.id))
        .where(Contribution.author_id.in_(author_ids))
        .group_by(Contribution.author_id, Contribution.status)
    )
    history: dict[int, dict[str, int]] = {author_id: _empty_history() for author_id in author_ids}
    for author_id, status, count in rows:
        history[author_id][status] = count
    return history


# --- internals ----------------------------------------------------------------------

def _open_flag():
    return exists().where(Flag.contribution_id == Contribution.id, Flag.resolved_at.is_(None))


def _open_appeal():
    return exists().where(Appeal.contribution_id == Contribution.id, Appeal.decided_at.is_(None))


def _waiting():
    """The WHERE clause of the queue: pending, reported while published, appealed while hidden."""
    return or_(
        Contribution.status == "pending",
        and_(Contribution.status == "published", _open_flag()),
        and_(Contribution.status == "hidden", _open_appeal()),
    )


def _reason_column():
    """Why an item waits, as the reason filter names it."""
    sent_because = (
        select(ContributionEvent.reason)
        .where(ContributionEvent.contribution_id == Contribution.id, ContributionEvent.action == "submitted")
        .order_by(ContributionEvent.id)
        .limit(1)
        .scalar_subquery()
    )
    return case(
        (Contribution.status == "published", literal("flagged")),
        (Contribution.status == "hidden", literal("appealed")),
        (sent_because == "word_filter", literal("word_filter")),
        else_=literal("premoderation"),
    )


def _waiting_since():
    """Since when an item waits: sent (pending), first open report (published), appeal (hidden)."""
    first_flag = (
        select(func.min(Flag.created_at))
        .where(Flag.contribution_id == Contribution.id, Flag.resolved_at.is_(None))
        .scalar_subquery()
    )
    appealed = (
        select(Appeal.created_at)
        .where(Appeal.contribution_id == Contribution.id, Appeal.decided_at.is_(None))
        .scalar_subquery()
    )
    return case(
        (Contribution.status == "published", first_flag),
        (Contribution.status == "hidden", appealed),
        else_=Contribution.created_at,
    )


def _matches(filters: QueueFilters, kind, reason, policy_id, ignore: str | None = None) -> bool:
    return (
        (ignore == "kind" or filters.kind is None or kind == filters.kind)
        and (ignore == "reason" or filters.reason is None or reason == filters.reason)
        and (ignore == "policy" or filters.policy_id is None or policy_id == filters.policy_id)
    )


def _counts(rows, filters: QueueFilters) -> dict[str, dict[object, int]]:
    """How many items each filter value would show, the other filters kept (None: all values)."""
    counts: dict[str, dict[object, int]] = {"kind": {}, "reason": {}, "policy": {}}
    for kind, reason, policy_id, n in rows:
        for name, value in (("kind", kind), ("reason", reason), ("policy", policy_id)):
            if _matches(filters, kind, reason, policy_id, ignore=name):
                counts[name][value] = counts[name].get(value, 0) + n
                counts[name][None] = counts[name].get(None, 0) + n
    return counts


def _policy_titles(rows):
    # The policy model is reached through the relationship: moderation sits below proposals.
    policy = inspect(Contribution).relationships["policy"].mapper.class_
    ids = {row[2] for row in rows if row[2] is not None}
    return select(policy.id, policy.title).where(policy.id.in_(ids)).order_by(policy.title)


def _items(ids: list[int]) -> list[QueueItem]:
    """The page's contributions with what the page shows of them, in a fixed number of queries."""
    if not ids:
        return []
    kinds = [mapper.class_ for mapper in inspect(Contribution).self_and_descendants if mapper.class_ is not Contribution]
    loaded = db.session.scalars(
        select(Contribution)
        .where(Contribution.id.in_(ids))
        .options(
            selectin_polymorphic(Contribution, kinds),
            joinedload(Contribution.author),
            joinedload(Contribution.policy),
            selectinload(Contribution.flags).joinedload(Flag.user),
            selectinload(Contribution.appeal),
        )
    ).unique()
    by_id = {contribution.id: contribution for contribution in loaded}
    sent = dict(db.session.execute(
        select(ContributionEvent.contribution_id, ContributionEvent.reason)
        .where(ContributionEvent.contribution_id.in_(ids), ContributionEvent.action == "submitted")
    ).all())
    history = author_history({c.author_id for c in by_id.values()})
    trusted_at = contributions.premoderate_first_n()
    articles = _article_labels(list(by_id.values()))
    result = []
    for contribution in (by_id[i] for i in ids if i in by_id):
        authored = history.get(contribution.author_id, _empty_history())
        item = _item(contribution, authored, sent.get(contribution.id), trusted_at)
        item.article = articles.get(contribution.id)
        result.append(item)
    return result


def _article_labels(contributions: list[Contribution]) -> dict[int, str]:
    """contribution id -> label of the article it is on, for comments on one article (one query)."""
    on_article = [c for c in contributions if getattr(c, "article_key", None) and getattr(c, "version_id", None)]
    if not on_article:
        return {}
    # The article model is reached through the relationships: moderation sits below proposals.
    version = inspect(type(on_article[0])).relationships["version"].mapper
    article = version.relationships["articles"].mapper.class_
    rows = db.session.execute(
        select(article.version_id, article.key, article.label, article.heading).where(
            article.version_id.in_({c.version_id for c in on_article}),
            article.key.in_({c.article_key for c in on_article}),
        )
    ).all()
    labels = {(v, key): label + (f" — {heading}" if heading else "") for v, key, label, heading in rows}
    return {c.id: labels.get((c.version_id, c.article_key), c.article_key) for c in on_article}


def _item(contribution: Contribution, authored: dict[str, int], sent_because: str | None, trusted_at: int) -> QueueItem:
    flags = contribution.open_flags
    appeal = contribution.appeal
    pending_reason = None
    if contribution.status == "pending":
        reasons, since = ["pending"], contribution.created_at
        pending_reason = sent_because
        if sent_because == "new_account" and authored["published"] >= max(trusted_at, 1):
            pending_reason = "new_account_since"
    elif contribution.status == "published":
        reasons, since = ["flagged"], min(flag.created_at for flag in flags)
    else:
        reasons, since = ["appealed"], appeal.created_at
    return QueueItem(
        contribution=contribution, reasons=reasons, waiting_since=since, open_flags=flags, appeal=appeal,
        author_history=authored, pending_reason=pending_reason,
    )


def _page_links(page: int, pages: int) -> list[int]:
    """The page numbers to link: the first, the last, and a few around the current one."""
    start = max(1, min(page - PAGE_LINKS // 2, pages - PAGE_LINKS + 1))
    around = range(start, min(pages, start + PAGE_LINKS - 1) + 1)
    return sorted({1, pages, *around})


def _empty_history() -> dict[str, int]:
    return {"published": 0, "hidden": 0, "pending": 0, "withdrawn": 0}
