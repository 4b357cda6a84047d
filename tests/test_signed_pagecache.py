"""Whole pages kept for signed-in readers (portal.signedcache): never stale, and nothing one
reader sees of their own (name, notices, CSRF token, pending comments, "you agree", their own
links) reaches another, of another class or of the same one, also when they read at once."""

from __future__ import annotations

import pickle
import re

import pytest

from portal import signedcache
from portal.accounts.models import User
from portal.contributions.models import Contribution
from portal.extensions import db
from portal.moderation import services as moderation
from portal.notifications import services as notifications
from tests.conftest import SESSION_TOKEN, comment_block, page_text

ACCOUNT_LINK = re.compile(r'<a href="/account">([^<]*)</a>')
NOTICES = re.compile(r'<a href="/me/notifications">[^<]*(?: <span class="badge badge--count">(\d+) [^<]*</span>)?</a>')


pytestmark = pytest.mark.usefixtures("page_cache_on")


def _kept_pages(app) -> list[bytes]:
    cache = app.extensions[signedcache.EXTENSION][0].cache
    entries = [pickle.loads(value) for _expires, value in cache._cache.values()]
    return [b"".join(entry[0]) for entry in entries if isinstance(entry, tuple)]


def _reader(page: str) -> tuple[str, int, set[str]]:
    """Whom a page says is signed in: the name in the header, the unread count, the tokens on it."""
    name = ACCOUNT_LINK.search(page).group(1)
    unread = NOTICES.search(page).group(1)
    return name, int(unread or 0), set(SESSION_TOKEN.findall(page))


def _notify(user, count: int) -> None:
    for _ in range(count):
        notifications.notify(user, "comment_published", "/", send_mail=False)
    db.session.commit()


def test_readers_of_one_class_share_a_page_and_each_sees_only_their_own_name_notices_and_token(
        app, policy, make_user, contribute, client_for):
    contribute(make_user(), "Komentar yang dibaca semua", kind="comment", article_key="pasal-1", published=True)
    path = f"/policies/{policy.slug}"
    first, second = make_user(display_name="Warga Pertama"), make_user(display_name="Warga Kedua")
    _notify(second, 2)
    as_first, as_second = client_for(first), client_for(second)
    pages = [page_text(as_first, path), page_text(as_second, path), page_text(as_first, path), page_text(as_second, path)]
    readers = [_reader(page) for page in pages]
    assert [(name, unread) for name, unread, _tokens in readers] == [
        ("Warga Pertama", 0), ("Warga Kedua", 2), ("Warga Pertama", 0), ("Warga Kedua", 2)]
    assert all(len(tokens) == 1 for _name, _unread, tokens in readers)
    assert readers[0][2] == readers[2][2] != readers[1][2] == readers[3][2]
    assert all("Komentar yang dibaca semua" in page for page in pages)
    kept = _kept_pages(app)
    assert len(kept) == 1  # one page for both: the same class, neither has a footprint
    assert b"Warga Pertama" not in kept[0] and b"Warga Kedua" not in kept[0]
    assert not SESSION_TOKEN.search(kept[0].decode())
    # A notice arrives without any public change: it shows at once on the kept page.
    _notify(first, 1)
    assert _reader(page_text(as_first, path))[:2] == ("Warga Pertama", 1)
    assert _reader(page_text(as_second, path))[:2] == ("Warga Kedua", 2)


def test_readers_of_different_classes_get_different_pages(app, policy, make_user, client_for, moderator):
    path = f"/policies/{policy.slug}"
    citizen, suspended = make_user(display_name="Warga Biasa"), make_user(display_name="Warga Ditangguhkan")
    as_citizen, as_moderator = client_for(citizen), client_for(moderator)
    as_suspended = client_for(suspended)
    for _ in range(2):
        mine, theirs = page_text(as_citizen, path), page_text(as_moderator, path)
        assert ">Moderation</a>" in theirs and ">Moderation</a>" not in mine
        assert _reader(mine)[0] == "Warga Biasa" and _reader(theirs)[0] == "Moderator BKPSDM"
    from datetime import timedelta

    from portal.extensions import utcnow

    suspended.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    assert signedcache.viewer_class(suspended) != signedcache.viewer_class(citizen)
    assert _reader(page_text(as_suspended, path))[0] == "Warga Ditangguhkan"
    assert _reader(page_text(as_citizen, path))[0] == "Warga Biasa"


