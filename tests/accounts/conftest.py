"""What only the account tests need: registering through the form (and its mailed link), and
reading what the account pages say. Mail is read with tests/mailbox.py."""

from __future__ import annotations

import html
import itertools
import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db

from tests.conftest import PASSWORD
from tests.mailbox import latest_mail_to, link_in
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


def registration_form(**fields) -> dict:
    """A filled-in registration form of a citizen (a new address each time); `fields` change it,
    and those given as None are left out."""
    data = {
        "email": f"warga{next(_emails)}@example.org",
        "display_name": "Warga Medan",
        "password": PASSWORD,
        "password2": PASSWORD,
        "role": "citizen",
        "organisation": "",
        "consent": "y",
        **fields,
    }
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def register(client):
    """Post the registration form and finish it from the mailed link (confirm=False: stop after the
    form); fields given as None are left out."""

    def do_register(target=None, confirm: bool = True, **fields):
        data = registration_form(**fields)
        return post_registration(target or client, data, confirm), data

    return do_register
