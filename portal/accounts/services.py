"""Account rules: registration, sign-in, password reset, roles, affiliation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import links, mail, permissions
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

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
SELF_SERVICE_ROLES = ("citizen", "ngo", "academic")


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


def check_password_strength(password: str, field: str = "password") -> None:
    """Refuse passwords that are too short or too long."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            field, _("The password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            field, _("The password may be at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)
        )


def find_or_create_organisation(name: str, kind: str) -> Organisation:
    """The organisation of that name (case-insensitive), created if new."""
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
    if existing is not None:
        if existing.kind != kind:
            raise ValidationError(
                "organisation", _("This organisation is registered as a different kind of organisation.")
            )
        return existing
    organisation = Organisation(name=name, kind=kind)
    db.session.add(organisation)
    return organisation


def register(
    *,
    email: str,
    display_name: str,
    password: str,
    role: str = "citizen",
    organisation_name: str | None = None,
    consent: bool = False,
    locale: str | None = None,
) -> User:
    """Create an account with consent to the current privacy notice."""
    if not consent:
        raise ValidationError("consent", _("You must agree to the privacy notice to register."))
    if role not in SELF_SERVICE_ROLES:
        raise ValidationError("role", _("Choose how you take part."))
    try:
        user = _new_user(email, display_name, password, role, locale)
        if role in ORGANISATION_ROLES:
            user.organisation = find_or_create_organisation(organisation_name or "", role)
    except ValidationError:
        # Leave no half-made account pending in the session for a later flush.
        db.session.rollback()
        raise
    db.session.commit()
    return user


def _new_user(email: str, display_name: str, password: str, role: str, locale: str | None = None) -> User:
    """Validate and add (not commit) a user who consented to the current notice."""
    email = normalise_email(email)
    display_name = clean_display_name(display_name)
    check_password_strength(password)
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


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None.

    An unknown email still costs one hash check, so timing does not tell
    which addresses have accounts.
    """
    try:
        email = normalise_email(email)
    except ValidationError:
        email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        verify_password(_dummy_hash(), password or "")
        return None
    if not verify_password(user.password_hash, password or "") or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    key = f"{current_app.config['ARGON2_TIME_COST']}/{current_app.config['ARGON2_MEMORY_COST']}"
    if key not in _DUMMY:
        _DUMMY[key] = hash_password(secrets.token_hex(16))
    return _DUMMY[key]


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(email: str) -> None:
    """Mail a one-time reset link if the address has an account; say nothing either way."""
    try:
        email = normalise_email(email)
    except ValidationError:
        return
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        verify_password(_dummy_hash(), email)  # same cost as the real path
        return
    token = secrets.token_urlsafe(32)
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    db.session.add(
        PasswordResetRequest(
            user_id=user.id,
            token_hash=_token_digest(token),
            expires_at=utcnow() + timedelta(seconds=max_age),
        )
    )
    db.session.commit()
    link = links.external_url("accounts.reset_password", token=token)
    mail.send(
        user.email,
        _("Reset your Portal Partisipasi password"),
        _(
            "Hello %(name)s,\n\nOpen this link within %(minutes)d minutes to choose a new password:\n%(link)s\n\n"
            "If you did not ask for this, ignore this mail; your password stays the same.",
            name=user.display_name,
            minutes=max_age // 60,
            link=link,
        ),
    )


def reset_request_for(token: str) -> PasswordResetRequest:
    """The unused, unexpired reset request behind `token`."""
    request = db.session.scalar(
        select(PasswordResetRequest).where(PasswordResetRequest.token_hash == _token_digest(token or ""))
    )
    if request is None or request.used_at is not None or request.expires_at <= utcnow():
        raise ValidationError("token", _("This reset link is invalid or has expired. Ask for a new one."))
    return request


def reset_password(token: str, new_password: str) -> User:
    """Set a new password with a reset token; the token and any others are spent."""
    reset = reset_request_for(token)
    check_password_strength(new_password)
    user = db.session.get(User, reset.user_id)
    user.password_hash = hash_password(new_password)
    now = utcnow()
    for pending in db.session.scalars(
        select(PasswordResetRequest).where(
            PasswordResetRequest.user_id == user.id, PasswordResetRequest.used_at.is_(None)
        )
    ):
        pending.used_at = now
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
    record(actor, "user.activate" if active else "user.deactivate", user, reason=reason or None)
    db.session.commit()


def create_user(email: str, display_name: str, password: str, role: str) -> User:
    """Create an account of any role (CLI and demo data; consent is given by the operator)."""
    if role not in ROLES:
        raise ValidationError("role", _("Unknown role."))
    user = _new_user(email, display_name, password, role)
    db.session.commit()
    return user
