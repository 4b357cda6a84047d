"""Moderation rules: admitting new contributions (pre-moderation and the
word filter), flags, the queue, moderator actions, appeals, suspensions and
who may see what.

Every mutating service takes the acting user first, asks `permissions`,
writes a ContributionEvent (the history the author sees) and an audit entry,
and commits once. `admit` is the exception: the service that creates a
comment, submission or post calls it inside its own transaction and commits.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from portal import permissions
from portal.accounts import services as account_services
from portal.audit.services import record
from portal.errors import Conflict, NotFound, ValidationError
from portal.extensions import db, utcnow
from portal.i18n import local_zone
from portal.moderation import wordlist
from portal.moderation.models import (
    FLAG_REASONS,
    HIDE_REASONS,
    Appeal,
    Contribution,
    ContributionEvent,
    Flag,
)
from portal.notifications import services as notifications

DEFAULT_PREMODERATE_FIRST_N = 2
MAX_NOTE_LENGTH = 2000
MAX_APPEAL_LENGTH = 5000


# --- admitting new contributions ----------------------------------------------

def premoderate_first_n() -> int:
    """How many contributions of a new account wait for review (MODERATION_PREMODERATE_FIRST_N)."""
    return int(current_app.config.get("MODERATION_PREMODERATE_FIRST_N", DEFAULT_PREMODERATE_FIRST_N))


def matches_word_filter(text: str) -> bool:
    """Whether `text` contains a blocked word (built-in list plus MODERATION_BLOCKED_WORDS)."""
    return wordlist.contains_blocked(text, current_app.config.get("MODERATION_BLOCKED_WORDS"))


def has_published(author, at_least: int) -> bool:
    """Whether at least `at_least` of `author`'s contributions are published now (counts no further,
    so a prolific author's next post costs no more than a newcomer's)."""
    if at_least <= 0:
        return True
    published = (
        select(Contribution.id)
        .where(Contribution.author_id == author.id, Contribution.status == "published")
        .limit(at_least)
        .subquery()
    )
    return (db.session.scalar(select(func.count()).select_from(published)) or 0) >= at_least


def pending_reason(author, contribution: Contribution) -> str | None:
    """Why a new contribution would wait for review ("word_filter", "new_account"), or None."""
    if matches_word_filter(contribution.moderated_text()):
        return "word_filter"
    trusted = author.is_official or author.is_verified_member
    if not trusted and not has_published(author, premoderate_first_n()):
        return "new_account"
    return None


def make_public_id(contribution: Contribution) -> str:
    """The receipt number, e.g. MSK-2026-000123: kind prefix, year written (WIB), primary key."""
    year = contribution.created_at.astimezone(local_zone()).year
    return f"{contribution.PUBLIC_ID_PREFIX}-{year}-{contribution.id:06d}"


def admit(author, contribution: Contribution) -> str:
    """Stamp a new contribution with its author, status and public id; returns the status.

    Called by the service that creates a comment, submission or post, inside
    its transaction: it flushes but never commits. Suspended authors are
    refused with PermissionDenied.
    """
    permissions.require(author, "contribution.create", contribution)
    now = utcnow()
    contribution.author_id = author.id
    contribution.stakeholder_group = author.stakeholder_group
    # Only a verified affiliation counts for an organisation.
    contribution.organisation_id = author.organisation_id if author.is_verified_member else None
    contribution.created_at = now
    contribution.updated_at = now
    reason = pending_reason(author, contribution)
    contribution.status = "pending" if reason else "published"
    contribution.published_at = None if reason else now
    db.session.add(contribution)
    db.session.flush()  # the primary key makes the public id unique, even under concurrent writers
    contribution.public_id = make_public_id(contribution)
    _event(contribution, "submitted", None, author, reason=reason)
    if contribution.status == "published":
        _announce(contribution)
    return contribution.status


# --- flags ----------------------------------------------------------------------

def flag(actor, contribution: Contribution, reason: str, note: str = "") -> Flag:
    """Report a published contribution to the moderators, once per user."""
    permissions.require(actor, "contribution.flag", contribution)
    if reason not in FLAG_REASONS:
        raise ValidationError("reason", _("Choose why you are reporting this contribution."))
    note = _clean_note(note, "note")
    already = _("You have already reported this contribution. A moderator will look at it.")
    if db.session.scalar(
        select(Flag.id).where(Flag.contribution_id == contribution.id, Flag.user_id == actor.id)
    ):
        raise ValidationError("reason", already)
    item = Flag(contribution_id=contribution.id, user_id=actor.id, reason=reason, note=note, created_at=utcnow())
    db.session.add(item)
    record(actor, "contribution.flag", contribution, reason=_why(reason, note), public_id=contribution.public_id)
    try:
        db.session.commit()
    except IntegrityError:  # the same user's second click, in a race
        db.session.rollback()
        raise ValidationError("reason", already)
    return item


# --- moderator actions ----------------------------------------------------------

def approve(actor, contribution: Contribution, note: str = "") -> None:
    """Publish a waiting contribution, or keep a reported one published and close its reports."""
    permissions.require(actor, "moderation.act", contribution)
    note = _clean_note(note, "note")
    if contribution.status == "pending":
        _set_status(contribution, "published")
        action = "approved"
        from_status = "pending"
    elif contribution.status == "published" and contribution.open_flags:
        action = "flags_dismissed"
        from_status = "published"
    else:
        raise Conflict(_("Only a waiting or reported contribution can be approved."))
    _resolve_flags(actor, contribution, "dismissed")
    _event(contribution, action, from_status, actor, note=note)
    record(actor, "moderation.approve", contribution, reason=note or None, **_detail(contribution, from_status))
    if action == "approved":
        _tell_author(contribution, "contribution_published")
        _announce(contribution)
    db.session.commit()


def hide(actor, contribution: Contribution, reason: str, note: str = "") -> None:
    """Hide a contribution from the public with a reason its author will see."""
    permissions.require(actor, "moderation.act", contribution)
    if reason not in HIDE_REASONS:
        raise ValidationError("reason", _("Choose why the contribution is hidden."))
    note = _clean_note(note, "note")
    if reason == "other" and not note:
        raise ValidationError("note", _("Explain the reason; the author will read it."))
    if contribution.status not in ("pending", "published"):
        raise Conflict(_("Only a waiting or published contribution can be hidden."))
    from_status = contribution.status
    _set_status(contribution, "hidden")
    contribution.hidden_reason = reason
    contribution.hidden_note = note
    _resolve_flags(actor, contribution, "actioned")
    _event(contribution, "hidden", from_status, actor, reason=reason, note=note)
    record(actor, "moderation.hide", contribution, reason=_why(reason, note), **_detail(contribution, from_status))
    _tell_author(contribution, "contribution_hidden", reason=reason)
    db.session.commit()


def restore(actor, contribution: Contribution, note: str = "") -> None:
    """Publish a hidden contribution again (deciding an open appeal in the author's favour)."""
    permissions.require(actor, "moderation.act", contribution)
    note = _clean_note(note, "note")
    if contribution.status != "hidden":
        raise Conflict(_("Only a hidden contribution can be restored."))
    appeal = contribution.appeal
    if appeal is not None and appeal.is_open:
        _close_appeal(actor, appeal, "upheld", note)
    _unhide(contribution)
    _event(contribution, "restored", "hidden", actor, note=note)
    record(actor, "moderation.restore", contribution, reason=note or None, **_detail(contribution, "hidden"))
    _tell_author(contribution, "contribution_restored")
    db.session.commit()


def suspend(actor, user, until: datetime, reason: str) -> None:
    """Stop `user` contributing and flagging until `until` (timezone-aware)."""
    permissions.require(actor, "moderation.suspend", user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", _("Give the reason for the suspension."))
    if len(reason) > MAX_NOTE_LENGTH:
        raise ValidationError("reason", _("The text may be at most %(n)d characters.", n=MAX_NOTE_LENGTH))
    if until is None or until.tzinfo is None or until <= utcnow():
        raise ValidationError("until", _("Choose an end of the suspension in the future."))
    user.suspended_until = until
    account_services.end_sessions(user)  # signed out everywhere; signing in again shows the suspension
    record(actor, "moderation.suspend", user, reason=reason, until=until.isoformat())
    db.session.commit()


def lift_suspension(actor, user, reason: str = "") -> None:
    """End a suspension early."""
    permissions.require(actor, "moderation.suspend", user)
    reason = _clean_note(reason, "reason")
    if not user.is_suspended():
        raise Conflict(_("This account is not suspended."))
    user.suspended_until = None
    record(actor, "moderation.lift_suspension", user, reason=reason or None)
    db.session.commit()


# --- the author's side ----------------------------------------------------------------

def appeal(author, contribution: Contribution, text: str) -> Appeal:
    """Ask the moderators to look again at a hidden contribution; once per contribution."""
    permissions.require(author, "contribution.appeal", contribution)
    already = _("You have already appealed. A contribution can be appealed once.")
    if contribution.appeal is not None:
        raise ValidationError("text", already)
    text = (text or "").strip()
    if not text:
        raise ValidationError("text", _("Explain why the contribution should be published again."))
    if len(text) > MAX_APPEAL_LENGTH:
        raise ValidationError("text", _("The text may be at most %(n)d characters.", n=MAX_APPEAL_LENGTH))
    item = Appeal(contribution=contribution, author_id=author.id, text=text, created_at=utcnow())
    db.session.add(item)
    _event(contribution, "appealed", "hidden", author)
    record(author, "contribution.appeal", contribution, reason=text, public_id=contribution.public_id)
    try:
        db.session.commit()
    except IntegrityError:  # a second appeal sent at the same moment
        db.session.rollback()
        raise ValidationError("text", already)
    return item


def decide_appeal(actor, appeal: Appeal, uphold: bool, note: str = "") -> None:
    """Decide an appeal: uphold=True publishes the item again, False keeps it hidden (note required)."""
    permissions.require(actor, "moderation.act", appeal)
    note = _clean_note(note, "note")
    if not appeal.is_open:
        raise Conflict(_("This appeal has already been decided."))
    if not uphold and not note:
        raise ValidationError("note", _("Explain to the author why the contribution stays hidden."))
    contribution = appeal.contribution
    outcome = "upheld" if uphold else "rejected"
    _close_appeal(actor, appeal, outcome, note)
    if uphold and contribution.status == "hidden":
        _unhide(contribution)
    _event(contribution, f"appeal_{outcome}", "hidden", actor, note=note)
    record(
        actor, "moderation.decide_appeal", contribution, reason=note or None,
        outcome=outcome, **_detail(contribution, "hidden"),
    )
    _tell_author(contribution, "contribution_restored" if uphold else "appeal_rejected")
    db.session.commit()


def withdraw(actor, contribution: Contribution, note: str = "") -> None:
    """The author takes a contribution back; it is kept, marked withdrawn."""
    permissions.require(actor, "contribution.withdraw", contribution)
    note = _clean_note(note, "note")
    from_status = contribution.status
    _set_status(contribution, "withdrawn")
    _event(contribution, "withdrawn", from_status, actor, note=note)
    record(actor, "contribution.withdraw", contribution, reason=note or None, **_detail(contribution, from_status))
    db.session.commit()


# --- finding contributions ---------------------------------------------------------

def get_contribution(viewer, public_id: str) -> Contribution:
    """The contribution with this public id, if `viewer` may see it; NotFound otherwise."""
    contribution = db.session.scalar(select(Contribution).where(Contribution.public_id == (public_id or "")[:40]))
    if contribution is None or not visible_to(viewer, contribution):
        raise NotFound()
    return contribution


def contributions_by(author, page: int = 1, per_page: int | None = None):
    """A page of everything `author` wrote (any kind, any status), newest first."""
    query = (
        select(Contribution)
        .where(Contribution.author_id == author.id)
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
    )
    per_page = per_page or current_app.config.get("PAGE_SIZE", 20)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def contribution_url(contribution: Contribution) -> str:
    """The local URL of the contribution in its place (its kind's `location()`)."""
    endpoint, values, anchor = contribution.location()
    path = notifications.path_for(endpoint, **values)
    return f"{path}#{anchor}" if anchor else path


def status_path(contribution: Contribution) -> str:
    """The local path of the contribution's status page (what notifications link to)."""
    return notifications.path_for("contributions.detail", public_id=contribution.public_id)


# --- who sees what ----------------------------------------------------------------

def visible_to(viewer, contribution: Contribution) -> bool:
    """Published items to everyone; the others to their author and moderators."""
    if contribution.status == "published":
        return True
    if not _signed_in(viewer):
        return False
    return viewer.id == contribution.author_id or permissions.is_official(viewer)


def visible_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause for queries over contributions (or a kind) that `visible_to` would allow."""
    if permissions.is_official(viewer):
        return true()
    if _signed_in(viewer):
        return or_(Contribution.status == "published", Contribution.author_id == viewer.id)
    return Contribution.status == "published"


def publicly_visible() -> ColumnElement[bool]:
    """A WHERE clause for what anyone, signed in or not, may see (search, counts, exports)."""
    return Contribution.status == "published"


# --- internals ----------------------------------------------------------------------

def _signed_in(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_active


def _announce(contribution: Contribution) -> None:
    """Tell the author of what it answers, and the followers of its policy or thread, that it was published."""
    told = [contribution.author]
    answered = contribution.replied_to()
    if answered is not None and answered.author_id != contribution.author_id and answered.author is not None:
        notifications.notify(
            answered.author, "reply", contribution_url(contribution), public_id=answered.public_id
        )
        told.append(answered.author)  # one notice for one event, even if they follow the thread too
    target = contribution.follow_target()
    if target is not None:
        target_type, target_id, title = target
        notifications.notify_followers(
            target_type, target_id, "new_activity", contribution_url(contribution),
            exclude=told, title=title,
        )


def _tell_author(contribution: Contribution, kind: str, **params) -> None:
    author = contribution.author
    if author is not None:
        notifications.notify(author, kind, status_path(contribution), public_id=contribution.public_id, **params)


def _set_status(contribution: Contribution, status: str) -> None:
    contribution.status = status
    contribution.updated_at = utcnow()
    if status == "published" and contribution.published_at is None:
        contribution.published_at = contribution.updated_at


def _unhide(contribution: Contribution) -> None:
    _set_status(contribution, "published")
    contribution.hidden_reason = None
    contribution.hidden_note = None


def _close_appeal(actor, appeal: Appeal, outcome: str, note: str) -> None:
    appeal.decided_at = utcnow()
    appeal.decided_by_id = actor.id
    appeal.outcome = outcome
    appeal.decision_note = note


def _resolve_flags(actor, contribution: Contribution, resolution: str) -> None:
    now = utcnow()
    for item in contribution.open_flags:
        item.resolved_at = now
        item.resolved_by_id = actor.id
        item.resolution = resolution


def _event(
    contribution: Contribution, action: str, from_status: str | None, actor,
    reason: str | None = None, note: str = "",
) -> ContributionEvent:
    event = ContributionEvent(
        action=action,
        from_status=from_status,
        to_status=contribution.status,
        actor_id=getattr(actor, "id", None),
        reason=reason,
        note=note or "",
        created_at=utcnow(),
    )
    contribution.events.append(event)
    return event


def _clean_note(note: str | None, field_name: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(field_name, _("The text may be at most %(n)d characters.", n=MAX_NOTE_LENGTH))
    return note


def _why(reason: str, note: str) -> str:
    return f"{reason}: {note}" if note else reason


def _detail(contribution: Contribution, from_status: str | None) -> dict:
    return {"public_id": contribution.public_id, "from_status": from_status, "to_status": contribution.status}
