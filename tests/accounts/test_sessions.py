"""Sessions that really end: cookies captured from a signed-in client are replayed after each
event that ends a session, and must find the visitor signed out. Run against the database
store and, when Redis answers (TEST_REDIS_URL, default redis://127.0.0.1:6379/0), the Redis one."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest

from portal import create_app
from portal.accounts import sessions
from portal.accounts.models import User
from portal.extensions import db, utcnow
from tests.conftest import PASSWORD, CsrfClient, enrol_staff, pass_code_step
from tests.mailbox import latest_mail_to, link_in

NEW_PASSWORD = "sandi-baru-yang-panjang-7"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(params=["database", "redis"])
def portal(request, app, _schema, tmp_path):
    """The application under test, with its sessions in the database or in Redis."""
    if request.param == "database":
        app.test_client_class = CsrfClient
        yield app
        return
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"the Redis session store is not tested: no Redis answers at {REDIS_URL} ({error})")
    prefix = f"portal-test-{uuid.uuid4().hex}:"
    redis_app = create_app(
        {"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": str(tmp_path / "redis-instance"),
         "REDIS_URL": REDIS_URL, "SESSION_REDIS_PREFIX": prefix},
        env="testing",
    )
    redis_app.test_client_class = CsrfClient
    store = redis_app.extensions[sessions.EXTENSION]
    assert isinstance(store, sessions.RedisStore)
    try:
        with redis_app.app_context():
            yield redis_app
            db.session.remove()
            db.engine.dispose()
    finally:
        keys = list(store.client.scan_iter(match=prefix + "*"))
        if keys:
            store.client.delete(*keys)


def sign_in(portal, user, *, remember: bool = True, password: str = PASSWORD):
    """A new browser, signed in through the login form."""
    browser = portal.test_client()
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    enrol_staff(user)
    response = pass_code_step(browser, user, browser.post("/login", data=data))
    assert response.status_code == 302, "signed in"
    return browser


def captured(browser) -> dict[str, str]:
    """The browser's session and remember-me cookies, as an attacker who copied them has them."""
    found = {}
    for name in ("session", "remember_token"):
        cookie = browser.get_cookie(name)
        if cookie is not None:
            found[name] = cookie.value
    return found


def opens_account(portal, cookies: dict[str, str]) -> bool:
    """Whether a fresh browser holding only `cookies` reaches /account."""
    browser = portal.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser.get("/account").status_code == 200


def replays(portal, cookies: dict[str, str]) -> dict[str, bool]:
    """Replay the session cookie alone, the remember-me cookie alone, and both."""
    return {
        "session": opens_account(portal, {"session": cookies["session"]}),
        "remember_token": opens_account(portal, {"remember_token": cookies["remember_token"]}),
        "both": opens_account(portal, cookies),
    }


def fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- the events that end sessions -------------------------------------------------------

def _sign_out(portal, user, browser, make_user):
    assert browser.post("/logout").status_code == 302


