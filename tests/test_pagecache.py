"""The page cache for anonymous readers: never stale, never personal, shared by processes."""

from __future__ import annotations

import pickle
import re
import urllib.request
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import event, update

from portal import create_app, pagecache
from portal.accounts.models import User
from portal.comments import services as comments
from portal.extensions import db
from portal.moderation import services as moderation
from portal.contributions.models import Contribution
from portal.proposals import services as proposals
from tests.conftest import CsrfClient, page_text

BODY = """Rancangan Peraturan Wali Kota Medan tentang Uji Tembolok.

## BAB I — Ketentuan Umum

### Pasal 1 — Pengertian

Dalam Peraturan Wali Kota ini yang dimaksud dengan Daerah adalah Kota Medan.
"""
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


pytestmark = pytest.mark.usefixtures("page_cache_on")


@pytest.fixture
def policy(make_policy, moderator):
    """An open policy written by the moderator (who also publishes what waits)."""
    return make_policy(by=moderator, title="Rancangan Perwal Uji Tembolok", body=BODY)


def _queries(app):
    """A list that grows by one for every SQL statement the app runs."""
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def _kept_entries(app) -> list:
    cache = app.extensions[pagecache.EXTENSION].cache
    return [pickle.loads(value) for _expires, value in cache._cache.values()]


def test_second_anonymous_view_is_served_from_the_cache(app, client, policy):
    path = f"/policies/{policy.slug}"
    page_text(client, path)
    page_text(client, path)  # the first view set the session's CSRF cookie; this one is kept
    seen = _queries(app)
    page = page_text(client, path)
    assert len(seen) == 1, seen  # the content stamp only
    assert policy.title in page


def test_someone_signing_in_leaves_the_kept_pages_valid(app, client, policy, login_as, citizen):
    """A sign-in writes the account's last sign-in time, which no public page shows: on the day a
    draft opens, hundreds sign in, and each must not empty every reader's cache."""
    path = f"/policies/{policy.slug}"
    page_text(client, path)
    page_text(client, path)
    login_as(citizen, target=app.test_client())  # another browser
    db.session.refresh(citizen)
    assert citizen.last_login_at is not None
    seen = _queries(app)
    page_text(client, path)
    assert len(seen) == 1, seen  # still kept: the content stamp only


def test_a_first_visit_is_kept_too_and_sets_only_its_own_session(app, policy):
    path = f"/policies/{policy.slug}"
    first, second = app.test_client(), app.test_client()
    tokens = []
    for visitor in (first, second):
        response = visitor.get(path)
        assert response.status_code == 200
        tokens.append(TOKEN.search(response.get_data(as_text=True)).group(1))
        assert response.headers.getlist("Set-Cookie")  # each its own session with its own token
    assert tokens[0] != tokens[1]
    assert len(_kept_entries(app)) == 1


def test_a_pending_comment_is_never_shown_and_appears_once_published(app, client, policy, make_user, moderator):
    path = f"/policies/{policy.slug}"
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 2
    assert "Komentar menunggu moderasi" not in page_text(client, path)
    page_text(client, path)
    author = make_user(display_name="Warga Baru")
    comment = comments.post_comment(author, policy, body="Komentar menunggu moderasi", stance="supports",
                                    article_key="pasal-1")
    assert comment.status == "pending"
    assert "Komentar menunggu moderasi" not in page_text(client, path)
    assert "Komentar menunggu moderasi" not in page_text(app.test_client(), path)
    moderation.approve(moderator, db.session.get(Contribution, comment.id))
    assert "Komentar menunggu moderasi" in page_text(client, path)
    assert "Komentar menunggu moderasi" in page_text(app.test_client(), path)


