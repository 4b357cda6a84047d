"""A visitor without JavaScript registers as an NGO member, finishes from the mailed link, an
admin verifies them, and they see the verified badge; the language switch works both ways."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, enrol_staff, totp_code
from tests.mailbox import latest_mail_to, link_in

ORGANISATION = "Perkumpulan Warga Peduli ASN"

pytestmark = pytest.mark.e2e


def _submit(page):
    page.locator("main form.form button[type=submit]").click()


def test_ngo_member_is_verified_by_admin_and_sees_the_badge(app, page, new_page, make_user, artifacts):
    admin = make_user(role="admin", display_name="Admin BKPSDM")

    # The visitor registers, naming the NGO they act for.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"
    page.locator('header a[href^="/register"]').click()
    page.fill("#email", "rina@lsm-medan.example")
    page.fill("#display_name", "Rina Aktivis")
    page.fill("#password", "sandi-rina-panjang-1")
    page.fill("#password2", "sandi-rina-panjang-1")
    page.select_option("#role", "ngo")
    page.fill("#organisation", ORGANISATION)
    page.check("#consent")
    _submit(page)
    page.wait_for_url("**/register/sent")
    assert "rina@lsm-medan.example" in page.locator("main").inner_text()

    # The link in the mail finishes the registration with the password chosen.
    page.goto(link_in(latest_mail_to(app, "rina@lsm-medan.example"), "/register/confirm/"))
    assert "Rina Aktivis" in page.locator("main").inner_text()
    page.fill("#password", "sandi-rina-panjang-1")
    _submit(page)
    page.wait_for_url("**/")

    page.goto("/account")
    assert page.locator(".badge--verified").count() == 0
    assert ORGANISATION in page.locator("main").inner_text()

    # An admin, in another browser, verifies the affiliation.
    admin_page = new_page()
    enrol_staff(admin)
    admin_page.goto("/login")
    admin_page.fill("#email", admin.email)
    admin_page.fill("#password", PASSWORD)
    _submit(admin_page)
    admin_page.wait_for_url("**/login/code")  # the password alone does not sign an admin in
    admin_page.fill("#code", totp_code(admin))
    _submit(admin_page)
    admin_page.wait_for_url("**/")
    admin_page.goto("/admin/accounts/?pending=1")
    admin_page.get_by_role("link", name="Rina Aktivis").click()
    admin_page.locator('form[action$="/verify"] button[type=submit]').click()
    admin_page.wait_for_url("**/admin/accounts/*")
    assert admin_page.locator('form[action$="/verify"]').count() == 0, "nothing left to verify"

    # The member reloads and sees the badge with the organisation's name.
    page.reload()
    badge = page.locator("main .badge--verified").first
    assert ORGANISATION in badge.inner_text()

    # English and back, from the switch in the header, staying on the page.
    page.locator('form.lang button[value="en"]').click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/account")
    page.screenshot(path=str(artifacts / "e2e-verified-member-en.png"), full_page=True)
    page.locator('form.lang button[value="id"]').click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.url.endswith("/account")
    page.screenshot(path=str(artifacts / "e2e-verified-member.png"), full_page=True)
