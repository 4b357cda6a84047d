"""Without JavaScript: a new moderator signs in with a password, can reach nothing but the
enrolment page, reads the key off it (as one types it into an app), turns two-factor sign-in on,
keeps the recovery codes and reaches the queue; signing in again asks for the code, and a
recovery code stands in for a lost phone once."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def _password(page, user):
    page.goto("/login")
    page.locator('form.lang button[value="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    form = page.locator("main form.form")
    form.get_by_label("Email").fill(user.email)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()


def test_a_moderator_enrols_a_second_factor_and_signs_in_with_it(make_user, new_page, artifacts):
    moderator = make_user(role="moderator", display_name="Moderator Baru")
    page = new_page()
    _password(page, moderator)

    # Before enrolling, every staff page leads to the enrolment page.
    page.goto("/moderation/")
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup$"))
    expect(page.locator("h1")).to_have_text("Set up two-factor sign-in")
    expect(page.locator("main figure.qr-code svg[role=img]")).to_be_visible()
    page.screenshot(path=str(artifacts / "two-factor-setup.png"), full_page=True)

    key = page.locator("main code.secret").inner_text().replace(" ", "")
    app_on_phone = pyotp.TOTP(key)
    page.get_by_label("Code from the app").fill(app_on_phone.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    codes = page.locator("main ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them; go on").click()
    page.goto("/moderation/")
    expect(page).to_have_url(re.compile(r"/moderation/$"))

    # Signing in again: the password, then the code (here a recovery code: the phone is lost).
    page.locator("header").get_by_role("button", name="Sign out").click()
    _password(page, moderator)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    page.goto("/moderation/")
    expect(page).to_have_url(re.compile(r"/login\?next="))  # the password alone did not sign in
    _password(page, moderator)
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("main")).to_contain_text("You used a recovery code; 9 are left.")

    # The same recovery code does not work twice.
    page.locator("header").get_by_role("button", name="Sign out").click()
    _password(page, moderator)
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main form")).to_contain_text("This recovery code is wrong or has already been used.")
