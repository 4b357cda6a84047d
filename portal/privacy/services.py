"""The data-rights services: export, profile correction, e-mail change, erasure.

Services take the acting user (the person themselves, or an admin handling a written request)
and commit once. Erasure keeps the account row (contributions, audit entries and moderation
history point at it) but empties it of everything personal, and ends its sessions.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from typing import Any, Iterator

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, or_, select, update

from portal import after_response, links, mail, permissions
from portal.accounts import services as accounts
from portal.accounts import sessions
from portal.accounts.auth import verify_password
from portal.accounts.models import (
    ORGANISATION_ROLES,
    Consent,
    PasswordResetRequest,
    PendingRegistration,
    User,
    UserSession,
)
from portal.audit.labels import ACTION_LABELS
from portal.audit.models import AuditEntry
from portal.audit.services import record
from portal.comments.models import Comment, Endorsement
from portal.contributions.models import Appeal, Contribution, Flag
from portal.errors import Conflict, ValidationError
from portal.extensions import db, utcnow
from portal.forums.models import Post
from portal.notifications.models import DigestEntry, DigestSchedule, Follow, Notification
from portal.notifications.services import render_message
from portal.privacy.registry import is_cited
from portal.submissions import attachments as attachment_files
from portal.submissions.models import Submission

# What an erased author is called wherever their contributions stay (UU PDP: anonymised).
ANONYMOUS_NAME = "warga anonim"
ERASED_DOMAIN = "erased.invalid"
REMOVED_TEXT = "[dihapus]"
BATCH = 200
EMAIL_SALT = "portal.privacy.email-change"


def is_erased(user: User) -> bool:
    """Whether the account was erased (its address is a placeholder)."""
    return (user.email or "").endswith("@" + ERASED_DOMAIN)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _require_subject(actor, user: User) -> None:
    """The person themselves, or an admin handling a request."""
    if permissions.signed_in(actor) and getattr(actor, "id", None) == user.id:
        permissions.require(actor, "account.edit_self")
    else:
        permissions.require(actor, "user.manage", user)


# --- export -----------------------------------------------------------------------

def profile_of(user: User) -> dict[str, Any]:
    """The account's own fields."""
    organisation = user.organisation
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "organisation": None if organisation is None else {
            "name": organisation.name, "kind": organisation.kind,
            "verified_at": _when(user.affiliation_verified_at),
        },
        "locale": user.locale,
        "active": user.active,
        "created_at": _when(user.created_at),
        "last_login_at": _when(user.last_login_at),
        "suspended_until": _when(user.suspended_until),
    }


def _batched(statement, key) -> Iterator[Any]:
    """Rows of `statement` in id order, BATCH at a time (bounded memory)."""
    last = 0
    while True:
        rows = list(db.session.scalars(statement.where(key > last).order_by(key).limit(BATCH)))
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def _contribution(item: Contribution) -> dict[str, Any]:
    data = {
        "public_id": item.public_id, "kind": item.kind, "status": item.status, "body": item.body,
        "policy": item.policy.title if item.policy is not None else None,
        "created_at": _when(item.created_at), "published_at": _when(item.published_at),
        "hidden_reason": item.hidden_reason,
        "history": [
            {"action": e.action, "from_status": e.from_status, "to_status": e.to_status,
             "reason": e.reason, "note": e.note, "at": _when(e.created_at)}
            for e in item.events
        ],
    }
    for field in ("title", "suggested_wording", "stance", "article_key"):
        value = getattr(item, field, None)
        if isinstance(value, str) and value:
            data[field] = value
    if isinstance(item, Submission):
        data["attachments"] = [{"name": a.display_name, "size": a.size} for a in item.attachments]
    if item.appeal is not None:
        data["appeal"] = {"text": item.appeal.text, "at": _when(item.appeal.created_at),
                          "outcome": item.appeal.outcome}
    return data


def _sessions_of(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))
    listed = [{"began": _when(r.created_at), "ends": _when(r.expires_at), "remember": r.remember} for r in rows]
    if not listed and sessions.count(user.id):  # kept in Redis: only how many are open
        return [{"open_sessions": sessions.count(user.id)}]
    return listed


