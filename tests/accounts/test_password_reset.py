"""Password reset by mailed one-time link."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from portal.accounts.models import PasswordResetRequest
from portal.extensions import db, utcnow

from tests.accounts.conftest import field_errors
from tests.conftest import PASSWORD

NEW_PASSWORD = "sandi-baru-yang-panjang-7"


def _outbox(app) -> list[Path]:
    return sorted((Path(app.instance_path) / "mail").glob("*.eml"))


def _reset_link(app) -> str:
    (mail_file,) = _outbox(app)
    message = email.message_from_bytes(mail_file.read_bytes(), policy=email.policy.default)
    match = re.search(r"https?://[^/\s]+(/reset-password/[A-Za-z0-9_\-]+)", message.get_content())
    assert match, "the mail carries a reset link"
    return match.group(1)


def _request_reset(client, address):
    response = client.post("/reset-password", data={"email": address})
    response.close()  # a WSGI server closes every response: the mail goes out then
    return response


def test_known_and_unknown_email_get_the_same_answer(app, client, make_user):
    user = make_user()
    known = _request_reset(client, user.email)
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    unknown = _request_reset(client, "orang-asing@example.org")
    unknown_page = client.get(unknown.headers["Location"]).get_data(as_text=True)

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    flash = re.compile(r'<div class="alert alert--info" role="status">(.*?)</div>', re.S)
    assert flash.findall(known_page) == flash.findall(unknown_page) != []
    assert len(_outbox(app)) == 1, "only the known address gets a mail"


def test_nothing_is_mailed_before_the_response_is_closed(app, client, make_user):
    user = make_user()
    response = client.post("/reset-password", data={"email": user.email})
    assert response.status_code == 302
    assert _outbox(app) == [], "the look-up and the mail wait until the answer is sent"
    response.close()
    assert len(_outbox(app)) == 1


def test_reset_mail_goes_to_the_account_and_names_the_user(app, client, make_user):
    user = make_user(display_name="Dewi Lestari")
    _request_reset(client, user.email.upper())

    (mail_file,) = _outbox(app)
    message = email.message_from_bytes(mail_file.read_bytes(), policy=email.policy.default)
    assert message["To"] == user.email
    assert "Dewi Lestari" in message.get_content()


def test_reset_link_sets_a_new_password_once(app, client, make_user):
    user = make_user()
    _request_reset(client, user.email)
    link = _reset_link(app)

    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"

    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    client.post("/logout")

    again = client.get(link)
    assert again.status_code == 302, "the link works once only"
    assert again.headers["Location"] == "/reset-password"
    reused = client.post(link, data={"password": "ketiga-kalinya-123", "password2": "ketiga-kalinya-123"})
    assert reused.status_code == 302
    assert client.post("/login", data={"email": user.email, "password": "ketiga-kalinya-123"}).status_code == 400


def test_using_one_link_spends_the_others(app, client, make_user):
    user = make_user()
    _request_reset(client, user.email)
    first = _reset_link(app)
    for path in _outbox(app):
        path.unlink()
    _request_reset(client, user.email)
    second = _reset_link(app)

    client.post(second, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert client.get(first).status_code == 302


def test_expired_or_invalid_link_says_so(english, app, client, make_user):
    user = make_user()
    _request_reset(client, user.email)
    link = _reset_link(app)
    db.session.execute(update(PasswordResetRequest).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()

    for url in (link, "/reset-password/bukan-token-yang-sah"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "This reset link is invalid or has expired. Ask for a new one." in page
        assert 'name="email"' in page, "the user can ask for a new link right there"


def test_new_password_too_short_is_refused_and_link_stays_usable(english, app, client, make_user):
    user = make_user()
    _request_reset(client, user.email)
    link = _reset_link(app)

    response = client.post(link, data={"password": "pendek", "password2": "pendek"})
    assert response.status_code == 400
    assert "The password must be at least 10 characters." in field_errors(response.get_data(as_text=True))
    assert client.get(link).status_code == 200


def test_reset_request_with_malformed_email_gives_the_same_answer(app, client):
    response = _request_reset(client, "bukan email sama sekali")
    assert response.status_code == 302
    assert _outbox(app) == []
