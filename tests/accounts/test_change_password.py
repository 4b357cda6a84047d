"""The signed-in "change password" page: the current password is asked, the other sessions end,
this one goes on; officials' changes are in the audit log."""

from __future__ import annotations

import json

import pytest


from tests.accounts.conftest import field_errors, user_by_email
from tests.conftest import PASSWORD, audit_entries

NEW_PASSWORD = "sandi-baru-yang-panjang-7"


def _change(client, current=PASSWORD, new=NEW_PASSWORD, repeat=None):
    return client.post("/account/password", data={
        "current_password": current, "password": new, "password2": new if repeat is None else repeat,
    })


def test_the_page_needs_a_sign_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_account_page_links_to_it(client, make_user, login_as):
    login_as(make_user())
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account/password"' in page


def test_changing_the_password_keeps_this_browser_signed_in(english, client, make_user, login_as):
    user = make_user()
    login_as(user)

    response = _change(client)

    assert response.status_code == 302 and response.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "Your password has been changed. You are signed out everywhere else." in page
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"current": "bukan-sandi-saya-99"}, "current_password", "Your current password is wrong."),
        ({"current": ""}, "current_password", "Enter your current password."),
        ({"new": "pendek"}, "password", "The password must be at least 10 characters."),
        ({"repeat": "sandi-yang-lain-sekali"}, "password2", "The passwords do not match."),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(english, client, make_user, login_as, fields, field, message):
    user = make_user()
    login_as(user)
    before = user_by_email(user.email).password_hash

    response = _change(client, **fields)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in field_errors(page)
    assert f'id="{field}-errors"' in page
    assert PASSWORD not in page and NEW_PASSWORD not in page, "passwords are never sent back"
    assert user_by_email(user.email).password_hash == before
    assert client.get("/account").status_code == 200


def test_the_other_sessions_are_counted_and_can_be_ended(english, app, client, make_user, login_as):
    user = make_user()
    login_as(user)
    phone = app.test_client()
    login_as(user, target=phone)
    tablet = app.test_client()
    login_as(user, target=tablet)

    page = client.get("/account").get_data(as_text=True)
    assert "You are also signed in in 2 other browsers or devices." in page

    response = client.post("/account/sessions/end-others", follow_redirects=True)
    assert "You were signed out of 2 other sessions." in response.get_data(as_text=True)
    assert phone.get("/account").status_code == 302 and tablet.get("/account").status_code == 302
    assert "You are not signed in anywhere else." in client.get("/account").get_data(as_text=True)


def test_an_officials_password_change_is_in_the_audit_log(app, client, make_user, login_as):
    official = make_user(role="moderator")
    login_as(official)
    login_as(official, target=app.test_client())

    _change(client)

    (entry,) = audit_entries("account.password_change")
    assert entry.actor_id == official.id and entry.target_id == official.id
    assert json.loads(entry.detail) == {"sessions_ended": 1}


def test_a_citizens_password_change_is_not_logged(client, make_user, login_as):
    login_as(make_user())
    _change(client)
    assert audit_entries("account.password_change") == []


def test_deactivation_records_how_many_sessions_it_ended(app, client, make_user, login_as):
    target = make_user()
    login_as(target, target=app.test_client())
    login_as(target, target=app.test_client())
    login_as(make_user(role="admin"))

    client.post(f"/admin/accounts/{target.id}/active")

    (entry,) = audit_entries("user.deactivate")
    assert json.loads(entry.detail) == {"sessions_ended": 2}
