"""Telling users things: notifications in the portal, their mail copies, and
follows of policies and threads.

`notify` only adds to the current transaction; the mail copy waits in an
outbox on the session and is sent after that transaction commits, and is
dropped if it rolls back, so nobody is mailed about something that did not
happen. Followers of a policy or thread are not mailed per event: their mail
copies wait for a digest (see `digests`). The message text is stored as a
kind and parameters and rendered in the reader's language when shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, event, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from portal import links, mail, permissions
from portal.links import path_for
from portal.accounts.models import User
from portal.errors import NotFound, ValidationError
from portal.extensions import db, utcnow
from portal.contributions.models import REASON_LABELS
from portal.notifications.models import FOLLOW_TARGETS, DigestEntry, Follow, Notification
from portal.proposals.models import Policy

log = logging.getLogger(__name__)

# What each kind of notification says (English msgids, translated when shown).
MESSAGES: dict[str, Any] = {
    "contribution_published": _l("Your contribution %(public_id)s has been published."),
    "contribution_hidden": _l("A moderator hid your contribution %(public_id)s. Reason: %(reason)s."),
    "contribution_restored": _l("Your contribution %(public_id)s has been published again."),
    "appeal_rejected": _l("Your appeal for %(public_id)s was rejected; the contribution stays hidden."),
    "new_activity": _l("New activity on %(title)s."),
    "reply": _l("Someone replied to your contribution %(public_id)s."),
}
# Parameters stored as keys and shown through a table of translated labels.
LABELLED_PARAMS: dict[str, dict[str, Any]] = {"reason": REASON_LABELS}
FALLBACK_MESSAGE = _l("You have a new notification.")

_OUTBOX = "notification_outbox"


def register_kind(kind: str, message, labelled_params: dict[str, dict[str, Any]] | None = None) -> None:
    """Add a kind of notification (a lazy English msgid with %(name)s placeholders)."""
    MESSAGES[kind] = message
    for name, labels in (labelled_params or {}).items():
        LABELLED_PARAMS.setdefault(name, labels)


def render_message(kind: str, params: dict[str, Any] | None) -> str:
    """The text of a notification in the current language."""
    template = MESSAGES.get(kind)
    if template is None:
        return str(FALLBACK_MESSAGE)
    values = {}
    for name, value in (params or {}).items():
        labels = LABELLED_PARAMS.get(name)
        values[name] = str(labels.get(value, value)) if labels and isinstance(value, str) else value
    try:
        return str(template) % values
    except (KeyError, ValueError, TypeError):
        return str(FALLBACK_MESSAGE)


# --- notifying -------------------------------------------------------------------

@dataclass
class OutgoingMail:
    """A mail copy waiting for its transaction to commit."""

    to: str
    subject: str
    body: str


def notify(
    user, kind: str, link: str = "", *, send_mail: bool = True, digest: bool = False, **params: Any
) -> Notification:
    """Add a notification for `user` to the current transaction; its mail goes after the commit
    (with `digest`, in the user's next digest instead)."""
    item = Notification(user_id=user.id, kind=kind, params=params, link=link or "", created_at=utcnow())
    db.session.add(item)
    if digest:
        if user.email:
            db.session.add(DigestEntry(user_id=user.id, notification=item, created_at=item.created_at))
    elif send_mail and user.active and user.email:
        db.session.info.setdefault(_OUTBOX, []).append(_compose(user, kind, link, params))
    return item


def queue_mail(to: str, subject: str, body: str) -> None:
    """Send a mail once the current transaction commits (dropped if it rolls back)."""
    db.session.info.setdefault(_OUTBOX, []).append(OutgoingMail(to=to, subject=subject, body=body))


def notify_followers(
    target_type: str, target_id: int, kind: str, link: str = "", *, exclude=None, **params: Any
) -> int:
    """Notify everyone following a policy or thread but `exclude` (a user or several; usually the actor,
    and anyone already told of the same event); returns how many. Their mail waits for the next digest."""
    query = (
        select(User)
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.target_type == target_type, Follow.target_id == target_id, User.active.is_(True))
        .order_by(User.id)
    )
    if exclude is not None:
        excluded = [exclude] if isinstance(exclude, User) else list(exclude)
        query = query.where(User.id.not_in([user.id for user in excluded if user is not None]))
    followers = list(db.session.scalars(query))
    for user in followers:
        item = notify(user, kind, link, send_mail=False, **params)
        if user.email:
            db.session.add(DigestEntry(user_id=user.id, notification=item, created_at=item.created_at))
    return len(followers)


def _compose(user, kind: str, link: str, params: dict[str, Any]) -> OutgoingMail:
    """The mail copy, in the recipient's language, written now while the data is at hand."""
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        message = render_message(kind, params)
        url = _absolute(link) if link else ""
        body = _("Hello %(name)s,\n\n%(message)s\n", name=user.display_name, message=message)
        if url:
            body += "\n" + _("Details: %(url)s", url=url) + "\n"
        body += "\n" + _("All your notifications: %(url)s", url=_absolute(path_for("notifications.index"))) + "\n"
        subject = _("Portal Partisipasi: %(message)s", message=message)
    return OutgoingMail(to=user.email, subject=subject[:200], body=body)


