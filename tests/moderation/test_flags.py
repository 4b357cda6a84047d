"""Flagging: any signed-in user, once per item, never their own, only what is public."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_login import AnonymousUserMixin

from portal.audit.models import AuditEntry
from portal.errors import PermissionDenied, ValidationError
from portal.extensions import db
from portal.contributions import services as contributions
from portal.contributions.models import Flag


def test_a_signed_in_user_can_flag_a_published_contribution_once(published, make_user):
    reader = make_user()
    contributions.flag(reader, published, "abuse", "Menghina pegawai.")
    with pytest.raises(ValidationError) as refused, force_locale("en"):  # messages outside a request are Indonesian
        contributions.flag(reader, published, "spam")
    assert refused.value.field == "reason"
    assert "already reported" in refused.value.message
    assert db.session.query(Flag).count() == 1
    assert [f.reason for f in published.open_flags] == ["abuse"]


def test_several_users_can_flag_the_same_contribution(published, make_user):
    for reason in ("spam", "off_topic", "personal_data"):
        contributions.flag(make_user(), published, reason)
    assert len(published.open_flags) == 3


def test_nobody_can_flag_their_own_contribution(published, trusted):
    with pytest.raises(PermissionDenied):
        contributions.flag(trusted, published, "spam")


def test_a_waiting_contribution_cannot_be_flagged(contribute, make_user):
    pending = contribute(make_user())
    assert pending.status == "pending"
    with pytest.raises(PermissionDenied):
        contributions.flag(make_user(), pending, "spam")


def test_a_visitor_who_is_not_signed_in_cannot_flag(published):
    with pytest.raises(PermissionDenied):
        contributions.flag(AnonymousUserMixin(), published, "spam")


def test_a_flag_needs_a_reason_from_the_list(published, make_user):
    with pytest.raises(ValidationError) as refused:
        contributions.flag(make_user(), published, "i-just-dislike-it")
    assert refused.value.field == "reason"
    assert db.session.query(Flag).count() == 0


def test_a_flag_is_written_to_the_audit_log(published, make_user):
    reader = make_user()
    contributions.flag(reader, published, "personal_data", "Menyebut NIK seseorang.")
    entry = db.session.query(AuditEntry).filter_by(action="contribution.flag").one()
    assert entry.actor_id == reader.id
    assert entry.target_id == published.id
    assert entry.reason == "personal_data: Menyebut NIK seseorang."