def _audit_filter(user: User):
    own = select(Contribution.id).where(Contribution.author_id == user.id)
    return or_(
        AuditEntry.actor_id == user.id,
        (AuditEntry.target_type == "user") & (AuditEntry.target_id == user.id),
        AuditEntry.target_type.in_(("contribution", "comment", "submission", "post")) & AuditEntry.target_id.in_(own),
    )


def sections(user: User) -> Iterator[tuple[str, Any]]:
    """(name, value) of everything held about `user`: a dict, or an iterator of dicts (streamed)."""
    yield "profile", profile_of(user)
    yield "consents", [{"notice_version": c.notice_version, "given_at": _when(c.given_at)} for c in user.consents]
    yield "contributions", (
        _contribution(c) for c in _batched(select(Contribution).where(Contribution.author_id == user.id), Contribution.id)
    )
    yield "flags", (
        {"contribution": f.contribution.public_id, "reason": f.reason, "note": f.note,
         "at": _when(f.created_at), "resolution": f.resolution}
        for f in _batched(select(Flag).where(Flag.user_id == user.id), Flag.id)
    )
    yield "appeals", (
        {"contribution": a.contribution.public_id, "text": a.text, "at": _when(a.created_at), "outcome": a.outcome}
        for a in _batched(select(Appeal).where(Appeal.author_id == user.id), Appeal.id)
    )
    yield "endorsements", (
        {"comment": e.comment.public_id, "at": _when(e.created_at)}
        for e in _batched(select(Endorsement).where(Endorsement.user_id == user.id), Endorsement.id)
    )
    yield "notifications", (
        {"message": render_message(n.kind, n.params), "link": n.link, "at": _when(n.created_at),
         "read_at": _when(n.read_at)}
        for n in _batched(select(Notification).where(Notification.user_id == user.id), Notification.id)
    )
    yield "follows", (
        {"target_type": f.target_type, "target_id": f.target_id, "at": _when(f.created_at)}
        for f in _batched(select(Follow).where(Follow.user_id == user.id), Follow.id)
    )
    yield "sessions", _sessions_of(user)
    yield "audit_entries", (
        {"action": e.action, "label": str(ACTION_LABELS.get(e.action, e.action)),
         "by_you": e.actor_id == user.id, "target": e.target_type, "target_label": e.target_label,
         "reason": e.reason, "at": _when(e.created_at)}
        for e in _batched(select(AuditEntry).where(_audit_filter(user)), AuditEntry.id)
    )


def export_json(actor, user: User) -> Iterator[str]:
    """The JSON document of everything held about `user`, in pieces (streamed, bounded memory)."""
    _require_subject(actor, user)
    if actor.id != user.id:
        record(actor, "privacy.export", user)
        db.session.commit()
    return _json_pieces(user.id)


def _json_pieces(user_id: int) -> Iterator[str]:
    # Read again here: a streamed response may outlive the session the caller loaded the user in.
    user = db.session.get(User, user_id)
    yield '{"portal": "Portal Partisipasi Kota Medan", "exported_at": %s' % json.dumps(_when(utcnow()))
    for name, value in sections(user):
        yield ",\n%s: " % json.dumps(name)
        if isinstance(value, (dict, list)):
            yield json.dumps(value, ensure_ascii=False, indent=1)
            continue
        yield "["
        for n, item in enumerate(value):
            yield ("," if n else "") + "\n" + json.dumps(item, ensure_ascii=False)
        yield "]"
    yield "\n}\n"


# --- correcting the profile --------------------------------------------------------

def update_profile(actor, user: User, *, display_name: str, organisation_name: str | None = None) -> None:
    """Correct the name (and, for NGO and academic members, the organisation; a new one waits for verification)."""
    _require_subject(actor, user)
    user.display_name = accounts.clean_display_name(display_name)
    if user.role in ORGANISATION_ROLES and organisation_name is not None:
        organisation = accounts.find_or_create_organisation(organisation_name, user.role)
        if organisation is not user.organisation:
            user.organisation = organisation
            user.affiliation_verified_at = None
            user.affiliation_verified_by_id = None
    if actor.id != user.id:
        record(actor, "privacy.correct", user)
    db.session.commit()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=EMAIL_SALT)


