"""Reading the .eml files the file mail backend wrote (instance/mail), as a mail client would:
the one mail reader of the test suite."""

from __future__ import annotations

import email
import email.policy
import re
import time
from email.message import EmailMessage
from pathlib import Path


def read_mailbox(app) -> list[EmailMessage]:
    """Every message written under the app's instance/mail, parsed, oldest first."""
    outbox = Path(app.instance_path) / "mail"
    paths = sorted(outbox.glob("*.eml"), key=lambda path: (path.stat().st_mtime_ns, path.name))
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in paths]


def to(messages: list[EmailMessage], address: str) -> list[EmailMessage]:
    """The messages sent to `address`."""
    return [message for message in messages if message["To"] == address]


def latest_mail_to(app, address: str, wait: float = 5.0) -> EmailMessage:
    """The newest mail sent to `address`; the test fails when there is none.

    The portal sends mail after the response has gone out (portal/after_response.py). A browser
    test against a live server may read the mailbox before the server has closed that response,
    so when there is no mail yet this looks again for up to `wait` seconds, as a person would
    wait for their inbox; a test client has closed the response before it returns."""
    deadline = time.monotonic() + wait
    while True:
        sent = to(read_mailbox(app), address)
        if sent or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    assert sent, f"no mail to {address}"
    return sent[-1]


def links_in(message: EmailMessage) -> list[str]:
    """Every http(s) link in the message's text, in order."""
    return re.findall(r"https?://\S+", message.get_content())


def link_in(message: EmailMessage, prefix: str) -> str:
    """The local path of the portal link in `message` that starts with `prefix`."""
    match = re.search(r"https?://[^/\s]+(%s[A-Za-z0-9_\-/]*)" % re.escape(prefix), message.get_content())
    assert match, f"the mail carries no {prefix} link"
    return match.group(1)


def subject(message: EmailMessage) -> str:
    """The subject as a mail client shows it (Python folds a long one onto the next line whole,
    and its parser keeps the folding space)."""
    return str(message["Subject"]).strip()
