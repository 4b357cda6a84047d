"""Registration: the form's data waits, with its password already hashed, until the address is
confirmed by the mailed link; only then is the account made.

The page after registering says "check your mail" whether or not the address already has an
account, and takes the same time: the password is hashed either way, and what depends on the
address (looking it up, keeping the registration, the mail) runs after the response. An
address that has an account gets a note to its owner instead of a link.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from portal import after_response, links, mail
from portal.accounts import services, sessions
from portal.accounts.auth import hash_password, verify_password
from portal.accounts.models import ORGANISATION_ROLES, Consent, PendingRegistration, User
from portal.errors import Conflict, ValidationError
from portal.extensions import db, utcnow


def start_registration(
    *,
    email: str,
    display_name: str,
    password: str,
    role: str = "citizen",
    organisation_name: str | None = None,
    consent: bool = False,
    locale: str | None = None,
) -> str:
    """Check a registration and mail the address; returns the address as stored.

    A new address gets a link that makes the account; an address that already has one gets a
    note to its owner instead. The answer and the time it takes are the same either way.
    """
    if not consent:
        raise ValidationError("consent", _("You must agree to the privacy notice to register."))
    if role not in services.SELF_SERVICE_ROLES:
        raise ValidationError("role", _("Choose how you take part."))
    email = services.normalise_email(email)
    display_name = services.clean_display_name(display_name)
    services.check_password_strength(password, email=email, name=display_name)
    if role in ORGANISATION_ROLES:
        organisation_name, _existing = services.existing_organisation(organisation_name or "", role)
    else:
        organisation_name = None
    token = secrets.token_urlsafe(32)
    max_age = current_app.config["REGISTRATION_CONFIRM_MAX_AGE"]
    pending = {
        "email": email,
        "display_name": display_name,
        "password_hash": hash_password(password),  # hashed whether or not the address is new
        "role": role,
        "organisation_name": organisation_name,
        "locale": locale,
        "notice_version": current_app.config["PRIVACY_NOTICE_VERSION"],
        "token_hash": services.token_digest(token),
        "expires_at": utcnow() + timedelta(seconds=max_age),
    }
    # Both mails are written now, in the language of the page, whichever is sent.
    confirm = (
        _("Confirm your Portal Partisipasi account"),
        _(
            "Hello,\n\nOpen this link within %(hours)d hours to finish creating your account on "
            "Portal Partisipasi Kota Medan:\n%(link)s\n\n"
            "If you did not register, ignore this mail: no account is made without this link.",
            hours=max(1, max_age // 3600),
            link=links.external_url("accounts.confirm_registration", token=token),
        ),
    )
    taken = (
        _("Someone tried to register with your address"),
        _(
            "Hello %(name)s,\n\nSomeone, perhaps you, tried to create an account on Portal Partisipasi "
            "Kota Medan with this address. You already have an account, so no new one was made.\n\n"
            "Sign in: %(login)s\nForgot your password? Choose a new one: %(reset)s\n\n"
            "If it was not you, ignore this mail; nothing has changed.",
            name=services.NAME_MARK,
            login=links.external_url("accounts.login"),
            reset=links.external_url("accounts.request_reset"),
        ),
    )
    after_response.call(partial(_finish_registration, pending, confirm, taken))
    return email


def _finish_registration(pending: dict, confirm: tuple[str, str], taken: tuple[str, str]) -> None:
    """After the response: keep the registration and mail its link, or tell the owner of the address."""
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.expires_at <= utcnow()))
    owner = db.session.scalar(select(User).where(User.email == pending["email"]))
    if owner is None:
        db.session.add(PendingRegistration(**pending))
    db.session.commit()
    if owner is None:
        mail.send(pending["email"], *confirm)
    else:
        mail.send(owner.email, taken[0], taken[1].replace(services.NAME_MARK, owner.display_name))


def pending_registration_for(token: str) -> PendingRegistration:
    """The unexpired registration behind a confirmation link."""
    pending = db.session.scalar(
        select(PendingRegistration).where(PendingRegistration.token_hash == services.token_digest(token or ""))
    )
    if pending is None or pending.expires_at <= utcnow():
        raise ValidationError("token", _("This confirmation link is invalid or has expired. Please register again."))
    return pending


def confirm_registration(token: str, password: str) -> User:
    """Make the account of a confirmed registration, signed in (a session is opened).

    The password chosen at registration is asked again, so that someone who registered
    another person's address cannot have its owner confirm an account they control.
    """
    pending = pending_registration_for(token)
    if not verify_password(pending.password_hash, password or ""):
        raise ValidationError("password", _("This is not the password you chose when you registered."))
    email = pending.email
    taken = Conflict(_("This address already has an account. Sign in, or reset your password if you have forgotten it."))
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.email == email))
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        db.session.commit()
        raise taken
    user = User(
        email=email,
        display_name=pending.display_name,
        password_hash=pending.password_hash,
        role=pending.role,
        locale=pending.locale,
    )
    user.consents.append(Consent(notice_version=pending.notice_version, given_at=pending.created_at))
    try:
        if pending.role in ORGANISATION_ROLES:
            user.organisation = services.find_or_create_organisation(pending.organisation_name or "", pending.role)
        db.session.add(user)
        db.session.flush()
        sessions.start(user, remember=False)
        db.session.commit()
    except ValidationError:
        db.session.rollback()
        raise
    except IntegrityError:  # the same address confirmed twice at once
        db.session.rollback()
        raise taken
    return user
