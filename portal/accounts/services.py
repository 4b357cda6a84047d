"""Account rules: sign-in and signed-in sessions, passwords, roles, affiliation
(registration is in `registration`).

A password-reset request answers the same, in the same time, whether or not the address has
an account: it does the same work either way and leaves what depends on it (the look-up, the
token, the mail) to `after_response`, after the answer has been sent.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import partial

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import after_response, links, mail, permissions
from portal.accounts import passwords, sessions, throttle
from portal.accounts.auth import hash_password, needs_rehash, verify_password
from portal.accounts.models import (
    ORGANISATION_ROLES,
    ROLES,
    Consent,
    Organisation,
    PasswordResetRequest,
    User,
)
from portal.audit.services import record
from portal.errors import Conflict, NotFound, ValidationError
from portal.extensions import db, utcnow

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
MAX_PASSWORD_LENGTH = passwords.MAX_LENGTH
SELF_SERVICE_ROLES = ("citizen", "ngo", "academic")
# Stands for the recipient's name in a mail written before we know who the recipient is.
NAME_MARK = "\ue000"


def normalise_email(email: str) -> str:
    """Validate an address and return it in the form we store (domain lowercased)."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError("email", _("Enter a valid email address."))
    return result.normalized.lower()


def clean_display_name(name: str) -> str:
    """A display name as typed, minus surrounding white space; 1–100 characters."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("display_name", _("Enter the name others will see."))
    if len(name) > 100:
        raise ValidationError("display_name", _("The name may be at most 100 characters."))
    return name


def check_password_strength(password: str, field: str = "password", *, email: str | None = None,
                            name: str | None = None) -> None:
    """Refuse passwords that are too short or too long, common or breached, or the user's own
    e-mail or name (portal.accounts.passwords)."""
    passwords.check(password, email=email, names=(name,), field=field)


def existing_organisation(name: str, kind: str) -> tuple[str, Organisation | None]:
    """The cleaned name and the organisation of that name (case-insensitive), if there is one;
    refuses a name taken by the other kind of organisation."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("organisation", _("Name the organisation you act for."))
    if len(name) > 200:
        raise ValidationError("organisation", _("The organisation name may be at most 200 characters."))
    # Fold case in SQL on both sides: SQLite's lower() folds only ASCII, so
    # comparing it with Python's lower() would miss "É" and insert a duplicate.
    existing = db.session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == func.lower(name)).limit(1)
    )
    if existing is not None and existing.kind != kind:
        raise ValidationError(
            "organisation", _("This organisation is registered as a different kind of organisation.")
        )
    return name, existing


def find_or_create_organisation(name: str, kind: str) -> Organisation:
    """The organisation of that name (case-insensitive), created if new."""
    name, existing = existing_organisation(name, kind)
    if existing is not None:
        return existing
    organisation = Organisation(name=name, kind=kind)
    db.session.add(organisation)
    return organisation


def _new_user(email: str, display_name: str, password: str, role: str, locale: str | None = None) -> User:
    """Validate and add (not commit) a user who consented to the current notice."""
    email = normalise_email(email)
    display_name = clean_display_name(display_name)
    check_password_strength(password, email=email, name=display_name)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ValidationError("email", _("An account with this email already exists. Sign in or reset your password."))
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        locale=locale,
    )
    user.consents.append(Consent(notice_version=current_app.config["PRIVACY_NOTICE_VERSION"]))
    db.session.add(user)
    return user


def authenticate(email: str, password: str, *, remember: bool = False) -> User | None:
    """The active user with this email and password, with a new session opened, or None.

    An unknown email still costs one hash check, so timing does not tell
    which addresses have accounts. After too many wrong passwords for one address, raises
    `throttle.SignInPaused` (429) without checking the password (portal.accounts.throttle).
    """
    try:
        email = normalise_email(email)
    except ValidationError:
        email = (email or "").strip().lower()
    paused_until = throttle.claim(email)  # per account, whatever the address it comes from
    if paused_until is not None:
        raise throttle.SignInPaused(paused_until)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        verify_password(_dummy_hash(), password or "")
        throttle.failed(email)
        return None
    if not verify_password(user.password_hash, password or "") or not user.active:
        throttle.failed(email)
        return None
    throttle.succeeded(email)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    sessions.start(user, remember=remember)
    db.session.commit()
    return user


