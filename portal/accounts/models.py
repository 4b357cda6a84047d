"""User accounts, organisations and privacy consents."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import UtcDateTime, db, utcnow

ROLES = ("citizen", "ngo", "academic", "moderator", "admin")
ORGANISATION_ROLES = ("ngo", "academic")
STAKEHOLDER_GROUPS = ("citizen", "ngo", "academic", "official")


class Organisation(db.Model):
    """An NGO (LSM) or academic institution that members act for."""

    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("kind IN ('ngo', 'academic')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    members: Mapped[list["User"]] = relationship(back_populates="organisation")


class User(UserMixin, db.Model):
    """A person with an account. Only what the portal needs is kept (UU PDP)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('citizen', 'ngo', 'academic', 'moderator', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="citizen")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Set when an admin confirms the user really acts for the organisation.
    affiliation_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    affiliation_verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set by a moderator: until then the user may not contribute or flag.
    suspended_until: Mapped[datetime | None] = mapped_column(UtcDateTime)

    organisation: Mapped[Organisation | None] = relationship(
        back_populates="members", foreign_keys=[organisation_id]
    )
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="user", order_by="Consent.given_at", cascade="all, delete-orphan"
    )

    # Set by the user loader (portal.accounts.sessions): the token of the session this object was
    # loaded for. Not a column: the database keeps only the token's hash (UserSession).
    session_token = None  # str | None; not annotated, so SQLAlchemy does not map it
    session_record = None  # the sessions.Record it was loaded for

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    def session_cookie_id(self) -> str:
        """What Flask-Login puts in the session and the remember-me cookie: the account and its
        session token, so the user loader can check the session is still open (login_manager.id_attribute)."""
        if not self.session_token:
            raise RuntimeError("sign in through portal.accounts.auth.sign_in, which opens a session")
        return f"{self.id}:{self.session_token}"

    @property
    def is_official(self) -> bool:
        """Moderators (officials) and admins."""
        return self.role in ("moderator", "admin")

    @property
    def is_verified_member(self) -> bool:
        """An NGO or academic member whose affiliation an admin verified."""
        return (
            self.role in ORGANISATION_ROLES
            and self.organisation_id is not None
            and self.affiliation_verified_at is not None
        )

    @property
    def affiliation_pending(self) -> bool:
        """Named an organisation that no admin has verified yet."""
        return (
            self.role in ORGANISATION_ROLES
            and self.organisation_id is not None
            and self.affiliation_verified_at is None
        )

    @property
    def stakeholder_group(self) -> str:
        """The group this user's contributions count for; unverified members count as citizens."""
        if self.is_official:
            return "official"
        if self.is_verified_member:
            return self.role
        return "citizen"

    def is_suspended(self, now: datetime | None = None) -> bool:
        """Whether a moderator's suspension is still running (at `now`)."""
        if self.suspended_until is None:
            return False
        return (now or utcnow()) < self.suspended_until

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class Consent(db.Model):
    """A user's consent to a version of the privacy notice (UU PDP)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    notice_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="consents")


class PasswordResetRequest(db.Model):
    """An issued password-reset token; used once, then spent."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UserSession(db.Model):
    """A signed-in session, kept on the server so that it can be ended (the database store).

    Only what ending it needs (UU PDP): a hash of the token the cookie carries, the account,
    when it began, when it ends, and whether the user asked to stay signed in. No address,
    no browser.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class PendingRegistration(db.Model):
    """A registration waiting for its address to be confirmed by the mailed link.

    The account is made only then, so nobody can hold an address they cannot read, and the
    page after registering is the same whether or not the address already has an account.
    Rows are deleted when used and once they expire.
    """

    __tablename__ = "pending_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(5))
    notice_version: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class SignInThrottle(db.Model):
    """Wrong passwords lately tried on one sign-in address, and attempts being checked now
    (portal.accounts.throttle).

    Keyed by a keyed hash of the address typed, whether or not it has an account (so the pause
    tells nobody which addresses do); nothing else about the person or their device. A row goes
    when the right password is given, the password is reset, or it is a day old.
    """

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    pending: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
