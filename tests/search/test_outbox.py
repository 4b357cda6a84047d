"""Changes reach the index only through the outbox, written in the changing transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.contributions import services as contributions
from portal.moderation import services as moderation
from portal.contributions.models import Contribution
from portal.proposals import services as proposals
from portal.search import services
from portal.search.outbox import SearchOutbox

from tests.search.conftest import TRAINING


def _waiting() -> list[tuple[str, int]]:
    return list(db.session.execute(
        select(SearchOutbox.doc_type, SearchOutbox.doc_id).where(SearchOutbox.processed_at.is_(None))
    ).tuples())


@pytest.mark.whoosh_only  # the outbox (test_pg_index.py: the same on postgres)
def test_a_new_contribution_writes_an_outbox_row_and_a_drain_indexes_it(citizen, contribute, drain, find):
    item = contribute(citizen, "Pelatihan pegawai kecamatan harus rutin.")
    assert ("contribution", item.id) in _waiting()
    assert find(None, "pelatihan") == []  # nothing reaches the index before the indexer runs
    report = drain()
    assert report.rows >= 1 and _waiting() == []
    assert find(None, "dilatih") == [f"contribution:{item.id}"]


@pytest.mark.whoosh_only  # the outbox (test_pg_index.py: the same on postgres)
def test_a_rolled_back_transaction_leaves_nothing_in_the_outbox_or_index(citizen, drain, find):
    before = db.session.scalar(select(func.count(SearchOutbox.id)))
    item = Contribution(body="Rahasia yang batal disimpan tentang pelatihan.")
    contributions.admit(citizen, item)  # flushes: the outbox row exists inside the transaction
    assert db.session.scalar(select(func.count(SearchOutbox.id))) > before
    db.session.rollback()
    assert db.session.scalar(select(func.count(SearchOutbox.id))) == before
    drain()
    assert find(None, "rahasia") == []
    assert services.check().agrees


@pytest.mark.whoosh_only  # the outbox (test_pg_index.py: the same on postgres)
def test_draining_twice_is_harmless(citizen, contribute, drain, find):
    item = contribute(citizen, "Analisis beban kerja di Disdukcapil.")
    drain()
    db.session.execute(SearchOutbox.__table__.update().values(processed_at=None))  # replay everything
    db.session.commit()
    drain()
    assert find(None, "disdukcapil") == [f"contribution:{item.id}"]
    assert services.check().agrees


@pytest.mark.whoosh_only  # the outbox (test_pg_index.py: the same on postgres)
def test_hiding_and_withdrawing_reach_the_index(citizen, official, contribute, drain):
    hidden = contribute(citizen, "Komentar tentang kebutuhan pegawai yang nanti disembunyikan.")
    gone = contribute(citizen, "Komentar tentang kebutuhan guru yang nanti ditarik.")
    drain()
    moderation.hide(official, hidden, "spam")
    contributions.withdraw(citizen, gone)
    assert {("contribution", hidden.id), ("contribution", gone.id)} <= set(_waiting())
    drain()
    states = services.backend().doc_states()
    assert states[f"contribution:{hidden.id}"] == "hidden"
    assert f"contribution:{gone.id}" not in states


def test_a_new_version_replaces_the_searchable_articles(official, make_policy, drain, find):
    policy = make_policy(**TRAINING)
    drain()
    assert find(None, "perpajakan", kinds=["article"])
    old_articles = {f"article:{a.id}" for a in policy.current_version.articles}
    proposals.add_version(official, policy, "### Pasal 1\nRetribusi\n\nRetribusi parkir diatur ulang.", "Pasal diganti.")
    drain()
    assert find(None, "perpajakan", kinds=["article"]) == []
    found = find(None, "retribusi", kinds=["article"])
    assert len(found) == 1 and found[0] not in old_articles
    assert services.check().agrees


def test_a_policy_opened_after_it_was_indexed_as_a_draft_is_found_by_the_public(official, make_policy, drain, find):
    policy = make_policy(status="draft", **TRAINING)
    drain()
    assert find(None, "perpajakan") == []
    proposals.transition(official, policy, "open")  # a compare-and-set UPDATE, beside the ORM
    drain()
    assert find(None, "perpajakan")
    assert services.check().agrees


def _start_thread(client, official, title: str, body: str):
    from portal.forums import services as forums

    category = forums.create_category(official, "Diskusi Umum")
    response = client.post(f"/forum/c/{category.slug}/new", data={"title": title, "body": body})
    assert response.status_code == 302
    response.close()  # a WSGI server closes every response; the indexer runs then
    return response


@pytest.mark.whoosh_only  # the outbox (test_pg_index.py: the same on postgres)
def test_a_post_written_through_the_site_is_indexed_after_its_response(client, official, citizen, login_as, find):
    login_as(citizen)
    _start_thread(client, official, "Jadwal pelatihan camat", "Kapan pelatihan kepemimpinan untuk camat dimulai?")
    assert _waiting() == []
    found = find(None, "dilatih")
    assert len(found) == 1 and found[0].startswith("contribution:")


@pytest.mark.whoosh_only  # the outbox (test_pg_index.py: the same on postgres)
def test_inline_indexing_can_be_switched_off(app, client, official, citizen, login_as, find):
    app.config["SEARCH_INLINE_INDEXING"] = False  # as with REDIS_URL: `flask search worker` applies the outbox
    login_as(citizen)
    _start_thread(client, official, "Jadwal pelatihan lurah", "Kapan pelatihan untuk lurah dimulai?")
    assert _waiting() and find(None, "lurah") == []
