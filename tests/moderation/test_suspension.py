"""Suspending an account for a time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.audit.models import AuditEntry
from portal.errors import PermissionDenied, ValidationError
from portal.extensions import db, utcnow
from portal.contributions import services as contributions
from portal.moderation import services


def test_a_suspended_user_cannot_contribute_or_flag(contribute, make_user, published, moderator):
    troll = make_user()
    until = utcnow() + timedelta(days=7)
    services.suspend(moderator, troll, until, "Berulang kali menghina pegawai.")
    assert troll.is_suspended()
    assert not troll.is_suspended(now=until + timedelta(seconds=1))
    with pytest.raises(PermissionDenied):
        contribute(troll)
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        contributions.flag(troll, published, "spam")

    entry = db.session.query(AuditEntry).filter_by(action="moderation.suspend").one()
    assert (entry.actor_id, entry.target_id, entry.reason) == (moderator.id, troll.id, "Berulang kali menghina pegawai.")


def test_a_suspension_can_be_lifted_early(contribute, make_user, moderator):
    user = make_user()
    services.suspend(moderator, user, utcnow() + timedelta(days=1), "Spam.")
    services.lift_suspension(moderator, user, "Sudah berjanji.")
    assert not user.is_suspended()
    assert contribute(user).status == "pending"
    assert db.session.query(AuditEntry).filter_by(action="moderation.lift_suspension").count() == 1


def test_a_suspension_needs_a_reason_and_an_end_in_the_future(make_user, moderator):
    user = make_user()
    with pytest.raises(ValidationError) as refused:
        services.suspend(moderator, user, utcnow() + timedelta(days=1), "  ")
    assert refused.value.field == "reason"
    with pytest.raises(ValidationError) as refused:
        services.suspend(moderator, user, utcnow() - timedelta(days=1), "Spam.")
    assert refused.value.field == "until"
    assert user.suspended_until is None


def test_moderators_cannot_suspend_officials_but_admins_can(make_user, moderator):
    colleague = make_user(role="moderator")
    with pytest.raises(PermissionDenied):
        services.suspend(moderator, colleague, utcnow() + timedelta(days=1), "Tidak setuju.")
    with pytest.raises(PermissionDenied):
        services.suspend(moderator, moderator, utcnow() + timedelta(days=1), "Diri sendiri.")
    services.suspend(make_user(role="admin"), colleague, utcnow() + timedelta(days=1), "Menyalahgunakan wewenang.")
    assert colleague.is_suspended()
