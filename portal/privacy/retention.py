"""Keeping personal data no longer than it serves: the retention purge (`flask privacy purge`) and
the log filter that keeps tokens and one-time links out of request logs.

The portal's own tables keep no IP address or user agent (sessions and the audit log hold none);
what does are the request logs a server writes (werkzeug, gunicorn's access log). The purge
truncates the addresses (IPv4 to /16, IPv6 to /32) and drops the user agent of every line older
than PERSONAL_DATA_RETENTION_DAYS in the files PRIVACY_LOG_FILES names, and deletes session,
reset and registration rows that have ended. Packages that come to keep addresses register a
purger in `purgers`.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from flask import Flask
from sqlalchemy import delete, or_

from portal.accounts.models import PasswordResetRequest, PendingRegistration, UserSession
from portal.extensions import db, utcnow

# name -> purger(cutoff) -> how many rows or lines it changed
purgers: dict[str, Callable[[datetime], int]] = {}

_IPV4 = re.compile(r"\b(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}\b")
_IPV6 = re.compile(r"\b([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})(?::[0-9a-fA-F]{0,4}){2,7}\b")
# Combined log format ends with "referer" "user agent".
_TRAILING_AGENT = re.compile(r'("[^"]*" )"[^"]*"\s*$')
_CLF_TIME = re.compile(r"\[(\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\]")
_ISO_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})")
# Paths that carry a secret token: reset, registration and e-mail links.
_TOKEN_PATHS = re.compile(r"(/(?:reset-password|register/confirm|account/privacy/email)/)[^\s\"?/]+")


def redact(text: str) -> str:
    """`text` with the tokens of one-time links replaced."""
    return _TOKEN_PATHS.sub(r"\1[redacted]", text)


class TokenRedactor(logging.Filter):
    """Rewrites request-log records so no reset, registration or e-mail token reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # nosec B110 a malformed record is logged as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_REDACTOR = TokenRedactor()


def init_app(app: Flask) -> None:
    """Put the redactor on the request loggers (werkzeug, gunicorn) and the app's own."""
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", app.logger.name):
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)


def _line_time(line: str) -> datetime | None:
    match = _CLF_TIME.search(line)
    if match:
        return datetime.strptime(match.group(1), "%d/%b/%Y:%H:%M:%S %z")
    match = _ISO_TIME.search(line)
    if match:
        return datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}").replace(tzinfo=timezone.utc)
    return None


def scrub_line(line: str) -> str:
    """The line with its addresses truncated and its user agent dropped."""
    line = _IPV4.sub(r"\1.\2.0.0", line)
    line = _IPV6.sub(r"\1:\2::", line)
    return _TRAILING_AGENT.sub(r'\1"-"', line.rstrip("\n")) + ("\n" if line.endswith("\n") else "")


def scrub_log(path: Path, cutoff: datetime) -> int:
    """Clean the lines of `path` older than `cutoff` (lines without a time go by the file's age); how many changed."""
    file_old = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc) < cutoff
    changed = 0
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".purge-")
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as source, \
                os.fdopen(handle, "w", encoding="utf-8", errors="surrogateescape") as target:
            for line in source:
                when = _line_time(line)
                if when is None and file_old or when is not None and when < cutoff:
                    cleaned = scrub_line(line)
                    changed += cleaned != line
                    line = cleaned
                target.write(line)
        os.chmod(temp, path.stat().st_mode)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return changed


def purge(log_files: tuple[str, ...], days: int) -> list[tuple[str, int]]:
    """Run every purge for data older than `days`; (what, how many) for each."""
    now = utcnow()
    cutoff = now - timedelta(days=days)
    report: list[tuple[str, int]] = []
    for name in log_files:
        path = Path(name)
        report.append((f"log {name}", scrub_log(path, cutoff) if path.is_file() else -1))
    report.append(("ended sessions", db.session.execute(
        delete(UserSession).where(UserSession.expires_at <= now)).rowcount or 0))
    report.append(("spent or expired reset links", db.session.execute(
        delete(PasswordResetRequest).where(or_(PasswordResetRequest.expires_at <= now,
                                               PasswordResetRequest.used_at.is_not(None)))).rowcount or 0))
    report.append(("expired registrations", db.session.execute(
        delete(PendingRegistration).where(PendingRegistration.expires_at <= now)).rowcount or 0))
    for name, purger in purgers.items():
        report.append((name, purger(cutoff)))
    db.session.commit()
    return report
