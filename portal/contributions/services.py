"""The rules every contribution follows, whatever its kind: admission
(pre-moderation and the word filter), its public id, who may see it, and what
its author and readers do with it (report, appeal, withdraw).

The service that creates a comment, submission or post calls `admit` inside
its own transaction and commits. The other mutating services take the acting
user first, ask `permissions`, write a ContributionEvent (the history the
author sees) and an audit entry, and commit once. What a moderator does is in
`portal.moderation`.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from portal import permissions
from portal.audit.services import record
from portal.contributions import checks, wordlist
from portal.contributions.models import FLAG_REASONS, Appeal, Contribution, Flag
from portal.contributions.signals import contribution_published
from portal.errors import NotFound, ValidationError
from portal.extensions import db, utcnow
from portal.i18n import local_zone

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
    contribution.add_event("submitted", None, author, reason=reason)
    if contribution.status == "published":
        contribution_published.send(contribution)
    return contribution.status


# --- the readers' and the author's side ------------------------------------------

def flag(actor, contribution: Contribution, reason: str, note: str = "") -> Flag:
    """Report a published contribution to the moderators, once per user."""
    permissions.require(actor, "contribution.flag", contribution)
    if reason not in FLAG_REASONS:
        raise ValidationError("reason", _("Choose why you are reporting this contribution."))
    note = clean_note(note, "note")
    already = _("You have already reported this contribution. A moderator will look at it.")
    if db.session.scalar(
        select(Flag.id).where(Flag.contribution_id == contribution.id, Flag.user_id == actor.id)
    ):
        raise ValidationError("reason", already)
    item = Flag(contribution_id=contribution.id, user_id=actor.id, reason=reason, note=note, created_at=utcnow())
    db.session.add(item)
    record(actor, "contribution.flag", contribution, reason=why(reason, note), public_id=contribution.public_id)
    try:
        db.session.commit()
    except IntegrityError:  # the same user's second click, in a race
        db.session.rollback()
        raise ValidationError("reason", already)
    return item


def appeal(author, contribution: Contribution, text: str) -> Appeal:
    """Ask the moderators to look again at a hidden contribution; once per contribution."""
    permissions.require(author, "contribution.appeal", contribution)
    already = _("You have already appealed. A contribution can be appealed once.")
    if contribution.appeal is not None:
        raise ValidationError("text", already)
    text = checks.clean_text(
        "text", text, MAX_APPEAL_LENGTH, strip=True,
        required=_("Explain why the contribution should be published again."),
    )
    item = Appeal(contribution=contribution, author_id=author.id, text=text, created_at=utcnow())
    db.session.add(item)
    contribution.add_event("appealed", "hidden", author)
    record(author, "contribution.appeal", contribution, reason=text, public_id=contribution.public_id)
    try:
        db.session.commit()
    except IntegrityError:  # a second appeal sent at the same moment
        db.session.rollback()
        raise ValidationError("text", already)
    return item


def withdraw(actor, contribution: Contribution, note: str = "") -> None:
    """The author takes a contribution back; it is kept, marked withdrawn."""
    permissions.require(actor, "contribution.withdraw", contribution)
    note = clean_note(note, "note")
    from_status = contribution.status
    contribution.set_status("withdrawn")
    contribution.add_event("withdrawn", from_status, actor, note=note)
    record(actor, "contribution.withdraw", contribution, reason=note or None, **audit_detail(contribution, from_status))
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


# --- who sees what ----------------------------------------------------------------

def visible_to(viewer, contribution: Contribution) -> bool:
    """Published items to everyone; the others to their author and moderators."""
    if contribution.status == "published":
        return True
    if not permissions.signed_in(viewer):
        return False
    return viewer.id == contribution.author_id or permissions.is_official(viewer)


def visible_filter(viewer, entity=Contribution) -> ColumnElement[bool]:
    """A WHERE clause for queries over contributions (or a kind, or an alias of one: `entity`)
    that `visible_to` would allow."""
    if permissions.is_official(viewer):
        return true()
    if permissions.signed_in(viewer):
        return or_(entity.status == "published", entity.author_id == viewer.id)
    return entity.status == "published"


def publicly_visible() -> ColumnElement[bool]:
    """A WHERE clause for what anyone, signed in or not, may see (search, counts, exports)."""
    return Contribution.status == "published"


# --- shared with the moderator's side ---------------------------------------------

def clean_note(note: str | None, field_name: str) -> str:
    """A note or reason as typed (trimmed), if it fits; "" when blank."""
    return checks.clean_text(field_name, note, MAX_NOTE_LENGTH, strip=True)


def why(reason: str, note: str) -> str:
    """A reason key and its note, as the audit log keeps them."""
    return f"{reason}: {note}" if note else reason


def audit_detail(contribution: Contribution, from_status: str | None) -> dict:
    """What the audit log keeps of a status change."""
    return {"public_id": contribution.public_id, "from_status": from_status, "to_status": contribution.status}
