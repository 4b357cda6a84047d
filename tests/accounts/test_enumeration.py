"""Whether an address has an account does not show: registration and password reset answer
the same for a known and an unknown address, and the owner of a known one is told by mail.
(How long they take is measured by bench/enumeration.py, not here.)"""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from portal.accounts.models import PendingRegistration
from portal.extensions import db

from tests.accounts.conftest import user_by_email
from tests.conftest import PASSWORD
from tests.mailbox import latest_mail_to, link_in, read_mailbox


def _main_text(page: str) -> str:
    """What the reader sees in the page's main part, tags and spacing dropped."""
    main = re.search(r"<main[^>]*>(.*?)</main>", page, re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _register(client, address: str, name: str = "Warga Penasaran"):
    data = {"email": address, "display_name": name, "password": "sandi-penyusup-123",
            "password2": "sandi-penyusup-123", "role": "citizen", "organisation": "", "consent": "y"}
    response = client.post("/register", data=data)
    response.close()  # as a WSGI server does; the mail goes then
    return response


def test_registration_answers_the_same_for_known_and_new_addresses(english, app, client, make_user):
    owner = make_user(email="ani@example.org", display_name="Ani Pemilik")

    known = _register(client, "ani@example.org")
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    new = _register(client, "budi@example.org")
    new_page = client.get(new.headers["Location"]).get_data(as_text=True)

    assert known.status_code == new.status_code == 302
    assert known.headers["Location"] == new.headers["Location"]
    assert "Check your mail" in known_page
    assert _main_text(known_page).replace("ani@example.org", "ADDRESS") == \
        _main_text(new_page).replace("budi@example.org", "ADDRESS")
    assert user_by_email("ani@example.org").display_name == "Ani Pemilik", "the account is untouched"
    assert user_by_email("ani@example.org").password_hash == owner.password_hash


def test_the_owner_of_a_known_address_is_told_by_mail(english, app, client, make_user):
    make_user(email="ani@example.org", display_name="Ani Pemilik")

    _register(client, "ANI@example.org")

    (message,) = read_mailbox(app)
    assert message["To"] == "ani@example.org"
    assert message["Subject"] == "Someone tried to register with your address"
    body = message.get_content()
    assert "Hello Ani Pemilik," in body
    assert "You already have an account, so no new one was made." in body
    assert link_in(message, "/login") == "/login"
    assert link_in(message, "/reset-password") == "/reset-password"
    assert "/register/confirm/" not in body
    pending = db.session.scalar(select(func.count()).select_from(PendingRegistration))
    assert pending == 0, "nothing of the attempt is kept"


def test_a_new_address_gets_the_link_and_no_account_yet(english, app, client):
    _register(client, "budi@example.org", name="Budi Baru")

    message = latest_mail_to(app, "budi@example.org")
    assert message["Subject"] == "Confirm your Portal Partisipasi account"
    assert link_in(message, "/register/confirm/").startswith("/register/confirm/")
    assert "Budi Baru" not in message.get_content(), "nothing typed by a stranger is mailed to the address"
    assert user_by_email("budi@example.org") is None
    assert client.get("/account").status_code == 302, "not signed in until the link is used"


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(english, app, client, make_user):
    make_user(email="ani@example.org")

    answers = []
    for address in ("ani@example.org", "tidak-ada@example.org"):
        response = client.post("/reset-password", data={"email": address})
        response.close()
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"], _main_text(page)))

    assert answers[0] == answers[1]
    assert "If this email has an account, a link to reset the password has been sent to it." in answers[0][2]
    assert [message["To"] for message in read_mailbox(app)] == ["ani@example.org"]


def test_a_deactivated_account_gets_no_reset_link_and_the_same_answer(app, client, make_user):
    make_user(email="ani@example.org", active=False)
    response = client.post("/reset-password", data={"email": "ani@example.org"})
    response.close()
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert read_mailbox(app) == []


def test_a_known_address_typed_with_errors_elsewhere_says_only_what_is_wrong(english, client, make_user):
    make_user(email="ani@example.org")
    response = client.post("/register", data={
        "email": "ani@example.org", "display_name": "Ani", "password": "pendek", "password2": "pendek",
        "role": "citizen", "consent": "y",
    })
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The password must be at least 10 characters." in page
    assert "already" not in page
    assert 'value="ani@example.org"' in page, "what was typed is kept"


def test_the_registration_is_kept_only_as_long_as_its_link(app, client):
    from datetime import timedelta

    from portal.extensions import utcnow

    _register(client, "budi@example.org")
    (pending,) = db.session.scalars(select(PendingRegistration))
    assert pending.password_hash.startswith("$argon2id$")
    assert PASSWORD not in pending.password_hash
    assert timedelta(hours=23) < pending.expires_at - utcnow() <= timedelta(hours=24)
