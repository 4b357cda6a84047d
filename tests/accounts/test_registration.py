"""Registering: the account, consent and password hash; validation that keeps what was typed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import utcnow

from tests.accounts.conftest import field_errors, input_value, user_by_email
from tests.conftest import PASSWORD
from tests.mailbox import latest_mail_to, link_in


def test_citizen_registration_creates_account_and_signs_in(app, client, register):
    response, data = register(display_name="Siti Rahmawati", email="Siti.R@Example.ORG")

    assert response.status_code == 302
    user = user_by_email("siti.r@example.org")
    assert user is not None
    assert user.display_name == "Siti Rahmawati"
    assert user.role == "citizen"
    assert user.stakeholder_group == "citizen"
    account = client.get("/account")
    assert account.status_code == 200, "the new member is signed in"
    assert "Siti Rahmawati" in account.get_data(as_text=True)


def test_registration_stores_consent_with_notice_version_and_time(app, register):
    before = utcnow()
    _response, data = register()

    user = user_by_email(data["email"])
    assert len(user.consents) == 1
    consent = user.consents[0]
    assert consent.notice_version == app.config["PRIVACY_NOTICE_VERSION"]
    assert before - timedelta(seconds=1) <= consent.given_at <= utcnow() + timedelta(seconds=1)


def test_account_page_lists_the_consent_given(client, register, app):
    register()
    page = client.get("/account").get_data(as_text=True)
    assert app.config["PRIVACY_NOTICE_VERSION"] in page


def test_password_is_stored_as_argon2id_hash_never_plain(register):
    _response, data = register()

    user = user_by_email(data["email"])
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": "budi@"}, "email", "Enter a valid email address."),
        ({"password": "pendek", "password2": "pendek"}, "password", "The password must be at least 10 characters."),
        ({"password2": "kata-sandi-lain-99"}, "password2", "The passwords do not match."),
        ({"consent": None}, "consent", "You must agree to the privacy notice to register."),
        ({"display_name": "   "}, "display_name", "Enter the name others will see."),
        ({"display_name": "x" * 101}, "display_name", "Field cannot be longer than 100 characters."),
        ({"role": "ngo", "organisation": ""}, "organisation", "Name the organisation you act for."),
        ({"role": "admin"}, "role", "Not a valid choice."),
    ],
)
def test_invalid_registration_answers_400_with_message_and_keeps_typed_values(
    english, register, fields, field, message
):
    typed = {"display_name": "Budi <Santoso> & Putri", "email": "budi.santoso@example.org"}
    typed.update(fields)
    response, data = register(**typed)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in field_errors(page)
    assert f'id="{field}-errors"' in page, "the message sits under its field"
    assert input_value(page, "display_name") == data["display_name"]
    assert input_value(page, "email") == data["email"]
    assert not input_value(page, "password"), "a password is never sent back"
    assert user_by_email("budi.santoso@example.org") is None


def test_ngo_member_takes_part_as_citizen_until_verified(english, client, register):
    response, data = register(role="ngo", organisation="Yayasan Peduli Medan")

    assert response.status_code == 302
    user = user_by_email(data["email"])
    assert user.role == "ngo"
    assert user.organisation.name == "Yayasan Peduli Medan"
    assert user.affiliation_pending
    assert user.stakeholder_group == "citizen"
    page = client.get("/account").get_data(as_text=True)
    assert "badge--verified" not in page
    assert "waiting for verification by an admin" in page


def test_second_member_of_same_organisation_joins_it_whatever_the_case(client, register, app):
    # Non-ASCII capitals: SQLite's lower() folds only ASCII, so a naive
    # case-insensitive lookup misses the exact name and the insert collides.
    first_response, first = register(role="ngo", organisation="Lembaga ÉLAN Sumatera")
    client.post("/logout")
    second_response, second = register(role="ngo", organisation="Lembaga ÉLAN Sumatera")
    client.post("/logout")
    third_response, third = register(role="ngo", organisation="LEMBAGA ÉLAN sumatera")

    assert (first_response.status_code, second_response.status_code, third_response.status_code) == (302, 302, 302)
    organisations = {user_by_email(d["email"]).organisation_id for d in (first, second, third)}
    assert len(organisations) == 1


def test_registration_remembers_the_language_chosen_before(client, register):
    client.post("/language", data={"lang": "en", "next": "/"})
    _response, data = register()

    assert user_by_email(data["email"]).locale == "en"


def test_forged_language_cookie_does_not_break_registration(client, register):
    client.set_cookie("lang", "x" * 500)
    response, data = register()

    assert response.status_code == 302
    assert user_by_email(data["email"]).locale in (None, "id", "en")


def test_signed_in_user_is_sent_home_from_register(client, register):
    register()
    response = client.get("/register")
    assert response.status_code == 302


# --- finishing from the mailed link ---------------------------------------------------

def _link(app, address: str) -> str:
    return link_in(latest_mail_to(app, address), "/register/confirm/")


def test_the_link_shows_what_was_registered_and_asks_the_password(english, app, client, register):
    register(confirm=False, email="rina@example.org", display_name="Rina Aktivis", role="ngo",
             organisation="LBH Medan")

    page = client.get(_link(app, "rina@example.org")).get_data(as_text=True)

    assert "Finish registering" in page
    for shown in ("rina@example.org", "Rina Aktivis", "NGO member", "LBH Medan"):
        assert shown in page
    assert 'name="password"' in page


def test_a_wrong_password_at_the_link_makes_no_account(english, app, client, register):
    register(confirm=False, email="rina@example.org")
    link = _link(app, "rina@example.org")

    response = client.post(link, data={"password": "bukan-sandi-pilihan-saya"})

    assert response.status_code == 400
    assert "This is not the password you chose when you registered." in field_errors(response.get_data(as_text=True))
    assert user_by_email("rina@example.org") is None
    assert client.get(link).status_code == 200, "the link can still be used with the right password"


def test_the_link_makes_the_account_once_with_the_consent_given_at_registration(english, app, client, register):
    before = utcnow()
    register(confirm=False, email="rina@example.org", display_name="Rina Aktivis")
    link = _link(app, "rina@example.org")

    response = client.post(link, data={"password": PASSWORD}, follow_redirects=True)

    assert "Welcome, Rina Aktivis. Your account is ready." in response.get_data(as_text=True)
    user = user_by_email("rina@example.org")
    (consent,) = user.consents
    assert before - timedelta(seconds=1) <= consent.given_at <= utcnow()
    assert client.get("/account").status_code == 200
    client.post("/logout")
    again = client.get(link, follow_redirects=True)
    assert "This confirmation link is invalid or has expired. Please register again." in again.get_data(as_text=True)


def test_an_expired_link_says_so_and_offers_the_form(english, app, client, register):
    from sqlalchemy import update

    from portal.accounts.models import PendingRegistration
    from portal.extensions import db

    register(confirm=False, email="rina@example.org")
    db.session.execute(update(PendingRegistration).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()

    page = client.get(_link(app, "rina@example.org"), follow_redirects=True).get_data(as_text=True)
    assert "This confirmation link is invalid or has expired. Please register again." in page
    assert 'name="display_name"' in page


def test_two_registrations_of_one_address_make_one_account(english, app, client, register):
    register(confirm=False, email="rina@example.org", display_name="Rina Pertama")
    first = _link(app, "rina@example.org")
    register(confirm=False, email="rina@example.org", display_name="Rina Kedua")
    second = _link(app, "rina@example.org")
    assert first != second

    assert client.post(second, data={"password": PASSWORD}).status_code == 302
    client.post("/logout")
    assert client.get(first).status_code == 302, "the other link is spent with it"
    assert user_by_email("rina@example.org").display_name == "Rina Kedua"


def test_the_owner_of_an_address_cannot_be_made_to_confirm_a_strangers_account(english, app, client, register):
    # A stranger registers someone else's address with a password of their own; the owner
    # opens the mailed link but does not know that password, so no account is made for the stranger.
    register(confirm=False, email="korban@example.org", password="sandi-si-penyusup-1",
             password2="sandi-si-penyusup-1")
    link = _link(app, "korban@example.org")

    assert client.post(link, data={"password": "tebakan-pemilik-123"}).status_code == 400
    assert user_by_email("korban@example.org") is None


def test_the_mail_speaks_the_language_of_the_page(app, client, register):
    register(confirm=False, email="rina@example.org")
    assert latest_mail_to(app, "rina@example.org")["Subject"] == "Konfirmasi akun Portal Partisipasi Anda"
    client.post("/language", data={"lang": "en", "next": "/"})
    register(confirm=False, email="budi@example.org")
    assert latest_mail_to(app, "budi@example.org")["Subject"] == "Confirm your Portal Partisipasi account"
