"""Which passwords are accepted (NIST SP 800-63B): length only, no composition rules; common and
breached passwords and the user's own e-mail or name are refused, the same way on registration,
on a password change and on a reset, with a message that says why."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from portal.accounts import passwords
from portal.demo.seed import DEMO_PASSWORD
from portal.errors import ValidationError

from tests.accounts.conftest import field_errors, finish_registration, user_by_email
from tests.conftest import PASSWORD

COMMON = "This password is one of the most common or appears in lists of leaked passwords"
OWN = "The password may not be your e-mail address or your name"
PASSPHRASE = "kopi susu di tepi danau toba"


def _error(app, password, **who):
    with app.test_request_context(), force_locale("en"):
        try:
            passwords.check(password, **who)
        except ValidationError as error:
            return error.message
    return None


@pytest.mark.parametrize("password", ["password123", "password12", "1234567890", "PASSWORD123", "Password123",
                                      "qwertyuiop", "iloveyou12", "bismillah123", "indonesia123", "medan12345",
                                      "portal partisipasi 2026"])
def test_common_and_breached_passwords_are_refused_whatever_their_case(app, password):
    assert _error(app, password).startswith(COMMON)


@pytest.mark.parametrize(("password", "who"), [
    ("budi.santoso@example.org", {"email": "budi.santoso@example.org"}),
    ("BUDI.SANTOSO@EXAMPLE.ORG", {"email": "budi.santoso@example.org"}),
    ("budi.santoso2026", {"email": "budi.santoso@example.org"}),
    ("Budi Santoso 1990!", {"email": "bs@example.org", "names": ("Budi Santoso",)}),
    ("siti-nurhaliza-77", {"email": "x@example.org", "names": ("Siti Nurhaliza",)}),
])
def test_the_users_own_email_or_name_is_refused(app, password, who):
    assert _error(app, password, **who).startswith(OWN)


@pytest.mark.parametrize("password", [
    PASSPHRASE, "Ikan bakar sambal matah!", "x" * 10 + " tanpa angka", "🌧️ hujan di bulan desember 🌧️",
    "a" * 7 + " panjang " + "b" * 240,  # 256 characters, no rule of form
])
def test_a_passphrase_of_any_characters_is_accepted_without_composition_rules(app, password):
    assert _error(app, password, email="budi.santoso@example.org", names=("Budi Santoso",)) is None


def test_the_length_limits_are_10_and_256(app):
    assert _error(app, "kopi-susu") == "The password must be at least 10 characters."
    assert _error(app, "kopi-susu!") is None
    assert _error(app, "k" * 64 + " kopi susu") is None
    assert _error(app, "k" * 257) == "The password may be at most 256 characters."


def test_the_test_and_demo_passwords_are_not_on_the_list(app):
    assert _error(app, PASSWORD) is None
    assert _error(app, DEMO_PASSWORD, email="warga@demo.medan.go.id", names=("Warga Demo",)) is None


def test_the_message_is_in_indonesian_by_default(app):
    with app.test_request_context():
        with pytest.raises(ValidationError) as refused:
            passwords.check("password123")
    assert "kata sandi" in refused.value.message.lower()


@pytest.mark.parametrize("password", ["password123", "1234567890"])
def test_registration_refuses_a_common_password(english, client, register, password):
    response, data = register(password=password, password2=password)
    assert response.status_code == 400
    assert any(message.startswith(COMMON) for message in field_errors(response.get_data(as_text=True)))
    assert user_by_email(data["email"]) is None


def test_registration_refuses_the_email_as_password(english, client, register):
    address = "rina.wati@example.org"
    response, _data = register(email=address, password=address, password2=address)
    assert response.status_code == 400
    assert any(message.startswith(OWN) for message in field_errors(response.get_data(as_text=True)))
    assert user_by_email(address) is None


def test_registration_accepts_a_passphrase(client, register):
    response, data = register(confirm=False, password=PASSPHRASE, password2=PASSPHRASE)
    assert response.status_code == 302
    assert finish_registration(client, data["email"], PASSPHRASE).status_code == 302
    assert user_by_email(data["email"]) is not None


def test_a_password_change_refuses_a_common_password_and_the_name(english, client, make_user, login_as):
    user = make_user(display_name="Rudi Hartono")
    login_as(user)
    for new, message in (("password12", COMMON), ("rudihartono1", OWN), (user.email, OWN)):
        response = client.post("/account/password", data={"current_password": PASSWORD, "password": new,
                                                          "password2": new})
        assert response.status_code == 400
        assert any(text.startswith(message) for text in field_errors(response.get_data(as_text=True)))
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def _reset_link(app) -> str:
    (mail_file,) = sorted((Path(app.instance_path) / "mail").glob("*.eml"))
    message = email.message_from_bytes(mail_file.read_bytes(), policy=email.policy.default)
    return re.search(r"https?://[^/\s]+(/reset-password/[A-Za-z0-9_\-]+)", message.get_content()).group(1)


def test_a_reset_refuses_a_common_password_and_the_email_then_takes_a_passphrase(english, app, client, make_user):
    user = make_user(email="dewi.lestari@example.org")
    client.post("/reset-password", data={"email": user.email}).close()
    link = _reset_link(app)
    for new, message in (("password123", COMMON), ("Dewi.Lestari-2026", OWN)):
        response = client.post(link, data={"password": new, "password2": new})
        assert response.status_code == 400
        assert any(text.startswith(message) for text in field_errors(response.get_data(as_text=True)))

    assert client.post(link, data={"password": PASSPHRASE, "password2": PASSPHRASE}).status_code == 302
    assert client.post("/login", data={"email": user.email, "password": PASSPHRASE}).status_code == 302
