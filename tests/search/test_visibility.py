"""Who finds what: the public sees published items, authors their own too, moderators everything."""

from __future__ import annotations

import pytest

from portal.contributions import services as contributions
from portal.moderation import services as moderation

from tests.search.conftest import POLICY_BODY, TRAINING


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
    make_policy(status="draft", title="Rancangan rahasia tentang kearsipan", summary=TRAINING["summary"],
                body=POLICY_BODY)
    drain()
    assert find(None, "kearsipan") == []
    assert find(official, "kearsipan")


def _counted(app, viewer, words: str, **filters) -> tuple[int, list[str], dict]:
    """(the total a search page shows, the ids on it, its facet counts)."""
    from portal.search import services

    with app.test_request_context():
        page = services.search(viewer, words, **filters)
    shown = [f"{item.hit.doc_type}:{item.hit.db_id}" for item in page.items]
    return page.results.total, shown, {name: dict(values) for name, values in page.results.facets.items()}


@pytest.fixture
def changed_since_indexing(app, items, citizen, make_user, official, contribute, make_policy, drain):
    """After a drain: a published item hidden, a pending one approved, one withdrawn, another citizen's
    pending item and a new version of a policy, none of it indexed yet (the indexer lags)."""
    from portal.proposals import services as proposals

    policy = make_policy(title=TRAINING["title"], summary=TRAINING["summary"],
                         body="### Pasal 1\nUmum\n\nData bezetting pegawai lama.")
    other = make_user()
    extra = contribute(citizen, "Data bezetting tambahan.", on=policy)
    withdrawn = contribute(citizen, "Data bezetting yang akan ditarik.")
    others_pending = contribute(other, "Data bezetting orang lain menunggu.", status="pending")
    drain()
    published, pending, _hidden = items["objects"]
    moderation.hide(official, published, "abuse")
    moderation.approve(official, pending)
    contributions.withdraw(citizen, withdrawn)
    proposals.add_version(official, policy, "### Pasal 1\nUmum\n\nData formasi pegawai baru.", "Pasal 1 diganti.")
    return {"other": other, "extra": f"contribution:{extra.id}", "pending": items["pending"],
            "others_pending": f"contribution:{others_pending.id}"}


@pytest.mark.parametrize("who", ["anonymous", "citizen", "author", "moderator"])
def test_totals_and_facet_counts_leave_out_what_the_viewer_may_not_see(app, who, changed_since_indexing, citizen,
                                                                        official, items, search_backend):
    viewer = {"anonymous": None, "citizen": changed_since_indexing["other"], "author": citizen,
              "moderator": official}[who]
    total, shown, facets = _counted(app, viewer, "bezetting")
    assert total == len(shown) == sum(facets["kind"].values()) == sum(facets["group"].values())
    assert sum(facets["date"].values()) >= total and facets["date"].get("7d") == total
    if who == "moderator":
        assert sum(facets["status"].values()) == total
    expected = {
        # The hidden item, the withdrawn one and the old Pasal 1 are left out for everyone; the approved
        # one is not counted until the index holds it as published (it is not shown either).
        "anonymous": {changed_since_indexing["extra"]},
        "citizen": {changed_since_indexing["extra"], changed_since_indexing["others_pending"]},
        "author": {changed_since_indexing["extra"], items["pending"], items["published"], items["hidden"]},
        "moderator": {changed_since_indexing["extra"], changed_since_indexing["others_pending"], items["pending"],
                      items["published"], items["hidden"]},
    }[who]
    if search_backend == "postgres" and who in ("anonymous", "citizen"):
        expected.add(items["pending"])  # the index is written with the approval itself: it lags not at all
    assert set(shown) == expected
    # Filtered by a facet, the counts agree with what is shown too.
    total, shown, facets = _counted(app, viewer, "bezetting", kinds=["contribution"])
    assert total == len(shown) == facets["kind"].get("contribution", 0)


def test_an_item_gone_behind_the_indexers_back_is_not_counted(app, items, citizen, drain):
    from sqlalchemy import delete

    from portal.extensions import db
    from portal.contributions.models import Contribution

    published = items["objects"][0]
    db.session.execute(delete(Contribution.__table__).where(Contribution.__table__.c.id == published.id))
    db.session.commit()  # no outbox row: drift, which `flask search check` reports
    assert _counted(app, None, "bezetting")[:2] == (0, [])
    total, shown, _facets = _counted(app, citizen, "bezetting")
    assert total == 2 and set(shown) == {items["pending"], items["hidden"]}
