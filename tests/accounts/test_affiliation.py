"""An NGO member takes part as a citizen until an admin verifies the organisation;
admins verify and revoke, with an audit trail; nobody else reaches the admin pages."""

from __future__ import annotations

import pytest
from flask import render_template_string

from portal.extensions import db

from tests.accounts.conftest import field_errors, user_by_email

ORGANISATION = "Yayasan Suara Warga Medan"


@pytest.fixture
def admin_client(make_user, client_for):
    """A second browser, signed in as an admin, in English."""
    return client_for(make_user(role="admin", display_name="Admin BKPSDM"))


@pytest.fixture
def member(english, register):
    """An NGO member registered through the form (and signed in on `client`)."""
    _response, data = register(role="ngo", organisation=ORGANISATION, display_name="Rina Aktivis")
    return user_by_email(data["email"])


def _author(user) -> str:
    return render_template_string('{% from "_macros.html" import author %}{{ author(user) }}', user=user)


def test_admin_verifies_affiliation_and_member_sees_the_badge(app, client, admin_client, member):
    assert member.stakeholder_group == "citizen"
    assert "badge--verified" not in client.get("/account").get_data(as_text=True)

    detail = admin_client.get(f"/admin/accounts/{member.id}")
    assert detail.status_code == 200
    assert "Verify affiliation" in detail.get_data(as_text=True)
    response = admin_client.post(f"/admin/accounts/{member.id}/verify")
    assert response.status_code == 302

    member = user_by_email(member.email)
    assert member.is_verified_member
    assert member.stakeholder_group == "ngo"
    account = client.get("/account").get_data(as_text=True)
    assert "badge--verified" in account
    assert ORGANISATION in account
    with app.test_request_context():
        badge = _author(member)
    assert "badge--verified" in badge and ORGANISATION in badge

    audit = admin_client.get("/admin/audit/").get_data(as_text=True)
    assert "<code>affiliation.verify</code>" in audit
    assert "Rina Aktivis" in audit


def test_verifying_twice_is_a_conflict_not_an_error(admin_client, member):
    admin_client.post(f"/admin/accounts/{member.id}/verify")
    assert admin_client.post(f"/admin/accounts/{member.id}/verify").status_code == 409


def test_admin_revokes_with_reason_and_it_is_audited(client, admin_client, member):
    admin_client.post(f"/admin/accounts/{member.id}/verify")
    response = admin_client.post(
        f"/admin/accounts/{member.id}/revoke", data={"reason": "Bukan pengurus yayasan ini"}
    )
    assert response.status_code == 302

    member = user_by_email(member.email)
    assert member.role == "citizen"
    assert member.organisation is None
    assert member.stakeholder_group == "citizen"
    assert "badge--verified" not in client.get("/account").get_data(as_text=True)
    audit = admin_client.get("/admin/audit/?action=affiliation.revoke").get_data(as_text=True)
    assert "<code>affiliation.revoke</code>" in audit
    assert "Bukan pengurus yayasan ini" in audit


def test_revoke_without_reason_is_refused_with_a_message(admin_client, member):
    response = admin_client.post(f"/admin/accounts/{member.id}/revoke", data={"reason": "   "})

    assert response.status_code == 400
    assert "Give a reason." in field_errors(response.get_data(as_text=True))
    assert user_by_email(member.email).organisation is not None


def test_admin_list_filters_pending_affiliations(admin_client, member, make_user):
    make_user(display_name="Warga Biasa")
    page = admin_client.get("/admin/accounts/?pending=1").get_data(as_text=True)
    assert "Rina Aktivis" in page
    assert "Warga Biasa" not in page


@pytest.mark.parametrize("role", ["moderator", "citizen", "ngo"])
def test_non_admins_get_403_on_admin_pages(app, client, make_user, login_as, member, role):
    client.post("/logout")
    login_as(make_user(role=role, organisation="LSM Lain" if role == "ngo" else None, verified=True))

    for url in ("/admin/accounts/", f"/admin/accounts/{member.id}", "/admin/audit/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/accounts/{member.id}/verify").status_code == 403
    assert client.post(f"/admin/accounts/{member.id}/revoke", data={"reason": "x"}).status_code == 403
    assert client.post(f"/admin/accounts/{member.id}/role", data={"role": "admin"}).status_code == 403
    assert client.post(f"/admin/accounts/{member.id}/active").status_code == 403
    member = user_by_email(member.email)
    assert member.affiliation_pending and member.active and member.role == "ngo"


def test_visitors_are_sent_to_sign_in_from_admin_pages(client):
    response = client.get("/admin/accounts/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_unknown_account_is_404(admin_client):
    assert admin_client.get("/admin/accounts/987654").status_code == 404
    assert admin_client.post("/admin/accounts/987654/verify").status_code == 404
    assert admin_client.post("/admin/accounts/987654/revoke", data={"reason": "x"}).status_code == 404


def test_admin_deactivates_account_and_it_is_audited(client, admin_client, member):
    response = admin_client.post(f"/admin/accounts/{member.id}/active")
    assert response.status_code == 302
    assert not user_by_email(member.email).active
    assert client.get("/account").status_code == 302, "a deactivated session ends"
    assert "<code>user.deactivate</code>" in admin_client.get("/admin/audit/").get_data(as_text=True)


def test_admin_cannot_deactivate_or_demote_themself(app, admin_client):
    from portal.accounts.models import User

    admin = db.session.scalar(db.select(User).where(User.role == "admin"))
    assert admin_client.post(f"/admin/accounts/{admin.id}/active").status_code == 409
    assert admin_client.post(f"/admin/accounts/{admin.id}/role", data={"role": "citizen"}).status_code == 409
    db.session.expire_all()
    assert admin.active and admin.role == "admin"