def request_email_change(actor, new_email: str, password: str) -> str:
    """Mail a signed, expiring link to the new address; the address changes only when it is opened.

    The answer is the same whether or not the new address has an account (its owner is told instead)."""
    permissions.require(actor, "account.edit_self")
    if not verify_password(actor.password_hash, password or ""):
        raise ValidationError("password", _("Your current password is wrong."))
    new_email = accounts.normalise_email(new_email)
    if new_email == actor.email:
        raise ValidationError("email", _("This is already your address."))
    token = _serializer().dumps({"u": actor.id, "old": actor.email, "new": new_email})
    max_age = current_app.config["EMAIL_CHANGE_MAX_AGE"]
    subject = _("Confirm your new address on Portal Partisipasi")
    body = _(
        "Hello %(name)s,\n\nOpen this link within %(hours)d hours to use this address for your account on "
        "Portal Partisipasi Kota Medan:\n%(link)s\n\nIf you did not ask for this, ignore this mail; nothing changes.",
        name=actor.display_name, hours=max(1, max_age // 3600),
        link=links.external_url("privacy.confirm_email", token=token),
    )
    taken_subject = _("Someone tried to move an account to your address")
    taken_body = _(
        "Hello,\n\nSomeone asked to use this address for an account on Portal Partisipasi Kota Medan, "
        "but it already belongs to your account. Nothing has changed."
    )
    after_response.call(partial(_send_email_change, new_email, subject, body, taken_subject, taken_body))
    return new_email


def _send_email_change(new_email: str, subject: str, body: str, taken_subject: str, taken_body: str) -> None:
    if db.session.scalar(select(User.id).where(User.email == new_email)) is None:
        mail.send(new_email, subject, body)
    else:
        mail.send(new_email, taken_subject, taken_body)


def confirm_email_change(actor, token: str) -> str:
    """Apply the change the signed link names (for the signed-in owner, once, before it expires)."""
    permissions.require(actor, "account.edit_self")
    invalid = ValidationError("token", _("This confirmation link is invalid or has expired. Ask for a new one."))
    try:
        data = _serializer().loads(token or "", max_age=current_app.config["EMAIL_CHANGE_MAX_AGE"])
    except SignatureExpired:
        raise invalid
    except BadSignature:
        raise invalid
    if not isinstance(data, dict) or data.get("u") != actor.id or data.get("old") != actor.email:
        raise invalid
    new_email = str(data.get("new", ""))
    if db.session.scalar(select(User.id).where(User.email == new_email)) is not None:
        raise Conflict(_("This address already has an account."))
    old = actor.email
    actor.email = new_email
    db.session.commit()
    after_response.call(partial(
        mail.send, old, _("Your address on Portal Partisipasi was changed"),
        _("Hello,\n\nThe address of your account on Portal Partisipasi Kota Medan was changed to %(new)s. "
          "If it was not you, contact the portal's administrators.", new=new_email),
    ))
    return new_email


# --- erasure ------------------------------------------------------------------------

def _scrub(text: str | None, name: str, email: str) -> str | None:
    """`text` with the erased person's e-mail (and name, when long enough to be a name) replaced."""
    if not text:
        return text
    text = text.replace(email, "[email dihapus]")
    if len(name) >= 3:
        text = text.replace(name, ANONYMOUS_NAME)
    return text


def erase_account(actor, user: User, *, keep_contributions: bool, password: str | None = None,
                  reason: str = "") -> dict[str, int]:
    """Withdraw consent and delete the account; returns what was done.

    `keep_contributions`: published contributions stay as "warga anonim"; otherwise they are
    removed (text erased, withdrawn), except those an official response or a published summary
    cites (`registry.citation_checks`), which stay anonymised. Unpublished ones are removed.
    The person themselves gives their password; an admin gives the request's reference."""
    _require_subject(actor, user)
    if actor.id == user.id:
        if not verify_password(user.password_hash, password or ""):
            raise ValidationError("password", _("Your password is wrong."))
    else:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("reason", _("Give the reference of the written request."))
    if is_erased(user):
        raise Conflict(_("This account was already deleted."))
    if user.role == "admin" and not db.session.scalar(
        select(User.id).where(User.role == "admin", User.active.is_(True), User.id != user.id).limit(1)
    ):
        raise Conflict(_("The last admin account cannot be deleted."))
    name, email = user.display_name, user.email
    done = {"kept": 0, "removed": 0, "cited": 0}
    for item in _batched(select(Contribution).where(Contribution.author_id == user.id), Contribution.id):
        cited = is_cited(item)
        if cited or (keep_contributions and item.status == "published"):
            done["cited" if cited and not keep_contributions else "kept"] += 1
            item.body = _scrub(item.body, name, email) or ""
            for field in ("title", "suggested_wording"):
                if isinstance(getattr(item, field, None), str):
                    setattr(item, field, _scrub(getattr(item, field), name, email))
            if isinstance(item, Post) and item.is_opening:
                item.thread.title = _scrub(item.thread.title, name, email)
            if item.appeal is not None:
                item.appeal.text = _scrub(item.appeal.text, name, email) or ""
            continue
        done["removed"] += 1
        from_status = item.status
        item.body = REMOVED_TEXT
        if isinstance(item, Comment):
            item.suggested_wording = ""
        if isinstance(item, Submission):
            item.title = REMOVED_TEXT
            for attachment in list(item.attachments):
                attachment_files.remove(attachment.stored_name)
                db.session.delete(attachment)
        if isinstance(item, Post) and item.is_opening:
            item.thread.title = REMOVED_TEXT
        if item.appeal is not None:
            item.appeal.text = ""
        if from_status != "withdrawn":
            item.set_status("withdrawn")
            item.add_event("withdrawn", from_status, actor, note="UU PDP")
    # Quotes of their posts in other people's posts name them ("> Name (FRM-...):").
    quote = f"> {name} ("
    for post in db.session.scalars(select(Contribution).where(Contribution.body.contains(quote, autoescape=True))):
        post.body = post.body.replace(quote, f"> {ANONYMOUS_NAME} (")
    for flag in db.session.scalars(select(Flag).where(Flag.user_id == user.id)):
        flag.note = ""
    for model in (DigestEntry, Notification, Follow, DigestSchedule, Consent, PasswordResetRequest):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.email == email))
    sessions.end_all(user.id)
    # The audit log is append-only, but the name it copied into its rows is personal data: the
    # entries stay, with the name and address taken out (a Core update; the ORM guard refuses).
    db.session.execute(
        update(AuditEntry).where(AuditEntry.target_type == "user", AuditEntry.target_id == user.id)
        .values(target_label=ANONYMOUS_NAME)
    )
    for column in (AuditEntry.target_label, AuditEntry.reason, AuditEntry.detail):
        for entry_id, value in db.session.execute(
            select(AuditEntry.id, column).where(or_(column.contains(email, autoescape=True),
                                                    column.contains(name, autoescape=True)))
        ).all():
            db.session.execute(update(AuditEntry).where(AuditEntry.id == entry_id)
                               .values({column.key: _scrub(value, name, email) if len(name) >= 3
                                        else value.replace(email, "[email dihapus]")}))
    user.email = f"erased-{user.id}@{ERASED_DOMAIN}"
    user.display_name = ANONYMOUS_NAME
    user.password_hash = "!"  # nosec B105 not a password: no Argon2 hash, so no password ever matches
    user.organisation = None
    user.affiliation_verified_at = None
    user.affiliation_verified_by_id = None
    user.role = "citizen"
    user.locale = None
    user.active = False
    user.last_login_at = None
    user.suspended_until = None
    db.session.flush()
    record(actor if actor.id != user.id else user, "privacy.erase", user, reason=reason or None,
           keep_contributions=keep_contributions, **done)
    db.session.commit()
    return done
