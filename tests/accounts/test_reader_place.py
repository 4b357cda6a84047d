"""The reader's place (`#pasal-N`) survives signing in, registering and switching the language;
`next` stays a local path: other sites are refused, whatever the spelling."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from portal.extensions import utcnow
from portal.proposals import services as proposals

from .conftest import PASSWORD, finish_registration

PLACE = "/policies/rancangan-perwal#pasal-3"
FOREIGN = ("//evil.example", "/\\evil.example", "https://evil.example", "//evil.example#pasal-3")


def test_signing_in_brings_the_reader_back_to_the_article(client, citizen):
    response = client.post(f"/login?next={quote(PLACE)}", data={"email": citizen.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == PLACE


@pytest.mark.parametrize("target", FOREIGN)
def test_signing_in_never_leaves_the_site(client, citizen, target):
    response = client.post(f"/login?next={quote(target)}", data={"email": citizen.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_sign_in_page_passes_the_place_on_to_registration(client):
    page = client.get(f"/login?next={quote(PLACE)}").get_data(as_text=True)
    assert f'/register?next={quote(PLACE, safe="/")}' in page


def _register(client, next_: str) -> str:
    address = "baru@example.org"
    response = client.post(f"/register?next={quote(next_)}", data={
        "email": address, "display_name": "Warga Baru", "password": PASSWORD, "password2": PASSWORD,
        "role": "citizen", "organisation": "", "consent": "y",
    })
    response.close()
    assert response.status_code == 302
    return finish_registration(client, address).headers["Location"]


def test_registering_brings_the_new_member_back_to_the_article(client):
    assert _register(client, PLACE) == PLACE


@pytest.mark.parametrize("target", FOREIGN)
def test_registering_never_leaves_the_site(client, target):
    assert _register(client, target) == "/"


def test_switching_the_language_keeps_the_place(client):
    response = client.post("/language", data={"lang": "en", "next": PLACE})
    assert response.status_code == 302 and response.headers["Location"] == PLACE


@pytest.mark.parametrize("target", FOREIGN)
def test_switching_the_language_never_leaves_the_site(client, target):
    response = client.post("/language", data={"lang": "en", "next": target})
    assert response.headers["Location"] == "/"


def test_the_draft_page_asks_the_browser_to_keep_the_place(client, moderator):
    now = utcnow()
    policy = proposals.create_policy(moderator, title="Rancangan Perwal", kind="Rancangan Peraturan Wali Kota",
                                     summary="", body="### Pasal 1\n\nIsi.", opens_at=now - timedelta(days=1),
                                     closes_at=now + timedelta(days=3))
    proposals.transition(moderator, policy, "open")
    page = client.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert page.count("data-keep-place") >= 3 and '<script src="/static/js/place.js" defer></script>' in page
    assert "/static/js/place.js" not in client.get("/privacy").get_data(as_text=True), "only where it is needed"
