"""Moderators and admins see on the moderation queue how many changes wait for the search index,
since when, and the indexer's last failure, which every process reads from the database."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.extensions import db
from portal.search import services


@pytest.fixture
def failed_drain(app, citizen, contribute, drain):
    """Two changes that a drain failed to apply (Whoosh's write lock held by a stray writer)."""
    from whoosh import index
    from whoosh.index import LockError

    drain()
    contribute(citizen, "Komentar tentang jabatan fungsional.")
    contribute(citizen, "Komentar tentang jabatan pelaksana.")
    backend = services.backend()
    backend.writer_timeout = 0.1
    stray = index.open_dir(str(backend.current_dir())).writer()
    with pytest.raises(LockError):
        services.drain()
    yield stray
    if not stray.is_closed:
        stray.cancel()


def _queue(client) -> str:
    response = client.get("/moderation/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_queue_says_the_index_is_up_to_date(english, login_as, official, drain):
    drain()
    login_as(official, target=english)
    assert "Search index: up to date, no change waits." in _queue(english)


@pytest.mark.whoosh_only  # a drain held up by Whoosh's write lock
def test_the_queue_shows_waiting_changes_and_the_failure_to_moderators_and_admins(
        english, login_as, official, make_user, failed_drain):
    for viewer in (official, make_user(role="admin")):
        login_as(viewer, target=english)
        html = _queue(english)
        assert 'role="alert"' in html and "Updating the search index failed at" in html
        assert "LockError" in html
        assert "2 changes wait, the oldest since" in html
        english.post("/logout")


@pytest.mark.whoosh_only  # a drain held up by Whoosh's write lock
def test_the_queue_in_indonesian_by_default(client, login_as, official, failed_drain):
    login_as(official)
    html = _queue(client)
    assert "Pembaruan indeks pencarian gagal" in html and "2 perubahan menunggu" in html


@pytest.mark.whoosh_only  # a drain held up by Whoosh's write lock
def test_citizens_do_not_see_the_queue(client, login_as, citizen, failed_drain):
    login_as(citizen)
    assert client.get("/moderation/").status_code == 403


@pytest.mark.whoosh_only  # a drain held up by Whoosh's write lock
def test_the_failure_is_seen_by_every_process_and_cleared_by_the_next_drain(
        app, _schema, tmp_path, english, login_as, official, failed_drain):
    other = create_app({"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": str(tmp_path / "other")}, env="testing")
    with other.app_context():  # another process's view: the database, not this one's memory
        status = services.indexing_status()
        assert status.failing and status.failures == 1 and status.waiting == 2 and "LockError" in status.last_failure
        db.session.remove()
    failed_drain.cancel()
    assert services.drain().rows == 2
    with other.app_context():
        status = services.indexing_status()
        assert not status.failing and status.waiting == 0 and status.recovered_at is not None
        db.session.remove()
        db.engine.dispose()
    login_as(official, target=english)
    html = _queue(english)
    assert "Search index: up to date, no change waits." in html
    assert "Its last failure, at" in html and "LockError" in html
