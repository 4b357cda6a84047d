"""In Chromium: a citizen downloads their data, deletes their account choosing "warga anonim",
and afterwards their comment shows as "warga anonim" and their name is on no page or search result."""

from __future__ import annotations

import json

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e
NAME = "Rudi Hartono Sembiring"


def test_download_then_delete_as_anonymous(new_page, make_user, contribute, policy):
    from portal.search import services as search

    user = make_user(display_name=NAME, email="rudi.sembiring@example.org")
    comment = contribute(user, "Formasi perawat di Puskesmas Medan Johor kurang.", kind="comment", on=policy, published=True)
    search.drain()
    page = new_page()
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url("**/")
    page.goto("/account")
    page.locator('main a[href="/account/privacy/"]').click()
    with page.expect_download() as download:
        page.locator('main a[href="/account/privacy/data.json"]').click()
    with open(download.value.path(), encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["profile"]["display_name"] == NAME
    assert data["contributions"][0]["public_id"] == comment.public_id
    page.locator('main a[href="/account/privacy/delete"]').click()
    page.check("#choice-anonymous")
    page.fill("#password", PASSWORD)
    page.check("#understood")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url("**/")
    page.goto(f"/comments/{comment.public_id}")
    body = page.locator("main").inner_text()
    assert "warga anonim" in body and NAME not in page.content()
    page.goto("/search?q=Puskesmas+Johor")
    assert NAME not in page.content()
    page.goto("/search?q=Sembiring")
    assert NAME not in page.content()