def test_signed_in_and_anonymous_pages_never_cross(app, client, login_as, citizen, policy):
    path = f"/policies/{policy.slug}"
    page_text(client, path)
    page_text(client, path)
    login_as(citizen)
    signed_in = page_text(client, path)
    assert citizen.display_name in signed_in
    page_text(client, path)  # a signed-in view is never kept...
    anonymous = page_text(app.test_client(), path)
    assert citizen.display_name not in anonymous  # ...nor served to anyone else
    assert all(citizen.display_name.encode() not in b"".join(parts) for parts, _h, _d in _kept_entries(app))


def test_the_language_switch_gives_the_chosen_language(app, client, policy):
    path = f"/policies/{policy.slug}"
    page_text(client, path)
    assert 'lang="id"' in page_text(client, path)
    response = client.post("/language", data={"lang": "en", "next": path})
    assert response.status_code == 302
    assert '<html lang="en">' in page_text(client, path)
    assert '<html lang="en">' in page_text(client, path)
    assert '<html lang="id">' in page_text(app.test_client(), path)


def test_flashed_messages_are_never_kept_nor_hidden(app, client, policy):
    path = f"/policies/{policy.slug}"
    page_text(client, path)
    page_text(client, path)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Pesan kilat untuk satu orang")]
    assert "Pesan kilat untuk satu orang" in page_text(client, path)
    assert "Pesan kilat untuk satu orang" not in page_text(client, path)
    assert "Pesan kilat untuk satu orang" not in page_text(app.test_client(), path)
    assert all("Pesan kilat".encode() not in b"".join(parts) for parts, _h, _d in _kept_entries(app))


def test_kept_pages_hold_no_csrf_token_and_no_cookie(app, client, policy):
    path = f"/policies/{policy.slug}"
    page_text(client, path)
    page = page_text(client, path)
    own = TOKEN.search(page).group(1)
    entries = _kept_entries(app)
    assert entries
    for parts, headers, _digest in entries:
        body = "".join(part.decode() for part in parts)
        assert own not in body
        assert not TOKEN.search(body)
        assert all(name.lower() != "set-cookie" for name, _value in headers)
    # Each reader's copy carries that reader's token, which the language form accepts.
    stranger = app.test_client()
    stranger.get(path)
    token = TOKEN.search(page_text(stranger, path)).group(1)
    assert token != own
    response = stranger.post("/language", data={"lang": "en", "next": path, "csrf_token": token})
    assert response.status_code == 302


def test_a_response_setting_another_cookie_is_not_kept(app, client, policy):
    path = f"/policies/{policy.slug}"
    client.set_cookie("remember_token", "1:bogus")  # signs nobody in; the answer clears it
    response = client.get(path)
    assert any(v.startswith("remember_token=") for v in response.headers.getlist("Set-Cookie"))
    assert _kept_entries(app) == []


def test_conditional_get_answers_304_until_the_content_changes(app, client, policy, moderator):
    path = f"/policies/{policy.slug}"
    client.get(path)
    etag = client.get(path).headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    proposals.update_details(moderator, policy, title="Judul baru", kind=policy.kind, summary=policy.summary,
                            opens_at=policy.opens_at, closes_at=policy.closes_at, position_ids=[])
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Judul baru" in response.get_data(as_text=True)
    assert app.test_client().get(path, headers={"If-None-Match": etag}).status_code == 200  # another session


def test_bulk_updates_renew_the_stamp(app, client, policy):
    path = f"/policies/{policy.slug}"
    page_text(client, path)
    page_text(client, path)
    db.session.execute(update(type(policy)).where(type(policy).id == policy.id).values(title="Judul massal"))
    db.session.commit()
    assert "Judul massal" in page_text(client, path)