def _change_password_elsewhere(portal, user, browser, make_user):
    other = sign_in(portal, user, remember=False)
    response = other.post("/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert other.get("/account").status_code == 200, "the browser that changed it stays signed in"


def _reset_password(portal, user, browser, make_user):
    stranger = portal.test_client()
    stranger.post("/reset-password", data={"email": user.email}).close()
    link = link_in(latest_mail_to(portal, user.email), "/reset-password/")
    response = stranger.post(link, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302


def _suspend(portal, user, browser, make_user):
    from portal.moderation import services as moderation

    moderator = make_user(role="moderator")
    moderation.suspend(moderator, fresh(user), utcnow() + timedelta(days=7), "Ujaran kebencian berulang")


def _deactivate(portal, user, browser, make_user):
    admin = sign_in(portal, make_user(role="admin"))
    assert admin.post(f"/admin/accounts/{user.id}/active").status_code == 302
    assert fresh(user).active is False


def _sign_out_everywhere_else(portal, user, browser, make_user):
    other = sign_in(portal, user, remember=False)
    assert other.post("/account/sessions/end-others").status_code == 302
    assert other.get("/account").status_code == 200, "the browser that asked stays signed in"


EVENTS = {
    "sign-out": _sign_out,
    "password change in another browser": _change_password_elsewhere,
    "password reset": _reset_password,
    "suspension": _suspend,
    "deactivation": _deactivate,
    "sign out everywhere else, from another browser": _sign_out_everywhere_else,
}


@pytest.mark.parametrize("event", EVENTS)
def test_copied_cookies_are_worth_nothing_after_the_session_ends(portal, make_user, event):
    user = make_user()
    browser = sign_in(portal, user, remember=True)
    cookies = captured(browser)
    assert set(cookies) == {"session", "remember_token"}
    assert replays(portal, cookies) == {"session": True, "remember_token": True, "both": True}, \
        "before the event the copies sign in: the replay is a real one"

    EVENTS[event](portal, user, browser, make_user)

    assert replays(portal, cookies) == {"session": False, "remember_token": False, "both": False}
    assert browser.get("/account").status_code == 302, "the browser itself is signed out"
    assert user.display_name not in browser.get("/").get_data(as_text=True)


@pytest.mark.parametrize("event", ["sign-out", "password reset", "suspension"])
def test_signing_in_again_after_the_event_works(portal, make_user, event):
    user = make_user()
    browser = sign_in(portal, user)
    EVENTS[event](portal, user, browser, make_user)
    password = NEW_PASSWORD if event == "password reset" else PASSWORD

    again = sign_in(portal, user, password=password)
    assert again.get("/account").status_code == 200


def test_a_suspended_member_who_signs_in_again_sees_the_suspension(portal, make_user):
    user = make_user()
    browser = sign_in(portal, user)
    _suspend(portal, user, browser, make_user)

    again = sign_in(portal, user)
    assert again.get("/account").status_code == 200
    assert fresh(user).is_suspended()


def test_sign_out_ends_only_that_session(portal, make_user):
    user = make_user()
    laptop, phone = sign_in(portal, user), sign_in(portal, user)
    laptop_cookies = captured(laptop)

    laptop.post("/logout")

    assert not opens_account(portal, laptop_cookies)
    assert phone.get("/account").status_code == 200


def test_twenty_sign_ins_and_outs_each_end_for_good(portal, make_user):
    user = make_user()
    ended: list[dict[str, str]] = []
    for _round in range(20):
        browser = sign_in(portal, user, remember=True)
        cookies = captured(browser)
        assert all(cookies != old for old in ended), "every sign-in gets a new session"
        assert opens_account(portal, cookies)
        browser.post("/logout")
        ended.append(cookies)
    assert not any(opens_account(portal, cookies) for cookies in ended)
    assert sessions.count(user.id) == 0


def test_a_session_planted_before_sign_in_is_not_the_one_signed_in(portal, make_user):
    user = make_user()
    browser = portal.test_client()
    browser.get("/login")
    planted = captured(browser)["session"]  # what an attacker could have given the victim's browser

    browser.post("/login", data={"email": user.email, "password": PASSWORD})

    assert captured(browser)["session"] != planted
    assert not opens_account(portal, {"session": planted})
    assert browser.get("/account").status_code == 200


def test_change_password_renews_this_session_too(portal, make_user):
    user = make_user()
    browser = sign_in(portal, user, remember=True)
    before = captured(browser)

    response = browser.post("/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })

    assert response.status_code == 302
    assert browser.get("/account").status_code == 200
    assert replays(portal, before) == {"session": False, "remember_token": False, "both": False}
    after = captured(browser)
    assert opens_account(portal, {"remember_token": after["remember_token"]}), "still remembered here"


def test_remember_me_lasts_weeks_not_a_year(portal, make_user):
    duration = portal.config["REMEMBER_COOKIE_DURATION"]
    assert timedelta(days=7) <= duration <= timedelta(days=31)
    browser = sign_in(portal, make_user(), remember=True)

    expires = browser.get_cookie("remember_token").expires
    assert abs(expires - (utcnow() + duration)) < timedelta(minutes=5)


@pytest.fixture
def clock(monkeypatch):
    """Move the sessions' clock forward: clock(hours=13)."""
    real = sessions.utcnow

    def move(**delta):
        monkeypatch.setattr(sessions, "utcnow", lambda: real() + timedelta(**delta))

    return move


def test_a_copied_remember_me_cookie_ends_with_its_session_on_the_server(portal, make_user, clock):
    # The cookie's own expiry is the browser's business; a copy replayed later must fail too.
    browser = sign_in(portal, make_user(), remember=True)
    cookies = captured(browser)
    days = portal.config["REMEMBER_COOKIE_DURATION"].days

    clock(days=days - 1)
    assert opens_account(portal, {"remember_token": cookies["remember_token"]})
    clock(days=days, minutes=1)
    assert not opens_account(portal, {"remember_token": cookies["remember_token"]})
    assert not opens_account(portal, cookies)


def test_a_session_without_remember_me_ends_when_left_idle(portal, make_user, clock):
    browser = sign_in(portal, make_user(), remember=False)
    cookies = captured(browser)
    assert "remember_token" not in cookies
    idle = portal.config["SESSION_IDLE_TIMEOUT"]

    clock(seconds=idle.total_seconds() - 3600)
    assert browser.get("/account").status_code == 200, "used in time: the session goes on"
    clock(seconds=2 * idle.total_seconds() - 7200)
    assert browser.get("/account").status_code == 200, "measured from the last use, not from sign-in"
    clock(seconds=3 * idle.total_seconds())
    assert browser.get("/account").status_code == 302
    assert not opens_account(portal, cookies)


def test_a_form_sent_after_the_session_ended_keeps_what_was_typed(portal, make_user, make_thread):
    user = make_user()
    thread = make_thread(user, title="Kebutuhan perawat", body="Apakah ABK Puskesmas sudah dihitung?")
    browser = sign_in(portal, user)
    browser.post("/language", data={"lang": "en", "next": "/"})
    _change_password_elsewhere(portal, user, browser, make_user)

    typed = "Jawaban panjang yang saya ketik selama satu jam tentang formasi perawat."
    response = browser.post(f"/forum/t/{thread.id}/reply", data={"body": typed})

    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "You are no longer signed in" in page
    assert typed in page


def test_sessions_begun_at_once_all_end_at_a_password_reset(portal, make_user, at_once):
    user = make_user()
    email = user.email

    def begin(n: int) -> dict[str, str]:
        browser = portal.test_client()
        response = browser.post("/login", data={"email": email, "password": PASSWORD, "remember": "y"})
        assert response.status_code == 302
        return captured(browser)

    copies = at_once(begin, 8)
    assert len({cookies["remember_token"] for cookies in copies}) == 8
    assert all(opens_account(portal, cookies) for cookies in copies)

    _reset_password(portal, user, None, make_user)

    assert not any(opens_account(portal, cookies) for cookies in copies)
    assert sessions.count(user.id) == 0


def test_a_forged_or_mangled_cookie_signs_nobody_in(portal, make_user):
    user = make_user()
    cookies = captured(sign_in(portal, user, remember=True))
    user_id, _sep, rest = cookies["remember_token"].partition(":")

    assert not opens_account(portal, {"remember_token": f"{int(user_id) + 1}:{rest}"})
    assert not opens_account(portal, {"remember_token": "x" * 300})
    assert not opens_account(portal, {"session": cookies["session"][:-3] + "abc"})
