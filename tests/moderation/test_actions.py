"""Moderator actions and the author's side: hide with a reason, appeal once,
restore, withdraw; what each viewer sees; the history and the audit log."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from portal.errors import Conflict, PermissionDenied, ValidationError
from portal.extensions import db
from portal.contributions import services as contributions
from portal.moderation import queue as moderation_queue, services
from portal.contributions.models import Contribution

from tests.conftest import audit_entries


def _visible_ids(viewer) -> set[int]:
    return set(db.session.scalars(select(Contribution.id).where(contributions.visible_filter(viewer))))


def test_a_hidden_item_stays_visible_to_its_author_with_the_reason(published, trusted, moderator, make_user):
    services.hide(moderator, published, "abuse", "Kata-kata kasar terhadap pegawai.")
    stranger = make_user()
    anonymous = AnonymousUserMixin()

    assert contributions.visible_to(trusted, published)
    assert contributions.visible_to(moderator, published)
    assert not contributions.visible_to(stranger, published)
    assert not contributions.visible_to(anonymous, published)
    assert published.id in _visible_ids(trusted)
    assert published.id in _visible_ids(moderator)
    assert published.id not in _visible_ids(stranger)
    assert published.id not in _visible_ids(anonymous)

    assert (published.hidden_reason, published.hidden_note) == ("abuse", "Kata-kata kasar terhadap pegawai.")
    last = published.events[-1]
    assert (last.action, last.from_status, last.to_status, last.reason, last.actor_id) == (
        "hidden", "published", "hidden", "abuse", moderator.id
    )


def test_published_items_are_visible_to_everyone_and_pending_ones_to_author_and_moderators(
    contribute, make_user, published, moderator
):
    newcomer = make_user()
    pending = contribute(newcomer)
    anonymous = AnonymousUserMixin()
    assert _visible_ids(anonymous) == {published.id}
    assert _visible_ids(make_user()) == {published.id}
    assert _visible_ids(newcomer) == {published.id, pending.id}
    assert _visible_ids(moderator) == {published.id, pending.id}
    assert contributions.visible_to(anonymous, published)
    assert not contributions.visible_to(anonymous, pending)


def test_hiding_needs_a_reason_from_the_list_and_a_note_for_other(published, moderator):
    with pytest.raises(ValidationError) as refused:
        services.hide(moderator, published, "i-do-not-like-it", "x")
    assert refused.value.field == "reason"
    with pytest.raises(ValidationError) as refused:
        services.hide(moderator, published, "other", "   ")
    assert refused.value.field == "note"
    assert published.status == "published"
    services.hide(moderator, published, "other", "Duplikat dari masukan sebelumnya.")
    assert published.status == "hidden"


def test_hiding_a_flagged_item_closes_its_flags(published, moderator, make_user):
    contributions.flag(make_user(), published, "spam")
    services.hide(moderator, published, "spam")
    assert published.open_flags == []
    assert published.flags[0].resolution == "actioned"
    assert published.flags[0].resolved_by_id == moderator.id


def test_the_author_may_appeal_once_and_the_appeal_returns_to_the_queue(published, trusted, moderator):
    services.hide(moderator, published, "off_topic")
    assert published.can_be_appealed
    assert moderation_queue.items(moderator) == []

    contributions.appeal(trusted, published, "Masukan ini membahas Pasal 7 tentang formasi.")
    [item] = moderation_queue.items(moderator)
    assert item.contribution == published and item.reasons == ["appealed"]
    assert not published.can_be_appealed

    with pytest.raises(ValidationError) as refused, force_locale("en"):  # messages outside a request are Indonesian
        contributions.appeal(trusted, published, "Sekali lagi.")
    assert "already appealed" in refused.value.message
    assert published.events[-1].action == "appealed"


def test_only_the_author_may_appeal_and_only_a_hidden_item(published, trusted, moderator, make_user):
    with pytest.raises(PermissionDenied):
        contributions.appeal(trusted, published, "Belum disembunyikan.")
    services.hide(moderator, published, "spam")
    with pytest.raises(PermissionDenied):
        contributions.appeal(make_user(), published, "Saya bukan penulisnya.")
    with pytest.raises(ValidationError):
        contributions.appeal(trusted, published, "   ")


def test_an_upheld_appeal_publishes_the_item_again(published, trusted, moderator, make_user):
    services.hide(moderator, published, "spam")
    appeal = contributions.appeal(trusted, published, "Bukan iklan.")
    services.decide_appeal(make_user(role="admin"), appeal, uphold=True)
    assert published.status == "published"
    assert published.hidden_reason is None
    assert appeal.outcome == "upheld" and not appeal.is_open
    assert published.events[-1].action == "appeal_upheld"
    assert moderation_queue.items(moderator) == []


def test_a_rejected_appeal_keeps_the_item_hidden_and_explains_why(published, trusted, moderator):
    services.hide(moderator, published, "personal_data")
    appeal = contributions.appeal(trusted, published, "Data itu sudah publik.")
    with pytest.raises(ValidationError) as refused:
        services.decide_appeal(moderator, appeal, uphold=False)
    assert refused.value.field == "note"
    services.decide_appeal(moderator, appeal, uphold=False, note="Nomor telepon pribadi tetap data pribadi.")
    assert published.status == "hidden"
    assert appeal.outcome == "rejected"
    assert published.events[-1].note == "Nomor telepon pribadi tetap data pribadi."
    assert moderation_queue.items(moderator) == []
    with pytest.raises(Conflict):
        services.decide_appeal(moderator, appeal, uphold=True)
    with pytest.raises(ValidationError):
        contributions.appeal(trusted, published, "Banding kedua.")


def test_restore_publishes_a_hidden_item_and_settles_an_open_appeal(published, trusted, moderator):
    services.hide(moderator, published, "abuse")
    appeal = contributions.appeal(trusted, published, "Tolong ditinjau.")
    services.restore(moderator, published, "Setelah ditinjau, tidak kasar.")
    assert published.status == "published"
    assert appeal.outcome == "upheld"
    assert [e.action for e in published.events] == ["submitted", "hidden", "appealed", "restored"]
    with pytest.raises(Conflict):
        services.restore(moderator, published)


def test_actions_that_do_not_fit_the_status_are_refused(published, moderator):
    with pytest.raises(Conflict):
        services.approve(moderator, published)  # published and not reported: nothing to approve
    services.hide(moderator, published, "spam")
    with pytest.raises(Conflict):
        services.hide(moderator, published, "spam")
    with pytest.raises(Conflict):
        services.approve(moderator, published)


def test_the_author_may_withdraw_and_the_item_is_kept(published, trusted, moderator, make_user):
    with pytest.raises(PermissionDenied):
        contributions.withdraw(make_user(), published)
    contributions.withdraw(trusted, published, "Digantikan masukan resmi.")
    assert published.status == "withdrawn"
    assert db.session.get(Contribution, published.id) is not None
    assert contributions.visible_to(trusted, published)
    assert not contributions.visible_to(make_user(), published)
    with pytest.raises(PermissionDenied):
        contributions.withdraw(trusted, published)  # once withdrawn, stays withdrawn
    with pytest.raises(Conflict):
        services.hide(moderator, published, "spam")


def test_nobody_moderates_their_own_contribution(contribute, make_user):
    moderator = make_user(role="moderator")
    own = contribute(moderator, "Dasar bangsat.")  # the word filter holds even an official's text
    assert own.status == "pending"
    with pytest.raises(PermissionDenied):
        services.approve(moderator, own)
    services.approve(make_user(role="moderator"), own)
    assert own.status == "published"


def test_every_action_is_in_the_audit_log_with_who_and_why(contribute, make_user, trusted, moderator):
    newcomer = make_user()
    pending = contribute(newcomer)
    services.approve(moderator, pending, "Sesuai topik.")
    item = contribute(trusted)
    services.hide(moderator, item, "off_topic", "Membahas Perda lain.")
    contributions.appeal(trusted, item, "Masih terkait.")
    services.decide_appeal(moderator, item.appeal, uphold=False, note="Tetap di luar topik.")
    other = contribute(trusted)
    services.hide(moderator, other, "spam")
    services.restore(moderator, other, "Salah klik.")
    contributions.withdraw(trusted, other)

    expected = {
        "moderation.approve": (moderator, pending, "Sesuai topik."),
        "moderation.hide": (moderator, other, "spam"),
        "contribution.appeal": (trusted, item, "Masih terkait."),
        "moderation.decide_appeal": (moderator, item, "Tetap di luar topik."),
        "moderation.restore": (moderator, other, "Salah klik."),
        "contribution.withdraw": (trusted, other, None),
    }
    for action, (actor, target, reason) in expected.items():
        entry = audit_entries(action)[-1]
        assert (entry.actor_id, entry.target_id, entry.reason) == (actor.id, target.id, reason), action
        assert target.public_id in entry.detail
    assert [e.reason for e in audit_entries("moderation.hide")] == ["off_topic: Membahas Perda lain.", "spam"]