def test_a_pending_comment_shows_only_to_its_author(app, policy, make_user, contribute, client_for):
    path = f"/policies/{policy.slug}"
    author, reader = make_user(display_name="Penulis"), make_user(display_name="Pembaca")
    as_author, as_reader = client_for(author), client_for(reader)
    page_text(as_author, path), page_text(as_reader, path)  # both pages kept (one class, no footprint yet)
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 5
    pending = contribute(author, "Komentar saya yang menunggu", kind="comment", article_key="pasal-1")
    assert pending.status == "pending"
    for _ in range(2):
        mine = page_text(as_author, path)
        assert "Waiting for moderation" in comment_block(mine, pending)
        assert _reader(mine)[0] == "Penulis"
        theirs = page_text(as_reader, path)
        assert "Komentar saya yang menunggu" not in theirs and _reader(theirs)[0] == "Pembaca"
    # A third reader of the class, after the author's page with the pending comment was kept.
    stranger = client_for(make_user(display_name="Orang Lain"))
    for _ in range(2):
        assert "Komentar saya yang menunggu" not in page_text(stranger, path)
    assert not any(b"Komentar saya yang menunggu" in page for page in _kept_pages(app)
                   if b"Status and history" not in page)


def test_agreeing_posting_and_hiding_show_at_once(app, policy, make_user, contribute, client_for, moderator):
    path = f"/policies/{policy.slug}"
    author, agrees, other = make_user(), make_user(), make_user()
    comment = contribute(author, "Komentar untuk disetujui", kind="comment", article_key="pasal-1", published=True)
    as_author, as_agrees, as_other = client_for(author), client_for(agrees), client_for(other)
    for client in (as_author, as_agrees, as_other):
        page_text(client, path)
    assert as_agrees.post(f"/comments/{comment.public_id}/agree", data={"next": path}).status_code in (302, 303)
    for _ in range(2):
        own, agreed, others = (comment_block(page_text(c, path), comment) for c in (as_author, as_agrees, as_other))
        assert "1 person agrees" in own and "1 person agrees" in agreed and "1 person agrees" in others
        assert "You agree" in agreed and "I agree" not in agreed
        assert "I agree" in others and "You agree" not in others
        assert "Status and history" in own and "Status and history" not in others

    posted = as_other.post(f"/policies/{policy.slug}/comments",
                           data={"stance": "supports", "body": "Komentar baru dari pembaca lain", "article_key": "pasal-2"})
    assert posted.status_code in (302, 303)
    assert "Komentar baru dari pembaca lain" in page_text(as_other, path)  # their own, waiting
    assert "Komentar baru dari pembaca lain" not in page_text(as_agrees, path)
    new = db.session.query(Contribution).filter(Contribution.body == "Komentar baru dari pembaca lain").one()
    moderation.approve(moderator, new)
    assert "Komentar baru dari pembaca lain" in page_text(as_agrees, path)
    moderation.hide(moderator, db.session.get(Contribution, comment.id), reason="spam")
    for _ in range(2):
        assert "Komentar untuk disetujui" not in page_text(as_other, path)
        assert "A moderator hid this comment" in comment_block(page_text(as_author, path), comment)


def test_signing_out_and_replaying_the_old_cookie_gets_no_signed_in_page(app, policy, make_user, client_for):
    path = f"/policies/{policy.slug}"
    reader = client_for(make_user(display_name="Warga Keluar"))
    for _ in range(2):
        assert _reader(page_text(reader, path))[0] == "Warga Keluar"
    old_cookie = reader.get_cookie("session").value
    assert reader.post("/logout").status_code in (302, 303)
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    for _ in range(2):
        page = page_text(replay, path)
        assert "Warga Keluar" not in page and ">Sign in</a>" in page and not ACCOUNT_LINK.search(page)


def test_the_language_switch_gives_the_chosen_language(app, policy, make_user, client_for):
    path = f"/policies/{policy.slug}"
    reader = client_for(make_user(display_name="Warga Dwibahasa"), lang="en")
    for _ in range(2):
        assert ">Sign out<" in page_text(reader, path)
    assert reader.post("/language", data={"lang": "id", "next": path}).status_code in (302, 303)
    for _ in range(2):
        page = page_text(reader, path)
        assert ">Sign out<" not in page and ">Keluar<" in page and _reader(page)[0] == "Warga Dwibahasa"


