"""Reading the .eml files the file mail backend wrote, as a mail client would."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path


def read_mailbox(app) -> list[EmailMessage]:
    """Every message written under the app's instance/mail, parsed."""
    outbox = Path(app.instance_path) / "mail"
    if not outbox.exists():
        return []
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(outbox.glob("*.eml"))
    ]


def to(messages: list[EmailMessage], address: str) -> list[EmailMessage]:
    """The messages sent to `address`."""
    return [message for message in messages if message["To"] == address]


def links_in(message: EmailMessage) -> list[str]:
    """Every http(s) link in the message's text, in order."""
    return re.findall(r"https?://\S+", message.get_content())


def subject(message: EmailMessage) -> str:
    """The subject as a mail client shows it (Python folds a long one onto the next line whole,
    and its parser keeps the folding space)."""
    return str(message["Subject"]).strip()