def test_another_process_sees_the_change(app, _schema, tmp_path, client, policy, make_user, moderator):
    other = create_app({"SQLALCHEMY_DATABASE_URI": _schema, "INSTANCE_PATH": str(tmp_path / "other"),
                        "PAGE_CACHE_ENABLED": True}, env="testing")
    other.test_client_class = CsrfClient
    path = f"/policies/{policy.slug}"
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 2
    author = make_user()
    comment_id = comments.post_comment(author, policy, body="Dilihat proses lain", stance="supports",
                                       article_key="pasal-1").id
    moderator_id = moderator.id
    db.session.remove()
    with other.app_context():
        reader = other.test_client()
        for _ in range(3):
            assert "Dilihat proses lain" not in page_text(reader, path)
        db.session.remove()
    moderation.approve(db.session.get(type(moderator), moderator_id), db.session.get(Contribution, comment_id))
    db.session.remove()
    with other.app_context():
        assert "Dilihat proses lain" in page_text(reader, path)
        db.session.remove()
        db.engine.dispose()


def test_readers_in_threads_see_a_publication_at_once(app, live_server, at_once, policy, make_user, moderator):
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 2
    author = make_user()
    comment = comments.post_comment(author, policy, body="Diterbitkan saat dibaca", stance="supports",
                                    article_key="pasal-1")
    comment_id, moderator_id = comment.id, moderator.id
    url = f"{live_server}/policies/{policy.slug}"
    openers = [urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar())) for _ in range(4)]

    def read(n: int) -> list[bool]:
        seen = []
        for _ in range(6):
            with openers[n].open(url) as answer:
                seen.append("Diterbitkan saat dibaca" in answer.read().decode())
        return seen

    assert not any(any(seen) for seen in at_once(read, 4))

    def publish_while_reading(n: int):
        if n == 0:
            moderation.approve(db.session.get(User, moderator_id), db.session.get(Contribution, comment_id))
            return None
        return read(n)

    at_once(publish_while_reading, 4)
    assert all(all(seen) for seen in at_once(read, 4))


def test_search_results_follow_the_index_not_only_the_commit(app, client, policy, make_user):
    """The index is written after the commit (from the outbox); its own commit renews the stamp,
    so a search page kept in between is not kept past the index update."""
    from portal.search import services as search

    app.config["MODERATION_PREMODERATE_FIRST_N"] = 0
    path = "/search?q=jembatan"
    page_text(client, path)
    page_text(client, path)
    comments.post_comment(make_user(), policy, body="Jembatan penyeberangan perlu diperbaiki", stance="supports",
                          article_key="pasal-1")
    assert "penyeberangan" not in page_text(client, path)  # committed, not yet indexed: nothing to find yet
    search.drain(wait=5)
    assert "penyeberangan" in page_text(client, path)


def test_app_servers_share_kept_pages_through_redis(app, redis_apps, policy, make_user, moderator):
    one, two = redis_apps
    path = f"/policies/{policy.slug}"
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 2
    comment_id = comments.post_comment(make_user(), policy, body="Dibagi lewat Redis", stance="supports",
                                       article_key="pasal-1").id
    moderator_id = moderator.id
    db.session.remove()
    with one.app_context():
        assert "Dibagi lewat Redis" not in page_text(one.test_client(), path)  # kept by the first server
        db.session.remove()
    with two.app_context():
        seen = _queries(two)
        assert "Dibagi lewat Redis" not in page_text(two.test_client(), path)
        assert len(seen) == 1  # served by the second from what the first kept
        db.session.remove()
    moderation.approve(db.session.get(User, moderator_id), db.session.get(Contribution, comment_id))
    db.session.remove()
    for server in redis_apps:
        with server.app_context():
            assert "Dibagi lewat Redis" in page_text(server.test_client(), path)
            db.session.remove()


def test_a_message_flashed_and_shown_by_the_same_request_is_not_kept(app, client, policy):
    from flask import flash, request

    @app.before_request
    def flash_on_the_policy_page():
        if request.endpoint == "consultation.policy" and request.args.get("flash"):
            flash("Pesan kilat dari permintaan ini", "info")

    path = f"/policies/{policy.slug}?flash=1"
    page_text(client, path)
    assert "Pesan kilat dari permintaan ini" in page_text(client, path)
    assert all(b"Pesan kilat" not in b"".join(parts) for parts, _h, _d in _kept_entries(app))
