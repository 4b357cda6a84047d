"""Naughty strings as names and organisations, oversized bodies: no 500, text kept as
written, shown escaped."""

from __future__ import annotations

import pytest
from markupsafe import escape

from portal.accounts.models import Organisation

from tests.accounts.conftest import post_registration, registration_form, user_by_email


def _expected(sent: str, limit: int) -> str | None:
    """What the form and service keep: the text minus surrounding white space, or None if refused."""
    if not sent.strip() or len(sent) > limit:
        return None
    return sent.strip()


def _register(client, n: int, **fields):
    data = registration_form(**{"email": f"naughty{n}@example.org", "display_name": "Warga", **fields})
    return post_registration(client, data), data["email"]


def _sign_out_quietly(client) -> None:
    """Forget the signed-in user without a request (hundreds of loops)."""
    with client.session_transaction() as session:
        for key in ("_user_id", "_fresh", "_id"):
            session.pop(key, None)


@pytest.fixture
def cheap_hashing(app):
    """Hundreds of registrations: make the password hash nearly free for them."""
    app.config.update(ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=8, ARGON2_PARALLELISM=1)


def test_naughty_strings_as_name_and_organisation_are_kept_and_escaped(client, blns, cheap_hashing):
    # One registration per string tests both fields: the string is the
    # organisation name, and the display name too when it fits in 100 characters.
    for n, sent in enumerate(blns):
        name = sent if len(sent) <= 100 else "Warga Medan"
        response, address = _register(client, n, display_name=name, role="ngo", organisation=sent)
        assert response.status_code != 500, repr(sent)
        expected_name, expected_org = _expected(name, 100), _expected(sent, 200)
        if expected_name is None or expected_org is None:
            assert response.status_code == 400, repr(sent)
            assert user_by_email(address) is None
            continue
        assert response.status_code == 302, repr(sent)
        user = user_by_email(address)
        assert user.display_name == expected_name, repr(sent)
        stored_org = user.organisation.name
        # A name that differs only in letter case joins the organisation registered first.
        assert stored_org == expected_org or stored_org.lower() == expected_org.lower(), repr(sent)
        if any(ch in sent for ch in "<>&\"'"):
            page = client.get("/account").get_data(as_text=True)
            assert str(escape(expected_name)) in page, repr(sent)
            assert str(escape(stored_org)) in page, repr(sent)
            assert "<script" not in page.lower(), repr(sent)
        _sign_out_quietly(client)


def test_script_in_display_name_is_shown_as_text(client):
    payload = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
    _register(client, 9001, display_name=payload)

    page = client.get("/account").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in page
    assert "<script" not in page and "<img" not in page


def test_nul_character_is_refused_with_400_not_a_server_error(english, client):
    # PostgreSQL cannot store U+0000; the portal must refuse it, not crash on it.
    response, address = _register(client, 9002, display_name="Budi\x00Santoso")
    assert response.status_code == 400
    assert "invisible control character" in response.get_data(as_text=True)
    assert user_by_email(address) is None
    assert _register(client, 9003, role="ngo", organisation="LSM\x00Medan")[0].status_code == 400
    assert client.post("/login", data={"email": "a\x00@example.org", "password": "x\x00y"}).status_code == 400
    assert client.get("/reset-password/%00").status_code == 400
    assert client.get("/?q=%00").status_code == 400


def test_oversized_form_answers_413_not_500(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response, _address = _register(client, 9004, display_name="x" * 5000)

    assert response.status_code == 413
    assert "Content-Security-Policy" in response.headers


def test_oversized_upload_answers_413(app, client):
    from io import BytesIO

    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = client.post(
        "/register",
        data={"display_name": "Warga", "attachment": (BytesIO(b"x" * 10_000), "besar.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_organisation_list_holds_no_blank_names(client):
    _register(client, 9005, role="ngo", organisation="   ")
    assert all(org.name.strip() for org in Organisation.query.all())
