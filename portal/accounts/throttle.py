"""A growing pause between sign-in attempts on one account, from whatever addresses they come.

The per-address rate limit (LOGIN_RATE_LIMIT) stops one machine guessing fast; this stops many
machines guessing one account's password. The first SIGN_IN_FREE_FAILURES wrong passwords cost
nothing; from then on every wrong one pauses sign-in to that account for SIGN_IN_DELAY_SECONDS,
doubled each time, at most SIGN_IN_MAX_DELAY_SECONDS (with 5, 30 s and 15 min: about 100 guesses
a day, the most NIST SP 800-63B allows). During a pause no password is checked, the right one
neither, and the page says when to try again; an attacker can keep an account paused but never
locked: the owner can always reset the password by mail, which ends the pause, and the right
password ends it too. Failures are forgotten SIGN_IN_FAILURE_MEMORY seconds after the last one.

The state lives in the database (`SignInThrottle`), so every app server and worker sees it.
Each attempt is claimed in its own short transaction before the password is checked (with a
compare-and-set), and at most MAX_PENDING are checked at once: a burst of guesses from many
addresses at the same moment cannot slip past the count, while a person signing in on several
devices at once is not refused.
The row is keyed by a keyed hash of the address typed, whether or not it has an account: a pause
tells nobody which addresses do.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_time, format_timedelta
from flask_babel import gettext as _
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import SignInThrottle
from portal.errors import DomainError
from portal.extensions import db, utcnow


def _key(email: str) -> str:
    secret = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(secret, (email or "").strip().lower().encode(), hashlib.sha256).hexdigest()


def _pause_after(failures: int, now: datetime) -> datetime | None:
    """When sign-in opens again after the `failures`-th wrong password in a row (None: at once)."""
    config = current_app.config
    free = config["SIGN_IN_FREE_FAILURES"]
    if failures < free:
        return None
    seconds = min(config["SIGN_IN_MAX_DELAY_SECONDS"], config["SIGN_IN_DELAY_SECONDS"] * 2 ** min(failures - free, 30))
    return now + timedelta(seconds=seconds)


# Most attempts on one address checked at the same moment; more wait a little. Bounds a burst from
# many addresses at once (their wrong passwords are counted only once checked).
MAX_PENDING = 10
# An attempt counted as being checked for longer than this is taken as lost (its worker died).
PENDING_TIMEOUT = timedelta(seconds=60)


def claim(email: str) -> datetime | None:
    """Ask to check a password for `email`, before it is checked.

    Returns None if the check may go on (then call `failed` or `succeeded`), or when sign-in to
    this address opens again. Commits its own short transaction, so that every worker sees the
    attempt before the (slow) password check.
    """
    key = _key(email)
    config = current_app.config
    for _attempt in range(5):
        now = utcnow()
        db.session.execute(delete(SignInThrottle).where(
            SignInThrottle.last_attempt_at < now - timedelta(seconds=config["SIGN_IN_FAILURE_MEMORY"])
        ))
        db.session.execute(  # attempts begun long ago and never finished: their worker died
            update(SignInThrottle)
            .where(SignInThrottle.key == key, SignInThrottle.pending > 0,
                   SignInThrottle.last_attempt_at < now - PENDING_TIMEOUT)
            .values(pending=0).execution_options(synchronize_session=False)
        )
        # One atomic statement: parallel attempts queue on the row and each sees the others' count.
        claimed = db.session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key == key, SignInThrottle.pending < MAX_PENDING,
                   or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now))
            .values(pending=SignInThrottle.pending + 1, last_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            db.session.commit()
            return None
        row = db.session.execute(
            select(SignInThrottle.locked_until, SignInThrottle.pending).where(SignInThrottle.key == key)
        ).first()
        if row is None:  # no row: the first attempt lately
            db.session.add(SignInThrottle(key=key, failures=0, pending=1, last_attempt_at=now))
            try:
                db.session.commit()
            except IntegrityError:  # another worker counted its first attempt at the same moment
                db.session.rollback()
                continue
            return None
        db.session.commit()
        if row.locked_until is not None and row.locked_until > now:
            return row.locked_until
        if row.pending >= MAX_PENDING:
            break  # so many attempts are being checked at this moment
        # The row changed under the update (the right password deleted it, another made it anew): again.
    # Many attempts at this very moment: refuse this one briefly.
    return utcnow() + timedelta(seconds=min(5, config["SIGN_IN_DELAY_SECONDS"]))


def failed(email: str) -> None:
    """The password checked after `claim` was wrong: count it, and pause sign-in if it was one
    too many (in its own transaction, committed)."""
    key = _key(email)
    now = utcnow()
    counted = db.session.execute(
        update(SignInThrottle).where(SignInThrottle.key == key)
        .values(failures=SignInThrottle.failures + 1, pending=case((SignInThrottle.pending > 0, SignInThrottle.pending - 1),
                                                                   else_=0), last_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    if counted.rowcount == 0:  # the row went meanwhile (the right password at the same moment)
        db.session.add(SignInThrottle(key=key, failures=1, pending=0, last_attempt_at=now))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return failed(email)
    failures = db.session.scalar(select(SignInThrottle.failures).where(SignInThrottle.key == key)) or 0
    until = _pause_after(failures, now)
    if until is not None:
        db.session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key == key,
                   or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < until))
            .values(locked_until=until)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def succeeded(email: str) -> None:
    """The right password was given: forget the failures (in the caller's transaction)."""
    clear(email)


def clear(email: str) -> None:
    """End any pause and forget the failures for `email` (in the caller's transaction)."""
    db.session.execute(
        delete(SignInThrottle).where(SignInThrottle.key == _key(email)).execution_options(synchronize_session=False)
    )


class SignInPaused(DomainError):
    """Sign-in to this account is paused after too many wrong passwords; `until` says till when."""

    status = 429

    def __init__(self, until: datetime):
        self.until = until
        self.retry_after = max(1, math.ceil((until - utcnow()).total_seconds()))
        super().__init__(_(
            "Too many wrong passwords were tried for this account, so signing in to it is paused "
            "until %(time)s (%(wait)s from now). This protects your account from guessing. Forgotten "
            "your password? Reset it by mail: that ends the pause.",
            time=format_time(until, "HH:mm:ss"),
            wait=format_timedelta(timedelta(seconds=self.retry_after), threshold=1.5),
        ))