def sign_out(actor: User) -> None:
    """End the session `actor` signed out from, wherever its cookies have been copied to."""
    permissions.require(actor, "account.edit_self")
    sessions.end(actor.session_token)
    db.session.commit()


def end_sessions(user: User, *, keep_token: str | None = None) -> int:
    """End `user`'s sessions everywhere (but `keep_token`'s) in the caller's transaction; how many ended.

    For services that have checked their own permission: suspension, deactivation, passwords.
    """
    return sessions.end_all(user.id, keep_token=keep_token)


def other_session_count(actor: User) -> int:
    """How many sessions `actor` has open besides this one."""
    return max(0, sessions.count(actor.id) - (1 if actor.session_token else 0))


def end_other_sessions(actor: User) -> int:
    """Sign out everywhere but here; returns how many sessions ended."""
    permissions.require(actor, "account.edit_self")
    ended = end_sessions(actor, keep_token=actor.session_token)
    if actor.is_official:
        record(actor, "account.end_sessions", actor, sessions_ended=ended)
    db.session.commit()
    return ended


def change_password(actor: User, current_password: str, new_password: str) -> None:
    """Set a new password (the current one is asked) and end every other session.

    The session it is changed from goes on under a new token, so a copy of its old cookie
    is worth nothing either.
    """
    permissions.require(actor, "account.edit_self")
    if not verify_password(actor.password_hash, current_password or ""):
        raise ValidationError("current_password", _("Your current password is wrong."))
    check_password_strength(new_password, email=actor.email, name=actor.display_name)
    actor.password_hash = hash_password(new_password)
    remember = bool(actor.session_record and actor.session_record.remember)
    ended = end_sessions(actor)
    sessions.start(actor, remember=remember)
    if actor.is_official:
        record(actor, "account.password_change", actor, sessions_ended=max(0, ended - 1))
    db.session.commit()


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    key = f"{current_app.config['ARGON2_TIME_COST']}/{current_app.config['ARGON2_MEMORY_COST']}"
    if key not in _DUMMY:
        _DUMMY[key] = hash_password(secrets.token_hex(16))
    return _DUMMY[key]


def token_digest(token: str) -> str:
    """How a mailed one-time token is stored: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(email: str) -> None:
    """Mail a one-time reset link if the address has an active account; say nothing either way.

    The request does the same work whatever the address: the look-up, the token and the mail
    come after the response.
    """
    try:
        email = normalise_email(email)
    except ValidationError:
        return
    token = secrets.token_urlsafe(32)
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    subject = _("Reset your Portal Partisipasi password")
    body = _(
        "Hello %(name)s,\n\nOpen this link within %(minutes)d minutes to choose a new password:\n%(link)s\n\n"
        "If you did not ask for this, ignore this mail; your password stays the same.",
        name=NAME_MARK,
        minutes=max_age // 60,
        link=links.external_url("accounts.reset_password", token=token),
    )
    expires_at = utcnow() + timedelta(seconds=max_age)
    after_response.call(partial(_issue_reset, email, token_digest(token), expires_at, subject, body))


def _issue_reset(email: str, token_hash: str, expires_at, subject: str, body: str) -> None:
    """After the response: keep the token and mail the link, if the address has an active account."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        return
    db.session.add(PasswordResetRequest(user_id=user.id, token_hash=token_hash, expires_at=expires_at))
    db.session.commit()
    mail.send(user.email, subject, body.replace(NAME_MARK, user.display_name))


def reset_request_for(token: str) -> PasswordResetRequest:
    """The unused, unexpired reset request behind `token`."""
    request = db.session.scalar(
        select(PasswordResetRequest).where(PasswordResetRequest.token_hash == token_digest(token or ""))
    )
    if request is None or request.used_at is not None or request.expires_at <= utcnow():
        raise ValidationError("token", _("This reset link is invalid or has expired. Ask for a new one."))
    return request


