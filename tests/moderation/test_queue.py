"""The moderation queue: what is in it, in which order, with the author's history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.errors import PermissionDenied
from portal.extensions import db, utcnow
from portal.contributions import services as contributions
from portal.moderation import queue as moderation_queue, services
def _age(contribution, days: int) -> None:
    contribution.created_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_the_queue_lists_pending_flagged_and_appealed_items_oldest_first(
    contribute, make_user, trusted, moderator
):
    newcomer = make_user()
    pending_new = contribute(newcomer, "Usulan baru.")
    pending_old = contribute(newcomer, "Usulan lama.")
    _age(pending_new, 1)
    _age(pending_old, 5)

    flagged = contribute(trusted, "Dilaporkan.")
    _age(flagged, 30)  # written long ago, but reported just now: it waits since the report
    contributions.flag(make_user(), flagged, "spam")

    hidden = contribute(trusted, "Disembunyikan lalu dibanding.")
    services.hide(moderator, hidden, "off_topic")
    contributions.appeal(trusted, hidden, "Ini relevan dengan Pasal 5.")

    quiet = contribute(trusted, "Tidak ada masalah.")
    hidden_not_appealed = contribute(trusted, "Disembunyikan saja.")
    services.hide(moderator, hidden_not_appealed, "spam")

    items = moderation_queue.items(moderator)
    assert [item.contribution for item in items] == [pending_old, pending_new, flagged, hidden]
    assert [item.reasons for item in items] == [["pending"], ["pending"], ["flagged"], ["appealed"]]
    assert quiet not in [item.contribution for item in items]
    assert items[2].open_flags[0].reason == "spam"
    assert items[3].appeal.text == "Ini relevan dengan Pasal 5."
    assert [i.waiting_since for i in items] == sorted(i.waiting_since for i in items)


def test_each_queue_item_shows_the_authors_history(contribute, make_user, trusted, moderator):
    newcomer = make_user()
    first = contribute(newcomer)
    services.approve(moderator, first)
    second = contribute(newcomer)
    services.hide(moderator, second, "spam")
    waiting = contribute(newcomer)
    assert waiting.status == "pending"

    [item] = moderation_queue.items(moderator)
    assert item.contribution == waiting
    assert item.author_history == {"published": 1, "hidden": 1, "pending": 1, "withdrawn": 0}


def test_acting_on_an_item_takes_it_out_of_the_queue(contribute, make_user, published, moderator):
    pending = contribute(make_user())
    contributions.flag(make_user(), published, "abuse")
    assert len(moderation_queue.items(moderator)) == 2
    services.approve(moderator, pending)
    services.approve(moderator, published, "Kritik, bukan hinaan.")
    assert moderation_queue.items(moderator) == []
    assert published.status == "published"
    assert published.open_flags == []
    assert published.flags[0].resolution == "dismissed"


def test_the_queue_can_be_filtered_by_kind(contribute, make_user, moderator):
    contribute(make_user())
    assert len(moderation_queue.items(moderator, kind="contribution")) == 1
    assert moderation_queue.items(moderator, kind="comment") == []


@pytest.mark.parametrize("role", ["citizen", "ngo", "academic"])
def test_only_moderators_see_the_queue(make_user, role):
    with pytest.raises(PermissionDenied):
        moderation_queue.items(make_user(role=role))
