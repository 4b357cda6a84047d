"""Digest mail for followers.

New activity on a followed policy or thread is shown in the portal at once,
but its mail copy waits as a `DigestEntry`. `flask notifications
send-digests`, run from cron, mails each follower one digest of everything
waiting, at most once per NOTIFICATION_DIGEST_MINUTES, in their language.
Mail about the user's own contributions (published, hidden, restored) and
replies to them is not delayed: `services.notify` sends it after the commit.

Several senders may run at once (two cron hosts, an overlapping run): a
sender claims a user by moving `DigestSchedule.last_sent_at` forward in one
conditional UPDATE, which the database serialises, and marks the entries it
takes in the same transaction, so an event is never mailed twice. If the
mail cannot be sent, the claim is given back for the next run. A sender that
dies between its commit and the mail loses that one digest (the events stay
on the notifications page); it never sends one twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from portal import links, mail
from portal.accounts.models import User
from portal.extensions import db, utcnow
from portal.i18n import format_local_datetime
from portal.notifications.models import DigestEntry, DigestSchedule
from portal.links import path_for
from portal.notifications.services import render_message

log = logging.getLogger(__name__)

DEFAULT_MINUTES = 60
# Events listed one by one in a digest; any more are counted and linked.
MAX_LISTED = 100


@dataclass(frozen=True)
class DigestRun:
    """What one run of the sender did."""

    digests: int
    events: int


def period() -> timedelta:
    """The shortest time between two digests to one user (NOTIFICATION_DIGEST_MINUTES)."""
    minutes = current_app.config.get("NOTIFICATION_DIGEST_MINUTES", DEFAULT_MINUTES)
    return timedelta(minutes=max(0, int(minutes)))


def waiting_count(user) -> int:
    """How many of `user`'s followed events wait for a digest."""
    return db.session.scalar(
        select(func.count(DigestEntry.id)).where(DigestEntry.user_id == user.id, DigestEntry.sent_at.is_(None))
    ) or 0


def send_digests(now: datetime | None = None) -> DigestRun:
    """Mail every follower whose period has passed one digest of their waiting events (system work, for cron)."""
    now = now or utcnow()
    _ensure_schedules()
    user_ids = db.session.scalars(
        select(DigestEntry.user_id)
        .join(User, User.id == DigestEntry.user_id)
        .where(DigestEntry.sent_at.is_(None), User.active.is_(True), User.email != "")
        .distinct()
        .order_by(DigestEntry.user_id)
    ).all()
    db.session.rollback()  # end the read: each user is claimed in a transaction of its own
    digests = events = 0
    for user_id in user_ids:
        sent = send_digest(user_id, now)
        if sent:
            digests += 1
            events += sent
    return DigestRun(digests=digests, events=events)


def send_digest(user_id: int, now: datetime | None = None) -> int:
    """Claim and mail one user's waiting events if their period has passed; how many were mailed (0: none)."""
    now = now or utcnow()
    previous = db.session.scalar(select(DigestSchedule.last_sent_at).where(DigestSchedule.user_id == user_id))
    db.session.rollback()
    # The claim is the transaction's first statement, so on SQLite it takes the
    # write lock before reading anything, and on PostgreSQL a second sender waits
    # on this row and then finds the period no longer passed.
    claimed = db.session.execute(
        update(DigestSchedule)
        .where(
            DigestSchedule.user_id == user_id,
            or_(DigestSchedule.last_sent_at.is_(None), DigestSchedule.last_sent_at <= now - period()),
        )
        .values(last_sent_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    entries = []
    if claimed == 1:
        entries = list(db.session.scalars(
            select(DigestEntry)
            .where(DigestEntry.user_id == user_id, DigestEntry.sent_at.is_(None))
            .options(selectinload(DigestEntry.notification))
            .order_by(DigestEntry.id)
        ))
    user = db.session.get(User, user_id)
    if not entries or user is None or not user.active or not user.email:
        db.session.rollback()  # nothing to send: the period is not used up
        return 0
    ids = [entry.id for entry in entries]
    db.session.execute(
        update(DigestEntry).where(DigestEntry.id.in_(ids)).values(sent_at=now)
        .execution_options(synchronize_session=False)
    )
    to, subject, body = user.email, *_compose(user, entries)
    db.session.commit()
    try:
        mail.send(to, subject, body)
    except Exception:  # the events are given back and go with the next run
        log.exception("Could not send the digest to %s", to)
        db.session.rollback()
        db.session.execute(
            update(DigestEntry).where(DigestEntry.id.in_(ids)).values(sent_at=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(DigestSchedule)
            .where(DigestSchedule.user_id == user_id, DigestSchedule.last_sent_at == now)
            .values(last_sent_at=previous)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return 0
    return len(ids)


def _ensure_schedules() -> None:
    """Give every user with waiting events a schedule row to claim (two senders may add it at once)."""
    missing = (
        select(DigestEntry.user_id)
        .where(
            DigestEntry.sent_at.is_(None),
            ~exists().where(DigestSchedule.user_id == DigestEntry.user_id),
        )
        .distinct()
    )
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(DigestSchedule).from_select(["user_id"], missing).on_conflict_do_nothing(
            index_elements=["user_id"]
        )
    )
    db.session.commit()


def _compose(user: User, entries: list[DigestEntry]) -> tuple[str, str]:
    """Subject and body of the digest, in the recipient's language."""
    count = len(entries)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = ngettext(
            "Portal Partisipasi: %(num)d update on what you follow",
            "Portal Partisipasi: %(num)d updates on what you follow",
            count,
        )
        lines = [
            _("Hello %(name)s,", name=user.display_name),
            "",
            ngettext(
                "There is %(num)d update on the policies and threads you follow:",
                "There are %(num)d updates on the policies and threads you follow:",
                count,
            ),
            "",
        ]
        for entry in entries[:MAX_LISTED]:
            item = entry.notification
            lines.append(f"- {format_local_datetime(item.created_at)}: {render_message(item.kind, item.params)}")
            if item.link:
                lines.append(f"  {links.absolute(item.link)}")
        if count > MAX_LISTED:
            lines.append(ngettext("… and %(num)d more.", "… and %(num)d more.", count - MAX_LISTED))
        minutes = int(period().total_seconds() // 60)
        lines += [
            "",
            _("All your notifications: %(url)s", url=links.absolute(path_for("notifications.index"))),
            "",
            ngettext(
                "You receive at most one such summary every %(num)d minute. To stop it, open the policy or "
                "thread and choose \"Stop following\".",
                "You receive at most one such summary every %(num)d minutes. To stop it, open the policy or "
                "thread and choose \"Stop following\".",
                minutes,
            ),
        ]
    return subject, "\n".join(lines) + "\n"
