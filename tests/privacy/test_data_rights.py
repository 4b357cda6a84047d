"""Self-service data rights (UU PDP): download, correct, delete; admins on written requests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from portal.accounts.models import User
from portal.extensions import db
from portal.privacy import registry
from tests.conftest import PASSWORD, audit_entries, text_of
from tests.mailbox import latest_mail_to

NAME = "Siti Rahmawati Lubis"
EMAIL = "siti.lubis@example.org"


@pytest.fixture
def siti(make_user):
    return make_user(display_name=NAME, email=EMAIL)


def _no_trace(app, client, *paths):
    from portal.search import services as search

    search.drain()
    for path in paths:
        page = client.get(path).get_data(as_text=True)
        assert NAME not in page and EMAIL not in page, path
    for query in ("Siti", "Lubis", "Rahmawati", "siti.lubis"):
        assert NAME not in client.get(f"/search?q={query}").get_data(as_text=True)
    for path in Path(search.index_root()).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert NAME.encode() not in data and EMAIL.encode() not in data, path
    if app.config["SEARCH_BACKEND"] == "postgres":  # the index is a table: no row may keep them either
        rows = db.session.execute(db.text(
            "SELECT doc_id FROM search_documents WHERE title || ' ' || body || ' ' || terms::text || ' ' || words::text"
            " ~* :traces"
        ), {"traces": r"\m(siti|lubis|rahmawati)\M"}).scalars().all()
        assert rows == []


def test_download_holds_profile_consents_contributions_and_history(client, sign_in, siti, contribute, policy, app):
    comment = contribute(siti, "Jumlah perawat Puskesmas perlu ditambah.", kind="comment", on=policy, published=True)
    sign_in(siti)
    response = client.get("/account/privacy/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == EMAIL and data["profile"]["display_name"] == NAME
    assert data["consents"][0]["notice_version"] == app.config["PRIVACY_NOTICE_VERSION"]
    [mine] = data["contributions"]
    assert mine["public_id"] == comment.public_id and mine["history"][0]["action"] == "submitted"
    assert data["sessions"] and {"flags", "appeals", "endorsements", "notifications", "follows", "audit_entries"} <= set(data)
    page = text_of(client.get("/account/privacy/data"))
    assert comment.public_id in page and EMAIL in page


@pytest.mark.every_search_backend
def test_delete_keeping_contributions_as_anonymous(client, sign_in, siti, contribute, policy, app):
    comment = contribute(siti, f"Saya {NAME} setuju, tulis ke {EMAIL}.", kind="comment", on=policy, published=True)
    sign_in(siti)
    with client.session_transaction() as session:
        old_cookie = dict(session)
    assert client.get("/account/privacy/delete").status_code == 200
    wrong = client.post("/account/privacy/delete", data={"choice": "anonymous", "password": "salah-salah-salah", "understood": "y"})
    assert wrong.status_code == 400 and "salah" in text_of(wrong).lower()
    response = client.post("/account/privacy/delete", data={"choice": "anonymous", "password": PASSWORD, "understood": "y"})
    assert response.status_code == 302
    # The old session cookie replayed is worth nothing.
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(old_cookie)
    assert replay.get("/account").status_code == 302
    user = db.session.get(User, siti.id)
    assert user.display_name == "warga anonim" and not user.active and not user.consents
    assert user.password_hash == "!" and user.organisation is None
    shown = text_of(client.get(f"/comments/{comment.public_id}"))
    assert "warga anonim" in shown
    _no_trace(app, client, f"/comments/{comment.public_id}", f"/policies/{policy.slug}/comments",
              f"/contributions/{comment.public_id}")
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code != 302


@pytest.mark.every_search_backend
def test_delete_removing_contributions_keeps_cited_ones_anonymised(client, sign_in, siti, contribute, policy, app):
    cited = contribute(siti, "Ini dikutip dalam tanggapan resmi.", kind="comment", on=policy, published=True)
    other = contribute(siti, "Ini tidak dikutip siapa pun.", kind="comment", on=policy, published=True)
    check = registry.register_citation_check(lambda item: item.id == cited.id)
    try:
        sign_in(siti)
        client.post("/account/privacy/delete", data={"choice": "remove", "password": PASSWORD, "understood": "y"})
    finally:
        registry.citation_checks.remove(check)
    db.session.expire_all()
    assert cited.status == "published" and cited.body == "Ini dikutip dalam tanggapan resmi."
    assert other.status == "withdrawn" and "tidak dikutip" not in other.body
    _no_trace(app, client, f"/comments/{cited.public_id}")
    assert "tidak dikutip" not in client.get("/search?q=dikutip").get_data(as_text=True)


def test_delete_needs_a_choice_and_confirmation(client, sign_in, siti):
    sign_in(siti)
    response = client.post("/account/privacy/delete", data={"password": PASSWORD})
    assert response.status_code == 400
    assert db.session.get(User, siti.id).active


def test_admin_deletes_on_a_written_request_and_it_is_audited(client, sign_in, siti, admin):
    sign_in(admin)
    assert client.get(f"/admin/privacy/{siti.id}").status_code == 200
    export = client.get(f"/admin/privacy/{siti.id}/data.json")
    assert json.loads(export.get_data(as_text=True))["profile"]["email"] == EMAIL
    assert client.post(f"/admin/privacy/{siti.id}/delete", data={"choice": "anonymous", "reason": ""}).status_code == 400
    response = client.post(f"/admin/privacy/{siti.id}/delete", data={"choice": "anonymous", "reason": "Surat 12/2026"})
    assert response.status_code == 302
    assert audit_entries("privacy.export") and audit_entries("privacy.erase")
    assert NAME not in client.get("/admin/audit").get_data(as_text=True)
    assert NAME not in client.get(f"/admin/accounts/{siti.id}").get_data(as_text=True)


def test_citizens_cannot_use_the_admin_request_pages(client, sign_in, siti, citizen):
    sign_in(citizen)
    assert client.get(f"/admin/privacy/{siti.id}").status_code == 403
    assert client.get(f"/admin/privacy/{siti.id}/data.json").status_code == 403
    assert client.post(f"/admin/privacy/{siti.id}/delete", data={"choice": "remove", "reason": "x"}).status_code == 403


def test_email_change_applies_only_from_the_link_sent_to_the_new_address(client, sign_in, siti, app):
    sign_in(siti)
    response = client.post("/account/privacy/profile", data={"new_email": "siti.baru@example.org", "current_password": PASSWORD})
    response.close()  # the mail goes once the response is closed (portal.after_response)
    assert response.status_code == 302
    assert db.session.get(User, siti.id).email == EMAIL
    link = _email_link(app)
    assert client.get(link).status_code == 200
    forged = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert client.post(forged).status_code == 302
    assert db.session.get(User, siti.id).email == EMAIL
    assert client.post(link).status_code == 302
    assert db.session.get(User, siti.id).email == "siti.baru@example.org"
    client.post(link)  # used once: the old address no longer matches
    assert db.session.get(User, siti.id).email == "siti.baru@example.org"


def test_an_expired_email_link_is_refused(client, sign_in, siti, app):
    app.config["EMAIL_CHANGE_MAX_AGE"] = -1
    sign_in(siti)
    client.post("/account/privacy/profile", data={"new_email": "siti.baru@example.org", "current_password": PASSWORD}).close()
    link = _email_link(app)
    response = client.post(link, follow_redirects=True)
    assert "expired" in text_of(response) or "kedaluwarsa" in text_of(response)
    assert db.session.get(User, siti.id).email == EMAIL


def test_email_change_needs_the_password(client, sign_in, siti):
    sign_in(siti)
    response = client.post("/account/privacy/profile", data={"new_email": "x@example.org", "current_password": "salah-sekali-ya"})
    assert response.status_code == 400


def _email_link(app) -> str:
    body = latest_mail_to(app, "siti.baru@example.org").get_content()
    return re.search(r"https?://[^/\s]+(/account/privacy/email/\S+)", body).group(1)


def _naughty() -> list[str]:
    strings = json.loads(Path("/work/shared/corpora/blns/blns.json").read_text())
    return [s for s in strings if s.strip()][::25]


def test_naughty_names_are_stored_as_typed_or_refused_clearly(client, sign_in, make_user):
    member = make_user(role="ngo", organisation="LSM Peduli Medan", verified=True)
    sign_in(member)
    for text in _naughty():
        response = client.post("/account/privacy/profile", data={"display_name": text[:100], "organisation": text[:200]})
        assert response.status_code in (302, 400), text
        if response.status_code == 302:
            db.session.expire_all()
            user = db.session.get(User, member.id)
            assert user.display_name == text[:100].strip()
    assert client.get("/account/privacy/data").status_code == 200


def test_consents_are_listed_with_their_version(client, sign_in, siti, app):
    sign_in(siti)
    page = text_of(client.get("/account/privacy/"))
    assert app.config["PRIVACY_NOTICE_VERSION"] in page
    assert "/account/privacy/" in client.get("/account").get_data(as_text=True)
    assert "/account/privacy/" in client.get("/privacy").get_data(as_text=True)
