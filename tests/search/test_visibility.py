"""Who finds what: the public sees published items, authors their own too, moderators everything."""

from __future__ import annotations

import pytest

from portal.moderation import services as moderation


@pytest.fixture
def items(citizen, make_user, contribute, drain):
    """One published, one pending and one hidden contribution by `citizen`, all about 'bezetting'."""
    published = contribute(citizen, "Data bezetting terbit untuk umum.")
    pending = contribute(citizen, "Data bezetting menunggu moderasi.", status="pending")
    hidden = contribute(citizen, "Data bezetting disembunyikan moderator.", status="hidden")
    drain()
    return {"published": f"contribution:{published.id}", "pending": f"contribution:{pending.id}",
            "hidden": f"contribution:{hidden.id}", "objects": (published, pending, hidden)}


def test_the_public_finds_only_published_items(items, find):
    assert find(None, "bezetting") == [items["published"]]


def test_another_citizen_finds_only_published_items(items, make_user, find):
    assert find(make_user(), "bezetting") == [items["published"]]


def test_an_author_also_finds_their_own_pending_and_hidden_items(items, citizen, find):
    assert sorted(find(citizen, "bezetting")) == sorted([items["published"], items["pending"], items["hidden"]])


def test_a_moderator_finds_everything(items, official, find):
    assert len(find(official, "bezetting")) == 3


def test_an_item_hidden_after_indexing_disappears_for_the_public(items, official, find, drain):
    published = items["objects"][0]
    moderation.hide(official, published, "abuse")
    # Before the indexer runs, the SQL re-check already hides it ...
    assert find(None, "bezetting") == []
    drain()
    # ... and after it, the index itself holds the new status.
    assert find(None, "bezetting") == []
    assert items["published"] in find(official, "bezetting", statuses=["hidden"])


def test_draft_policies_are_found_by_officials_only(make_policy, official, find, drain):
    make_policy(status="draft", title="Rancangan rahasia tentang kearsipan")
    drain()
    assert find(None, "kearsipan") == []
    assert find(official, "kearsipan")