def reset_password(token: str, new_password: str) -> User:
    """Set a new password with a reset token; the token and any others are spent, and every
    session of the account ends."""
    reset = reset_request_for(token)
    user = db.session.get(User, reset.user_id)
    check_password_strength(new_password, email=user.email, name=user.display_name)
    user.password_hash = hash_password(new_password)
    now = utcnow()
    for pending in db.session.scalars(
        select(PasswordResetRequest).where(
            PasswordResetRequest.user_id == user.id, PasswordResetRequest.used_at.is_(None)
        )
    ):
        pending.used_at = now
    ended = end_sessions(user)
    throttle.clear(user.email)  # the owner, who can read the mail, ends any pause on sign-in
    if user.is_official:
        record(user, "account.password_reset", user, sessions_ended=ended)
    db.session.commit()
    return user


def set_locale(actor: User, locale: str) -> None:
    """Remember the signed-in user's language."""
    permissions.require(actor, "account.edit_self")
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationError("lang", _("Unknown language."))
    actor.locale = locale
    db.session.commit()


# --- administration ---------------------------------------------------------

def get_user(user_id: int) -> User:
    """A user by id, or NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def list_users(actor, *, query: str = "", role: str = "", pending_only: bool = False, page: int = 1):
    """A page of accounts for admins, filterable by name/email, role and pending affiliation."""
    permissions.require(actor, "user.manage")
    stmt = select(User).order_by(User.created_at.desc(), User.id.desc())
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(func.lower(User.display_name).like(like) | User.email.like(like))
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    if pending_only:
        stmt = stmt.where(
            User.role.in_(ORGANISATION_ROLES),
            User.organisation_id.is_not(None),
            User.affiliation_verified_at.is_(None),
        )
    return db.paginate(stmt, page=page, per_page=50, error_out=False)


def verify_affiliation(actor, user: User) -> None:
    """Confirm that `user` acts for their organisation."""
    permissions.require(actor, "organisation.verify", user)
    if not user.affiliation_pending:
        raise Conflict(_("This account has no affiliation waiting for verification."))
    user.affiliation_verified_at = utcnow()
    user.affiliation_verified_by_id = actor.id
    record(actor, "affiliation.verify", user, organisation=user.organisation.name)
    db.session.commit()


def revoke_affiliation(actor, user: User, reason: str) -> None:
    """Withdraw a verification (or refuse a pending one); the user takes part as a citizen."""
    permissions.require(actor, "organisation.verify", user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", _("Give a reason."))
    if user.organisation_id is None:
        raise Conflict(_("This account names no organisation."))
    organisation = user.organisation.name
    user.affiliation_verified_at = None
    user.affiliation_verified_by_id = None
    user.organisation = None
    user.role = "citizen"
    record(actor, "affiliation.revoke", user, reason=reason, organisation=organisation)
    db.session.commit()


def set_role(actor, user: User, role: str) -> None:
    """Change an account's role (admins)."""
    permissions.require(actor, "user.manage", user)
    if role not in ROLES:
        raise ValidationError("role", _("Unknown role."))
    if user.id == actor.id and role != "admin":
        raise Conflict(_("You cannot remove your own admin role."))
    if role in ORGANISATION_ROLES and user.organisation_id is None:
        raise ValidationError("role", _("Only accounts that name an organisation can take this role."))
    old = user.role
    user.role = role
    if role not in ORGANISATION_ROLES:
        user.affiliation_verified_at = None
    record(actor, "user.set_role", user, old=old, new=role)
    db.session.commit()


def set_active(actor, user: User, active: bool, reason: str = "") -> None:
    """Deactivate or reactivate an account (admins)."""
    permissions.require(actor, "user.manage", user)
    if user.id == actor.id:
        raise Conflict(_("You cannot deactivate your own account."))
    user.active = active
    if active:
        record(actor, "user.activate", user, reason=reason or None)
    else:
        record(actor, "user.deactivate", user, reason=reason or None, sessions_ended=end_sessions(user))
    db.session.commit()


def create_user(email: str, display_name: str, password: str, role: str) -> User:
    """Create an account of any role (CLI and demo data; consent is given by the operator)."""
    if role not in ROLES:
        raise ValidationError("role", _("Unknown role."))
    user = _new_user(email, display_name, password, role)
    db.session.commit()
    return user
