"""Two-factor sign-in: enrolment of an authenticator app (TOTP, RFC 6238, with pyotp), the code
at sign-in, recovery codes, turning it off, and the admin reset.

Secrets are kept encrypted (Fernet, with a key derived from SECRET_KEY by HKDF), so a copy of the
database alone does not give them away; they are shown once, at enrolment, and never logged. A
code is accepted once: the time step of the last accepted code is stored, and a code of that step
or an earlier one is refused (the update is conditional, so two requests racing with the same code
cannot both win). Recovery codes are stored as salted PBKDF2 hashes and spent in the same way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update

from portal import permissions
from portal.accounts import sessions
from portal.accounts.auth import verify_password
from portal.accounts.models import User
from portal.audit.services import record
from portal.errors import Conflict, ValidationError
from portal.extensions import db, utcnow
from portal.twofactor.models import RecoveryCode, TotpCredential

log = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
# 10 characters of a 31-letter alphabet without look-alikes (no 0/o, 1/l/i): about 49 bits each.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
_PBKDF2_ROUNDS = 20_000
# How many time steps (of 30 s) either side of now a code may come from: clocks drift.
VALID_WINDOW = 1
MAX_CODE_LENGTH = 64


# --- secrets at rest ------------------------------------------------------------------

def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal.twofactor totp secrets v1").derive(
        current_app.config["SECRET_KEY"].encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        # SECRET_KEY changed since enrolment: the secret is lost; recovery codes or an admin reset help.
        log.warning("a TOTP secret could not be decrypted (was SECRET_KEY changed?)")
        return None


# --- reading --------------------------------------------------------------------------

def credential_for(user) -> TotpCredential | None:
    """The account's credential, confirmed or waiting for its first code."""
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(select(TotpCredential).where(TotpCredential.user_id == user.id))


def is_enrolled(user) -> bool:
    """Whether signing in as `user` asks for a code."""
    credential = credential_for(user)
    return credential is not None and credential.confirmed_at is not None


def is_required(user) -> bool:
    """Whether the account's role must have a second factor (TWO_FACTOR_REQUIRED_ROLES)."""
    return getattr(user, "role", None) in current_app.config["TWO_FACTOR_REQUIRED_ROLES"]


def must_enrol(user) -> bool:
    """A signed-in account that must have a second factor and has none yet."""
    return is_required(user) and not is_enrolled(user)


def recovery_codes_left(user) -> int:
    """How many of the account's recovery codes are still unused."""
    return len(db.session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all())


def provisioning_uri(user, secret: str) -> str:
    """The otpauth:// address the QR code carries."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TWO_FACTOR_ISSUER"])


def format_secret(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


# --- codes ----------------------------------------------------------------------------

def _clean(code: str | None) -> str:
    """The code as typed, without spaces and hyphens, lower case; '' if it cannot be a code."""
    code = code or ""
    if len(code) > MAX_CODE_LENGTH:
        return ""
    return re.sub(r"[\s\-]", "", code).lower()


def _looks_like_totp(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def _looks_like_recovery(code: str) -> bool:
    return len(code) == _RECOVERY_LENGTH and all(c in _RECOVERY_ALPHABET for c in code)


def _check_totp(credential: TotpCredential, code: str) -> bool:
    """Accept `code` if it belongs to a time step near now that is later than the last one used;
    the step is claimed with a conditional update, so it works only once."""
    secret = _decrypt(credential.secret_encrypted)
    if secret is None:
        return False
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // totp.interval
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if not hmac.compare_digest(totp.at(step * totp.interval), code):
            continue
        claimed = db.session.execute(
            update(TotpCredential)
            .where(TotpCredential.id == credential.id,
                   or_(TotpCredential.last_step.is_(None), TotpCredential.last_step < step))
            .values(last_step=step)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            credential.last_step = step
            return True
        return False  # replayed: this step, or a later one, was used already
    return False


def _hash_recovery(code: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), salt, _PBKDF2_ROUNDS)
    return f"pbkdf2-sha256${_PBKDF2_ROUNDS}${salt.hex()}${digest.hex()}"


def _matches_recovery(code: str, stored: str) -> bool:
    try:
        _scheme, rounds, salt, digest = stored.split("$")
        computed = hashlib.pbkdf2_hmac("sha256", code.encode(), bytes.fromhex(salt), int(rounds))
    except ValueError:
        return False
    return hmac.compare_digest(computed.hex(), digest)


def _use_recovery_code(user, code: str) -> bool:
    now = utcnow()
    for row in db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        if _matches_recovery(code, row.code_hash):
            spent = db.session.execute(
                update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=now).execution_options(synchronize_session=False)
            ).rowcount
            if spent:
                row.used_at = now
            return bool(spent)
    return False


def _new_recovery_codes(user) -> list[str]:
    """Replace the account's recovery codes with ten new ones; returns them (shown once)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.expire(user, ["recovery_codes"])
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _n in range(_RECOVERY_LENGTH))
             for _i in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(code)))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _check_code(user, code: str | None, *, field: str = "code", recovery: bool = True) -> str:
    """Check a code typed by `user` (from the app, or a recovery code); returns which kind worked.
    Raises ValidationError with a message for the reader otherwise. Joins the caller's transaction."""
    cleaned = _clean(code)
    credential = credential_for(user)
    if credential is None or credential.confirmed_at is None:
        raise ValidationError(field, _("This account has no second factor."))
    if _looks_like_totp(cleaned):
        if _check_totp(credential, cleaned):
            return "totp"
        raise ValidationError(field, _("The code is wrong or has already been used. Wait for the next code from your app."))
    if recovery and _looks_like_recovery(cleaned):
        if _use_recovery_code(user, cleaned):
            return "recovery"
        raise ValidationError(field, _("This recovery code is wrong or has already been used."))
    if recovery:
        raise ValidationError(field, _("Enter the 6-digit code from your app, or one of your recovery codes."))
    raise ValidationError(field, _("Enter the 6-digit code from your app."))