def _absolute(path: str) -> str:
    return links.absolute(path)


@event.listens_for(db.session, "after_commit")
def _send_outbox(session) -> None:
    """Send the mail copies of a committed transaction."""
    outbox = session.info.pop(_OUTBOX, None)
    for item in outbox or ():
        try:
            mail.send(item.to, item.subject, item.body)
        except Exception:  # the notification is stored; a mail failure must not undo the action
            log.exception("Could not send notification mail to %s", item.to)


@event.listens_for(db.session, "after_transaction_end")
def _drop_outbox(session, transaction) -> None:
    """Forget mail copies of a transaction that ended without a commit (rollback, close)."""
    if transaction.parent is None:
        session.info.pop(_OUTBOX, None)


# --- reading ---------------------------------------------------------------------

def unread_count(user) -> int:
    """How many notifications `user` has not seen."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(_UNREAD, {"user_id": user.id}) or 0


# Built once: every signed-in page asks, and building (and keying) the statement cost more than running it.
_UNREAD = select(func.count(Notification.id)).where(
    Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))


def safe_unread_count(user) -> int:
    """`unread_count` for the navigation bar: 0 when the database cannot answer (e.g. on an error page)."""
    try:
        return unread_count(user)
    except SQLAlchemyError:
        # Roll back, so the rest of the page meets the database afresh (a connection that died
        # here would otherwise leave the session unusable, and the page would end in a 500).
        db.session.rollback()
        return 0


def notifications_for(actor, page: int = 1, per_page: int | None = None):
    """A page of the actor's notifications, newest first."""
    permissions.require(actor, "notification.read")
    query = (
        select(Notification)
        .where(Notification.user_id == actor.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    per_page = per_page or current_app.config.get("PAGE_SIZE", 20)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def mark_read(actor, notifications: list[Notification] | None = None) -> int:
    """Mark the given notifications (or all) of the actor as read; returns how many changed."""
    permissions.require(actor, "notification.read")
    query = update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if notifications is not None:
        ids = [item.id for item in notifications if item.user_id == actor.id]
        if not ids:
            return 0
        query = query.where(Notification.id.in_(ids))
    changed = db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return changed.rowcount or 0


# --- following ---------------------------------------------------------------------

def follow_target(actor, target_type: str, target_id: int):
    """The policy or thread that would be followed; NotFound if it does not exist or may not be seen."""
    if target_type not in FOLLOW_TARGETS:
        raise ValidationError("target_type", _("This cannot be followed."))
    load = _FOLLOW_LOADERS.get(target_type)
    target = load(actor, target_id) if load is not None else None
    if target is None:
        raise NotFound()
    return target


def register_follow_target(target_type: str, load: Callable[[Any, int], Any]) -> None:
    """Let the package that owns a followable thing say how to load it: `load(actor, id)` returns
    the thing, or None when it does not exist or `actor` may not see it."""
    _FOLLOW_LOADERS[target_type] = load


def _load_policy(actor, policy_id: int) -> Policy | None:
    policy = db.session.get(Policy, policy_id)
    return policy if policy is not None and permissions.can(actor, "policy.view", policy) else None


# Followable things by FOLLOW_TARGETS name; packages above this one add theirs (forums: threads).
_FOLLOW_LOADERS: dict[str, Callable[[Any, int], Any]] = {"policy": _load_policy}


def is_following(user, target_type: str, target_id: int) -> bool:
    """Whether `user` follows the policy or thread."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(Follow.id).where(
            Follow.user_id == user.id, Follow.target_type == target_type, Follow.target_id == target_id
        )
    ) is not None


def follow(actor, target_type: str, target_id: int) -> Follow:
    """Hear of new activity on a policy or thread; following twice changes nothing."""
    permissions.require(actor, "notification.follow")
    follow_target(actor, target_type, target_id)
    existing = db.session.scalar(
        select(Follow).where(
            Follow.user_id == actor.id, Follow.target_type == target_type, Follow.target_id == target_id
        )
    )
    if existing is not None:
        return existing
    item = Follow(user_id=actor.id, target_type=target_type, target_id=target_id, created_at=utcnow())
    db.session.add(item)
    try:
        db.session.commit()
    except IntegrityError:  # a double click racing itself
        db.session.rollback()
        return db.session.scalars(
            select(Follow).where(
                Follow.user_id == actor.id, Follow.target_type == target_type, Follow.target_id == target_id
            )
        ).one()
    return item


def unfollow(actor, target_type: str, target_id: int) -> bool:
    """Stop hearing of a policy or thread; returns whether a follow was removed."""
    permissions.require(actor, "notification.follow")
    item = db.session.scalar(
        select(Follow).where(
            Follow.user_id == actor.id, Follow.target_type == target_type, Follow.target_id == target_id
        )
    )
    if item is None:
        return False
    db.session.delete(item)
    db.session.commit()
    return True
