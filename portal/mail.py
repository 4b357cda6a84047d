"""Outgoing mail: a file backend for development, SMTP in production.

Every message carries what mail clients and spam filters expect of a real
message: a Date, a Message-ID on the sender's own domain, and
Auto-Submitted (RFC 3834) so that out-of-office replies are not sent back.
"""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app


def sender_domain() -> str:
    """The domain of MAIL_SENDER (else of PORTAL_BASE_URL), for Message-IDs."""
    config = current_app.config
    address = parseaddr(config["MAIL_SENDER"])[1]
    domain = address.rpartition("@")[2].strip().strip(".") if "@" in address else ""
    if not domain:
        domain = urlsplit(str(config.get("PORTAL_BASE_URL") or "")).hostname or "localhost"
    return domain


def compose(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message with Date, Message-ID and Auto-Submitted set."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    # A header cannot hold a line break; user text (a title) may, so fold it to one line.
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender_domain())
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def send(to: str, subject: str, body: str) -> EmailMessage:
    """Send a plain-text mail through the configured backend."""
    config = current_app.config
    message = compose(to, subject, body)
    backend = config["MAIL_BACKEND"]
    if backend == "smtp":
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    else:
        outbox = Path(current_app.instance_path) / "mail"
        outbox.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        partial = outbox / f"{name}.tmp"
        partial.write_bytes(bytes(message))
        path = partial.rename(outbox / f"{name}.eml")  # a reader sees the whole message or none
        current_app.logger.info("Mail to %s written to %s", to, path)
    return message