# --- enrolment ------------------------------------------------------------------------

def start_enrolment(actor: User) -> str:
    """The secret of `actor`'s enrolment waiting for its first code, made if there is none."""
    permissions.require(actor, "account.edit_self")
    credential = credential_for(actor)
    if credential is not None and credential.confirmed_at is not None:
        raise Conflict(_("Two-factor sign-in is already on for your account."))
    if credential is not None:
        secret = _decrypt(credential.secret_encrypted)
        if secret is not None:
            return secret
        db.session.delete(credential)
        db.session.flush()
    secret = pyotp.random_base32()
    db.session.add(TotpCredential(user_id=actor.id, secret_encrypted=_encrypt(secret)))
    db.session.commit()
    return secret


def confirm_enrolment(actor: User, code: str | None) -> list[str]:
    """Turn two-factor sign-in on with the first code from the app; returns the ten recovery codes."""
    permissions.require(actor, "account.edit_self")
    credential = credential_for(actor)
    if credential is None:
        raise ValidationError("code", _("Start again: open the set-up page to get a new QR code."))
    if credential.confirmed_at is not None:
        raise Conflict(_("Two-factor sign-in is already on for your account."))
    cleaned = _clean(code)
    if not _looks_like_totp(cleaned):
        raise ValidationError("code", _("Enter the 6-digit code from your app."))
    if not _check_totp(credential, cleaned):
        raise ValidationError("code", _("The code is wrong. Check the time on your phone, and type the newest code."))
    credential.confirmed_at = utcnow()
    codes = _new_recovery_codes(actor)
    if actor.is_official:
        record(actor, "twofactor.enable", actor)
    db.session.commit()
    return codes


def regenerate_recovery_codes(actor: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    permissions.require(actor, "account.edit_self")
    if not is_enrolled(actor):
        raise Conflict(_("Two-factor sign-in is not on for your account."))
    codes = _new_recovery_codes(actor)
    if actor.is_official:
        record(actor, "twofactor.recovery_codes", actor)
    db.session.commit()
    return codes


def _remove(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
    db.session.expire(user, ["totp_credential", "recovery_codes"])


def disable(actor: User) -> None:
    """Turn two-factor sign-in off for one's own account (staff must then set it up again)."""
    permissions.require(actor, "account.edit_self")
    if credential_for(actor) is None:
        raise Conflict(_("Two-factor sign-in is not on for your account."))
    _remove(actor)
    if actor.is_official:
        record(actor, "twofactor.disable", actor)
    db.session.commit()


def reset(actor: User, user: User, reason: str = "") -> int:
    """An admin removes `user`'s second factor (a lost phone): every session of the account ends,
    and staff must set a new one up at their next sign-in. Returns how many sessions ended."""
    permissions.require(actor, "twofactor.reset", user)
    if credential_for(user) is None:
        raise Conflict(_("This account has no second factor."))
    _remove(user)
    ended = sessions.end_all(user.id)
    record(actor, "twofactor.reset", user, reason=(reason or "").strip() or None, sessions_ended=ended)
    db.session.commit()
    return ended


def reset_by_operator(user: User) -> None:
    """The operator's `flask two-factor reset`: for an admin who lost both phone and recovery codes."""
    _remove(user)
    ended = sessions.end_all(user.id)
    record(None, "twofactor.reset", user, sessions_ended=ended, by="flask two-factor reset")
    db.session.commit()


# --- signing in and confirming who one is ------------------------------------------------

def verify_sign_in_code(user: User, code: str | None) -> str:
    """The second step of signing in: the password was right, now the code. Returns "totp" or
    "recovery"; raises ValidationError. Commits, so a used code stays used."""
    try:
        kind = _check_code(user, code)
    except ValidationError:
        db.session.rollback()
        raise
    if kind == "recovery" and user.is_official:
        record(user, "twofactor.recovery_used", user, left=recovery_codes_left(user))
    db.session.commit()
    return kind


def reauthenticate(actor: User, password: str | None, code: str | None) -> None:
    """Confirm who is at the keyboard before a change to the password or the second factor:
    the password, and the code when the account has a second factor."""
    permissions.require(actor, "account.edit_self")
    if not verify_password(actor.password_hash, password or ""):
        raise ValidationError("password", _("The password is wrong."))
    if is_enrolled(actor):
        try:
            _check_code(actor, code)
        except ValidationError:
            db.session.rollback()
            raise
        db.session.commit()
