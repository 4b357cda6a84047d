"""In Chromium: cookies copied from a browser that signed in with "keep me signed in" are
worth nothing once it signs out, or once the password is changed in another browser."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

NEW_PASSWORD = "sandi-baru-yang-panjang-7"

pytestmark = pytest.mark.e2e


def _sign_in_remembered(new_page, user):
    page = new_page()
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.check("#remember")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url("**/")
    return page


def _copies(page) -> list[dict]:
    cookies = [c for c in page.context.cookies() if c["name"] in ("session", "remember_token")]
    assert {c["name"] for c in cookies} == {"session", "remember_token"}
    return cookies


def _opens_account(browser, live_server, cookies: list[dict]) -> bool:
    """A new browser holding only the copied cookies: does /account open?"""
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto("/account")
        return urlsplit(page.url).path == "/account"
    finally:
        context.close()


def test_copied_cookies_stop_working_after_sign_out(browser, live_server, new_page, make_user):
    user = make_user(display_name="Warga Peramban")
    page = _sign_in_remembered(new_page, user)
    cookies = _copies(page)
    assert _opens_account(browser, live_server, cookies), "the copy works while the session is open"
    remember_only = [c for c in cookies if c["name"] == "remember_token"]
    assert _opens_account(browser, live_server, remember_only)

    page.locator("header form.inline button[type=submit]").click()
    page.wait_for_url("**/")

    assert not _opens_account(browser, live_server, cookies)
    assert not _opens_account(browser, live_server, remember_only)


def test_a_password_change_signs_out_the_other_browser(browser, live_server, new_page, make_user):
    user = make_user(display_name="Warga Dua Peramban")
    phone = _sign_in_remembered(new_page, user)
    phone_cookies = _copies(phone)
    laptop = _sign_in_remembered(new_page, user)

    laptop.goto("/account")
    laptop.locator('main a[href="/account/password"]').click()
    laptop.fill("#current_password", PASSWORD)
    laptop.fill("#password", NEW_PASSWORD)
    laptop.fill("#password2", NEW_PASSWORD)
    laptop.locator("main form.form button[type=submit]").click()
    laptop.wait_for_url("**/account")
    expect(laptop.locator("header")).to_contain_text("Warga Dua Peramban")

    phone.goto("/account")
    assert urlsplit(phone.url).path == "/login", "the other browser is signed out"
    assert not _opens_account(browser, live_server, phone_cookies)
