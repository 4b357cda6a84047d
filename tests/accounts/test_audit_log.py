"""The audit log is append-only and admins can filter it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.audit.services import record
from portal.extensions import db


@pytest.fixture
def entry(make_user):
    admin = make_user(role="admin")
    target = make_user(display_name="Target Audit")
    saved = record(admin, "user.deactivate", target, reason="Akun palsu", source="test")
    db.session.commit()
    return saved


def test_audit_entry_records_who_what_and_why(entry):
    stored = db.session.get(AuditEntry, entry.id)
    assert stored.action == "user.deactivate"
    assert stored.target_type == "user"
    assert stored.target_label == "Target Audit"
    assert stored.reason == "Akun palsu"
    assert stored.actor.role == "admin"
    assert stored.created_at.tzinfo is not None


def test_audit_entry_cannot_be_changed(entry):
    entry.reason = "diubah diam-diam"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).reason == "Akun palsu"


def test_audit_entry_cannot_be_deleted(entry):
    db.session.delete(entry)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.id == entry.id)) is not None


def test_admin_filters_the_log_by_action(client, make_user, login_as, entry):
    admin = entry.actor
    record(admin, "affiliation.verify", None)
    db.session.commit()
    login_as(admin)

    everything = client.get("/admin/audit/").get_data(as_text=True)
    assert "<code>user.deactivate</code>" in everything and "<code>affiliation.verify</code>" in everything
    filtered = client.get("/admin/audit/?action=affiliation.verify").get_data(as_text=True)
    assert "<code>affiliation.verify</code>" in filtered
    assert "<code>user.deactivate</code>" not in filtered


def test_audit_page_survives_odd_filter_values(client, make_user, login_as, entry):
    login_as(entry.actor)
    for query in ("since=kemarin", "until=2026-13-45", "actor=abc", "page=-3", "page=999", "action=%00"):
        response = client.get("/admin/audit/?" + query)
        assert response.status_code in (200, 400), query
