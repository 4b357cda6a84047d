"""Signing in and out: one message for every failure, safe `next=` targets, rate limits."""

from __future__ import annotations

import re

import pytest

from portal.redirects import safe_next

from tests.accounts.conftest import alert_text
from tests.conftest import PASSWORD


def _login(client, email, password, next_=None):
    url = "/login" if next_ is None else "/login?next=" + next_
    return client.post(url, data={"email": email, "password": password})


def test_login_with_right_password_signs_in(client, make_user):
    user = make_user(display_name="Rudi Hartono")
    response = _login(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200


def test_wrong_password_and_unknown_email_look_the_same(english, client, make_user):
    user = make_user()
    wrong_password = _login(client, user.email, "bukan-kata-sandinya")
    unknown_email = _login(client, "tidak-ada@example.org", "bukan-kata-sandinya")

    assert wrong_password.status_code == unknown_email.status_code == 400
    message = alert_text(wrong_password.get_data(as_text=True))
    assert message == "The email or password is wrong."
    assert alert_text(unknown_email.get_data(as_text=True)) == message
    assert client.get("/account").status_code == 302, "still signed out"


def test_deactivated_account_cannot_sign_in(english, client, make_user):
    user = make_user(active=False)
    response = _login(client, user.email, PASSWORD)

    assert response.status_code == 400
    assert alert_text(response.get_data(as_text=True)) == "The email or password is wrong."
    assert client.get("/account").status_code == 302


def test_login_form_keeps_the_typed_email(client, make_user):
    response = _login(client, "lupa@example.org", "salah-sekali-123")
    assert 'value="lupa@example.org"' in response.get_data(as_text=True)


def test_logout_needs_a_post(client, make_user, login_as):
    login_as(make_user())

    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200, "a link cannot sign anyone out"
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_logout_without_csrf_token_is_refused(client, make_user, login_as):
    login_as(make_user())

    assert client.post("/logout", csrf=False).status_code == 400
    assert client.get("/account").status_code == 200


def test_pages_for_members_send_visitors_to_login_and_back(client, make_user):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")

    user = make_user()
    back = client.post(response.headers["Location"], data={"email": user.email, "password": PASSWORD})
    assert back.status_code == 302
    assert back.headers["Location"] == "/account"


def test_login_follows_a_local_next_path(client, make_user):
    user = make_user()
    response = _login(client, user.email, PASSWORD, next_="/privacy?tab=1")
    assert response.headers["Location"] == "/privacy?tab=1"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "%2F%2Fevil.example",
        "/%09/evil.example",
        "\\\\evil.example",
    ],
)
def test_login_never_redirects_off_site(client, make_user, target):
    from urllib.parse import quote

    user = make_user()
    response = _login(client, user.email, PASSWORD, next_=quote(target, safe="%"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_signed_in_user_visiting_login_goes_to_safe_next_only(client, make_user, login_as):
    login_as(make_user())
    assert client.get("/login?next=/privacy").headers["Location"] == "/privacy"
    assert client.get("/login?next=//evil.example").headers["Location"] == "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/policies/3", "/policies/3"),
        ("/search?q=jabatan&page=2", "/search?q=jabatan&page=2"),
        ("/", "/"),
        (None, "/home"),
        ("", "/home"),
        ("//evil.example", "/home"),
        ("///evil.example", "/home"),
        ("/\\evil.example", "/home"),
        ("/\\/evil.example", "/home"),
        ("\\evil.example", "/home"),
        ("https://evil.example", "/home"),
        ("HTTPS://evil.example/", "/home"),
        ("javascript:alert(1)", "/home"),
        ("data:text/html,<script>alert(1)</script>", "/home"),
        ("evil.example", "/home"),
        ("/\tevil", "/home"),
        ("/\r\nSet-Cookie: x=1", "/home"),
        (" //evil.example", "/home"),
    ],
)
def test_safe_next_accepts_only_local_paths(target, expected):
    assert safe_next(target, "/home") == expected


# --- rate limiting -------------------------------------------------------------

@pytest.fixture
def login_limited(limited_client):
    """A client of an app that limits sign-in attempts to three a minute."""
    return limited_client(LOGIN_RATE_LIMIT="3 per minute")


def test_fourth_login_attempt_in_a_minute_answers_429_with_retry_after(login_limited, make_user):
    user = make_user()
    for _attempt in range(3):
        assert _login(login_limited, user.email, "salah-salah-salah").status_code == 400

    response = _login(login_limited, user.email, PASSWORD)

    assert response.status_code == 429
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit() and 0 < int(retry_after) <= 60
    page = response.get_data(as_text=True)
    said = re.search(r"<strong>[^<0-9]*(\d+)[^<]*</strong>", page)
    assert said, "the page says when to try again"
    assert abs(int(said.group(1)) - int(retry_after)) <= 1
    assert response.headers["Content-Language"] == "id"
    assert '<html lang="id">' in page
    assert PASSWORD not in page, "a refused password is not echoed back"
    assert login_limited.get("/account").status_code == 302, "the refused attempt did not sign in"


def test_rate_limit_counts_only_posts(login_limited):
    for _attempt in range(6):
        assert login_limited.get("/login").status_code == 200
