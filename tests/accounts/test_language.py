"""Indonesian first, English on request; the choice follows a signed-in user."""

from __future__ import annotations

from tests.accounts.conftest import user_by_email
from tests.conftest import PASSWORD


def test_interface_is_indonesian_by_default(client):
    response = client.get("/")
    assert response.headers["Content-Language"] == "id"
    assert '<html lang="id">' in response.get_data(as_text=True)


def test_language_switch_to_english_returns_to_the_page(client):
    response = client.post("/language", data={"lang": "en", "next": "/privacy"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy"
    page = client.get("/privacy")
    assert page.headers["Content-Language"] == "en"
    body = page.get_data(as_text=True)
    assert '<html lang="en">' in body
    assert "<h1>Privacy notice</h1>" in body


def test_language_switch_back_to_indonesian(client):
    client.post("/language", data={"lang": "en", "next": "/"})
    client.post("/language", data={"lang": "id", "next": "/"})
    assert client.get("/").headers["Content-Language"] == "id"


def test_language_switch_ignores_unknown_language(client):
    response = client.post("/language", data={"lang": "xx", "next": "/privacy"})
    assert response.status_code == 302
    assert client.get("/").headers["Content-Language"] == "id"


def test_language_switch_never_leaves_the_site(client):
    for target in ("//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)"):
        response = client.post("/language", data={"lang": "en", "next": target})
        assert response.headers["Location"] == "/", target


def test_every_page_offers_the_switch_back_to_where_it_was(client):
    body = client.get("/privacy").get_data(as_text=True)
    assert 'action="/language"' in body
    assert 'name="next" value="/privacy?"' in body


def test_signed_in_users_choice_is_remembered_on_the_account(app, client, make_user, login_as):
    user = make_user()
    login_as(user)
    client.post("/language", data={"lang": "en", "next": "/"})
    assert user_by_email(user.email).locale == "en"

    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": user.email, "password": PASSWORD})
    response = elsewhere.get("/")
    assert response.headers["Content-Language"] == "en", "a new device speaks the saved language"


def test_privacy_page_names_the_notice_version(app, client):
    response = client.get("/privacy")
    assert response.status_code == 200
    assert app.config["PRIVACY_NOTICE_VERSION"] in response.get_data(as_text=True)


def test_a_request_sent_before_the_switch_does_not_undo_it(app, client):
    """A browser fetches more while the switch is posted (the page's icon, a second tab); a response
    built from the cookie it sent earlier must not bring the old language back."""
    client.get("/privacy")  # the first page gives the session its CSRF token
    earlier = client.get_cookie("session").value
    client.post("/language", data={"lang": "en", "next": "/"})

    for path in ("/favicon.ico", "/privacy", "/"):
        late = app.test_client()
        late.set_cookie("session", earlier)
        late.get(path)  # answered after the switch; the browser stores any cookie it sets
        if late.get_cookie("session").value != earlier:
            client.set_cookie("session", late.get_cookie("session").value)
        assert client.get("/").headers["Content-Language"] == "en", path
