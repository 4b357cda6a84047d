"""A second factor for signing in: a TOTP secret (RFC 6238) and single-use recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import UtcDateTime, db, utcnow


class TotpCredential(db.Model):
    """An account's authenticator app: the shared secret, encrypted with a key derived from
    SECRET_KEY (never shown again after enrolment, never logged, in no export).

    `confirmed_at` is empty while the enrolment waits for its first code; only a confirmed
    credential asks for a code at sign-in. `last_step` is the RFC 6238 time step of the last
    code accepted: a code of that step or an earlier one is refused, so a code works once.
    """

    __tablename__ = "totp_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_step: Mapped[int | None] = mapped_column(BigInteger)

    # Deleting an account deletes its credential and codes also where the database does not
    # enforce ON DELETE CASCADE (SQLite without PRAGMA foreign_keys).
    user: Mapped[User] = relationship(backref=backref("totp_credential", uselist=False, cascade="all, delete-orphan"))


class RecoveryCode(db.Model):
    """One of the ten codes that stand in for the authenticator once each; only a salted hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(backref=backref("recovery_codes", cascade="all, delete-orphan"))