def test_a_reader_whose_name_the_page_shows_is_not_shared(app, policy, make_user, contribute, client_for):
    # The policy's own text names the reader: their page is kept for them alone.
    path = f"/policies/{policy.slug}"
    named = make_user(display_name=policy.title)
    other = make_user(display_name="Warga Lain")
    page_text(client_for(named), path)
    page = page_text(client_for(other), path)
    assert _reader(page)[0] == "Warga Lain"
    assert all(policy.title.encode() in kept for kept in _kept_pages(app))


def test_readers_in_threads_each_get_only_their_own_page(app, policy, make_user, contribute, client_for,
                                                          moderator, at_once):
    author = make_user(display_name="Penulis Bersamaan")
    comment = contribute(author, "Komentar dibaca bersamaan", kind="comment", article_key="pasal-1", published=True)
    readers = [author, moderator] + [make_user(display_name=f"Pembaca {n}") for n in range(4)]
    for n, user in enumerate(readers):
        _notify(user, n)
    names = [user.display_name for user in readers]
    clients = [client_for(user) for user in readers]
    path = f"/policies/{policy.slug}"
    comment_id = comment.id

    def read(n: int) -> list[tuple]:
        seen = []
        for _ in range(6):
            page = clients[n].get(path).get_data(as_text=True)
            block = re.search(rf'id="c-{comment_id}">.*?</article>', page, re.S).group(0)
            seen.append((*_reader(page)[:2], "Status and history" in block, frozenset(SESSION_TOKEN.findall(page))))
        return seen

    results = at_once(read, len(clients))
    for n, seen in enumerate(results):
        assert {(name, unread) for name, unread, _own, _tokens in seen} == {(names[n], n)}
        assert {own for _name, _unread, own, _tokens in seen} == {n == 0}
        assert len({tokens for *_rest, tokens in seen}) == 1
    tokens = [next(iter(seen))[3] for seen in results]
    assert all(len(found) == 1 for found in tokens) and len(set().union(*tokens)) == len(clients)
    kept = _kept_pages(app)
    assert kept  # the readers were served kept pages, and none of them holds anyone's name or token
    assert not any(name.encode() in page for page in kept for name in names[1:])
    assert not any(SESSION_TOKEN.search(page.decode()) for page in kept)


def test_app_servers_share_a_class_page_through_redis_and_each_reader_gets_their_own_parts(
        app, redis_apps, policy, make_user, sign_in):
    one, two = redis_apps
    path = f"/policies/{policy.slug}"
    first, second = make_user(display_name="Warga Server Satu"), make_user(display_name="Warga Server Dua")
    _notify(second, 3)
    ids = (first.id, second.id)
    db.session.remove()
    readers = []
    for server, user_id in zip((one, two), ids, strict=True):
        with server.app_context():
            client = server.test_client()
            sign_in(db.session.get(User, user_id), client, lang="en")
            page_text(client, path)  # the page after signing in shows (and drops) its message
            readers.append(client)
            db.session.remove()
    seen: list = []
    with two.app_context():
        from sqlalchemy import event

        event.listen(db.engine, "before_cursor_execute", lambda *args: seen.append(1))
        db.session.remove()
    with one.app_context():
        assert _reader(page_text(readers[0], path))[:2] == ("Warga Server Satu", 0)  # rendered, kept in Redis
        db.session.remove()
    with two.app_context():
        seen.clear()
        assert _reader(page_text(readers[1], path))[:2] == ("Warga Server Dua", 3)
        # Served from what the first server kept: the account, the stamp, this reader's first
        # footprint check and the unread count (a fresh render of the page asks about 18).
        assert len(seen) <= 4
        db.session.remove()


def test_a_name_with_markup_stays_escaped_in_fresh_and_kept_pages(app, policy, make_user, client_for):
    path = f"/policies/{policy.slug}"
    reader = client_for(make_user(display_name='<script>alert("nama")</script>'))
    for _ in range(2):  # rendered, then served from the kept copy
        page = page_text(reader, path)
        assert '<script>alert("nama")</script>' not in page
        assert _reader(page)[0] == "&lt;script&gt;alert(&#34;nama&#34;)&lt;/script&gt;"


def test_the_language_saved_on_the_account_is_kept_apart(app, policy, make_user, client_for):
    path = f"/policies/{policy.slug}"
    english, indonesian = make_user(locale="en"), make_user(locale="id")
    as_english, as_indonesian = client_for(english, lang=None), client_for(indonesian, lang=None)
    for _ in range(2):
        assert ">Sign out<" in page_text(as_english, path)
        assert ">Keluar<" in page_text(as_indonesian, path)
