"""Helpers for the account tests: registering through the form (and its mailed link),
reading mail and what the page says, switching the interface to English."""

from __future__ import annotations

import email
import email.policy
import html
import itertools
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db

PASSWORD = "kata-sandi-rahasia-42"
_emails = itertools.count(1)


def user_by_email(email: str) -> User | None:
    """The stored account for `email`, read fresh from the database."""
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email.lower()))


def alert_text(page: str) -> str:
    """The text of the form-level error box, as a user reads it."""
    match = re.search(r'<div class="alert alert--error" role="alert">(.*?)</div>', page, re.S)
    assert match, "the page shows no error box"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def field_errors(page: str) -> list[str]:
    """Every message shown under a form field."""
    return [html.unescape(text) for text in re.findall(r'<p class="error" id="[^"]+">(.*?)</p>', page, re.S)]


def input_value(page: str, name: str) -> str | None:
    """The value a rendered input carries back to the user."""
    match = re.search(r'<input[^>]*\bname="%s"[^>]*>' % re.escape(name), page)
    assert match, f"no input named {name}"
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else None


def mails(app) -> list[EmailMessage]:
    """Every mail the portal has sent (the file backend), oldest first."""
    paths = sorted((Path(app.instance_path) / "mail").glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in paths]


def latest_mail_to(app, address: str) -> EmailMessage:
    """The newest mail sent to `address`."""
    for path in sorted((Path(app.instance_path) / "mail").glob("*.eml"), key=lambda p: p.stat().st_mtime_ns,
                       reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            return message
    raise AssertionError(f"no mail to {address}")


def link_in(message: EmailMessage, prefix: str) -> str:
    """The local path of the portal link in `message` that starts with `prefix`."""
    match = re.search(r"https?://[^/\s]+(%s[A-Za-z0-9_\-/]*)" % re.escape(prefix), message.get_content())
    assert match, f"the mail carries no {prefix} link"
    return match.group(1)


def finish_registration(client, address: str, password: str = PASSWORD):
    """Open the link mailed to `address` and confirm with the password, as the new member does."""
    link = link_in(latest_mail_to(client.application, address), "/register/confirm/")
    response = client.post(link, data={"password": password})
    client._token = None  # signed in: a new session, so a new CSRF token
    return response


def post_registration(client, data: dict, confirm: bool = True):
    """Post the registration form as a browser does; with `confirm`, finish it from the mail."""
    response = client.post("/register", data=data)
    response.close()  # a WSGI server closes every response: the mail goes out then
    if confirm and response.status_code == 302:
        confirmed = finish_registration(client, data["email"].strip().lower())
        assert confirmed.status_code == 302, "the mailed link made the account"
    return response


@pytest.fixture
def register(client):
    """Post the registration form and finish it from the mailed link (confirm=False: stop after the
    form); fields given as None are left out."""

    def do_register(target=None, confirm: bool = True, **fields):
        data = {
            "email": f"warga{next(_emails)}@example.org",
            "display_name": "Warga Medan",
            "password": PASSWORD,
            "password2": PASSWORD,
            "role": "citizen",
            "organisation": "",
            "consent": "y",
        }
        data.update(fields)
        data = {key: value for key, value in data.items() if value is not None}
        return post_registration(target or client, data, confirm), data

    return do_register
