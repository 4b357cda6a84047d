"""Sign-in is limited per account, from any address: after five wrong passwords in a row each
further one pauses sign-in to the account for a growing time (30 s, doubled, at most 15 min);
during a pause not even the right password works, and the page (429) says when to try again;
the right password afterwards, or a password reset, ends it; other accounts go on as before."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

import pytest

from portal.accounts import throttle
from portal.extensions import utcnow

from tests.accounts.conftest import alert_text
from tests.conftest import PASSWORD

WRONG = "bukan-kata-sandinya"
PAUSED = "Too many wrong passwords were tried for this account, so signing in to it is paused until"


@pytest.fixture
def clock(monkeypatch):
    """clock(seconds): move the throttle's clock that far forward (time passing, as for a user)."""
    moved = [timedelta()]
    monkeypatch.setattr(throttle, "utcnow", lambda: utcnow() + moved[0])

    def forward(seconds: float):
        moved[0] += timedelta(seconds=seconds)

    return forward


def _login(client, address, password, **headers):
    return client.post("/login", data={"email": address, "password": password}, headers=headers)


def _retry_after(response) -> int:
    assert response.status_code == 429
    return int(response.headers["Retry-After"])


def test_thirty_wrong_passwords_from_thirty_addresses_are_not_all_tried(english, limited_client, make_user):
    address = make_user().email  # read before the second app's context begins
    client = limited_client(TRUSTED_PROXIES=1)
    client.post("/language", data={"lang": "en", "next": "/"})

    statuses = [
        _login(client, address, f"{WRONG}-{n}", **{"X-Forwarded-For": f"203.0.113.{n + 1}"}).status_code
        for n in range(30)
    ]

    assert statuses[:5] == [400] * 5, "five wrong passwords are simply wrong"
    assert statuses[5:] == [429] * 25, "the other 25 were not tried, whatever address they came from"
    right = _login(client, address, PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
    assert right.status_code == 429, "the right password during the pause does not sign in either"
    assert alert_text(right.get_data(as_text=True)).startswith(PAUSED)
    assert client.get("/account").status_code == 302


def test_addresses_seen_directly_count_for_the_account_too(limited_client, make_user):
    address = make_user().email  # read before the second app's context begins
    client = limited_client()
    statuses = [
        client.post("/login", data={"email": address, "password": WRONG},
                    environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"}).status_code
        for n in range(8)
    ]
    assert statuses == [400] * 5 + [429] * 3


def test_the_pause_grows_says_when_and_ends(english, client, make_user, clock):
    user = make_user()
    assert [_login(client, user.email, WRONG).status_code for _ in range(5)] == [400] * 5

    paused = _login(client, user.email, PASSWORD)
    assert 25 <= _retry_after(paused) <= 30
    message = alert_text(paused.get_data(as_text=True))
    assert message.startswith(PAUSED)
    assert re.search(r"until \d\d:\d\d:\d\d \(30 seconds from now\)", message), message
    assert "Reset it by mail" in message
    assert 'href="/reset-password"' in paused.get_data(as_text=True)
    assert client.get("/account").status_code == 302, "the right password did not sign in"

    clock(31)
    assert _login(client, user.email, WRONG).status_code == 400, "after the pause a password is tried again"
    assert 55 <= _retry_after(_login(client, user.email, PASSWORD)) <= 60, "the pause doubled"
    clock(61)
    assert _login(client, user.email, WRONG).status_code == 400
    assert 115 <= _retry_after(_login(client, user.email, WRONG)) <= 120

    clock(121)
    assert _login(client, user.email, PASSWORD).status_code == 302, "after the pause the right password works"


def test_the_pause_stops_growing_at_fifteen_minutes(client, make_user, clock):
    user = make_user()
    for _ in range(5):
        _login(client, user.email, WRONG)
    waits = []
    for _ in range(8):
        wait = _retry_after(_login(client, user.email, WRONG))
        waits.append(wait)
        clock(wait + 1)
        assert _login(client, user.email, WRONG).status_code == 400
    assert max(waits) <= 900
    assert waits[-2:] == [pytest.approx(900, abs=5)] * 2


def test_signing_in_resets_the_count(client, make_user, clock):
    user = make_user()
    for _ in range(4):
        assert _login(client, user.email, WRONG).status_code == 400
    assert _login(client, user.email, PASSWORD).status_code == 302
    client.post("/logout")

    assert [_login(client, user.email, WRONG).status_code for _ in range(5)] == [400] * 5, "five free again"
    assert _login(client, user.email, WRONG).status_code == 429


def test_another_account_is_not_affected(client, make_user):
    paused, other = make_user(), make_user()
    for _ in range(6):
        _login(client, paused.email, WRONG)
    assert _login(client, paused.email, PASSWORD).status_code == 429

    assert _login(client, other.email, PASSWORD).status_code == 302


def test_an_unknown_address_pauses_the_same_so_a_pause_tells_nothing(client, make_user):
    user = make_user()
    known = [_login(client, user.email, WRONG).status_code for _ in range(7)]
    unknown = [_login(client, "tidak-ada@example.org", WRONG).status_code for _ in range(7)]
    assert known == unknown == [400] * 5 + [429] * 2


def test_the_address_is_matched_whatever_its_case(client, make_user):
    user = make_user()
    for n in range(5):
        _login(client, user.email.upper() if n % 2 else user.email, WRONG)
    assert _login(client, " " + user.email.upper(), PASSWORD).status_code == 429


def test_a_password_reset_ends_the_pause(app, client, make_user):
    user = make_user()
    for _ in range(7):
        _login(client, user.email, WRONG)
    assert _login(client, user.email, PASSWORD).status_code == 429

    client.post("/reset-password", data={"email": user.email}).close()
    (mail_file,) = sorted((Path(app.instance_path) / "mail").glob("*.eml"))
    body = email.message_from_bytes(mail_file.read_bytes(), policy=email.policy.default).get_content()
    link = re.search(r"https?://[^/\s]+(/reset-password/[A-Za-z0-9_\-]+)", body).group(1)
    new = "sandi-baru-yang-panjang-7"
    assert client.post(link, data={"password": new, "password2": new}).status_code == 302

    assert _login(client, user.email, new).status_code == 302


def test_the_pause_is_said_in_indonesian_by_default(client, make_user):
    user = make_user()
    for _ in range(5):
        _login(client, user.email, WRONG)
    page = _login(client, user.email, PASSWORD).get_data(as_text=True)
    assert "Terlalu banyak kata sandi salah dicoba untuk akun ini" in alert_text(page)
    assert "30 detik lagi" in alert_text(page)


def test_failures_are_forgotten_a_day_after_the_last(client, make_user, clock):
    user = make_user()
    for _ in range(5):
        _login(client, user.email, WRONG)
    clock(24 * 3600 + 1)
    assert [_login(client, user.email, WRONG).status_code for _ in range(5)] == [400] * 5


def test_thirty_guesses_at_the_same_moment_are_not_all_tried(app, make_user, at_once):
    from tests.conftest import CsrfClient

    user = make_user()
    address = user.email
    app.test_client_class = CsrfClient

    def guess(n: int) -> int:
        browser = app.test_client()
        return browser.post("/login", data={"email": address, "password": f"{WRONG}-{n}"},
                            environ_base={"REMOTE_ADDR": f"203.0.113.{n + 1}"}).status_code

    statuses = at_once(guess, 30)
    # At most ten are checked at any moment, and once five have been found wrong the pause begins.
    tried = statuses.count(400)
    assert tried <= throttle.MAX_PENDING + app.config["SIGN_IN_FREE_FAILURES"], statuses
    assert statuses.count(429) == 30 - tried
    assert app.test_client().post("/login", data={"email": address, "password": PASSWORD}).status_code == 429
