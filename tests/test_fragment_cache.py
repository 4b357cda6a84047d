"""Rendered comments shared between signed-in readers (portal.pagecache.fragment): never stale,
and nothing one reader sees of their own (pending comments, "you agree", their CSRF token,
their own links) reaches another, also when they read at the same moment."""

from __future__ import annotations

import re

import pytest

from portal import pagecache
from portal.comments import services as comments
from portal.contributions.models import Contribution
from portal.extensions import db
from portal.moderation import services as moderation
from tests.conftest import SESSION_TOKEN, comment_block, executable_markup, page_text, xss_payloads


pytestmark = pytest.mark.usefixtures("page_cache_on")


def _kept(app) -> list[str]:
    import pickle

    cache = app.extensions[pagecache.FRAGMENTS].cache
    return ["".join(pickle.loads(value)) for _expires, value in cache._cache.values()]


def test_comments_are_kept_without_any_token_and_each_reader_gets_their_own(
        app, policy, make_user, contribute, client_for):
    author = make_user(display_name="Penulis Komentar")
    comment = contribute(author, "Komentar bersama untuk semua", kind="comment", article_key="pasal-1", published=True)
    path = f"/policies/{policy.slug}"
    first, second = client_for(make_user()), client_for(make_user())
    pages = [page_text(first, path), page_text(second, path), page_text(first, path)]
    assert all("Komentar bersama untuk semua" in page for page in pages)
    blocks = [comment_block(page, comment) for page in pages]
    tokens = [set(SESSION_TOKEN.findall(block)) for block in blocks]
    assert all(len(found) == 1 for found in tokens)  # the "I agree" form, with the reader's token
    assert tokens[0] == tokens[2] != tokens[1]
    assert set(SESSION_TOKEN.findall(pages[1])) == tokens[1]  # nothing of the first reader's on the second's page
    kept = _kept(app)
    assert any("Komentar bersama untuk semua" in piece for piece in kept)
    assert not any(SESSION_TOKEN.search(piece) for piece in kept)  # kept with the token cut out
    assert not any(token in piece for piece in kept for found in tokens for token in found)


def test_an_own_pending_comment_shows_only_to_its_author(app, policy, make_user, contribute, client_for):
    path = f"/policies/{policy.slug}"
    author, reader = make_user(), make_user()
    as_author, as_reader = client_for(author), client_for(reader)
    page_text(as_author, path), page_text(as_reader, path)  # both pages rendered and their pieces kept
    pending = contribute(author, "Komentar saya yang menunggu", kind="comment", article_key="pasal-1",
                         published=False)
    mine = page_text(as_author, path)
    assert "Komentar saya yang menunggu" in mine
    assert "Waiting for moderation" in comment_block(mine, pending)
    assert "Status and history" in comment_block(mine, pending)
    for _ in range(2):
        assert "Komentar saya yang menunggu" not in page_text(as_reader, path)


def test_agreeing_and_publishing_show_at_once_and_each_reader_sees_their_own_state(
        app, policy, make_user, contribute, client_for, moderator):
    path = f"/policies/{policy.slug}"
    author, agrees, other = make_user(), make_user(), make_user()
    comment = contribute(author, "Komentar untuk disetujui", kind="comment", article_key="pasal-1", published=True)
    as_author, as_agrees, as_other = client_for(author), client_for(agrees), client_for(other)
    for client in (as_author, as_agrees, as_other):
        page_text(client, path)
    comments.endorse(agrees, db.session.get(type(comment), comment.id))
    own, agreed, others = (comment_block(page_text(c, path), comment) for c in (as_author, as_agrees, as_other))
    assert "1 person agrees" in own and "1 person agrees" in agreed and "1 person agrees" in others
    assert "You agree" in agreed and "I agree" not in agreed
    assert "I agree" in others and "You agree" not in others
    assert "I agree" not in own and "Status and history" in own and "Report" not in own
    assert "Report" in others and "Status and history" not in others

    app.config["MODERATION_PREMODERATE_FIRST_N"] = 5
    waiting = contribute(make_user(), "Komentar baru yang disetujui", kind="comment", article_key="pasal-1")
    assert waiting.status == "pending"
    assert "Komentar baru yang disetujui" not in page_text(as_other, path)
    moderation.approve(moderator, db.session.get(Contribution, waiting.id))
    assert "Komentar baru yang disetujui" in page_text(as_other, path)
    moderation.hide(moderator, db.session.get(Contribution, waiting.id), reason="spam")
    assert "Komentar baru yang disetujui" not in page_text(as_other, path)


def test_the_language_switch_gives_the_chosen_language(app, policy, make_user, contribute, client_for):
    contribute(make_user(), "Komentar dua bahasa", kind="comment", article_key="pasal-1", published=True)
    path = f"/policies/{policy.slug}"
    reader = make_user()
    english, indonesian = client_for(reader, lang="en"), client_for(reader, lang="id")
    for _ in range(2):
        assert ">I agree</button>" in page_text(english, path)
        page = page_text(indonesian, path)
        assert ">I agree</button>" not in page and "Komentar dua bahasa" in page


def test_readers_in_threads_each_get_their_own_state(app, policy, make_user, contribute, client_for, at_once):
    author = make_user()
    comment = contribute(author, "Komentar dibaca bersamaan", kind="comment", article_key="pasal-1", published=True)
    readers = [author] + [make_user() for _ in range(3)]
    clients = [client_for(user) for user in readers]
    path = f"/policies/{policy.slug}"
    comment_id = comment.id

    def read(n: int) -> list[tuple[bool, set]]:
        seen = []
        for _ in range(5):
            page = clients[n].get(path).get_data(as_text=True)
            block = re.search(rf'id="c-{comment_id}">.*?</article>', page, re.S).group(0)
            seen.append(("Status and history" in block, set(SESSION_TOKEN.findall(page))))
        return seen

    results = at_once(read, len(clients))
    own_links = [{own for own, _tokens in seen} for seen in results]
    assert own_links[0] == {True} and all(links == {False} for links in own_links[1:])
    tokens = [set().union(*(found for _own, found in seen)) for seen in results]
    assert all(len(found) == 1 for found in tokens)  # each reader only ever saw their own token
    assert len(set().union(*tokens)) == len(clients)


def test_kept_comments_stay_escaped(app, policy, make_user, contribute, client_for):
    for payload in xss_payloads()[:5]:
        contribute(make_user(), f"Komentar {payload}", kind="comment", article_key="pasal-1", published=True)
    reader = client_for(make_user())
    path = f"/policies/{policy.slug}"
    for _ in range(2):  # rendered, then served from the kept pieces
        assert executable_markup(page_text(reader, path)) == []
