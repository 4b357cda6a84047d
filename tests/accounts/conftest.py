"""Helpers for the account tests: registering through the form, reading
what the page says, switching the interface to English."""

from __future__ import annotations

import html
import itertools
import re

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


@pytest.fixture
def register(client):
    """Post the registration form; fields given as None are left out."""

    def do_register(target=None, **fields):
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
        return (target or client).post("/register", data=data), data

    return do_register
