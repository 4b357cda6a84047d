"""The pages people read most do not grow with what others wrote: the same number of SQL
statements and about the same HTML at 10 and at 1,000 comments (or posts), anonymous and signed in."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.forums import services as forums
from portal.positions.models import Opd, Position

from .bulk import add_comments, add_posts
from .conftest import measure

SMALL, FULL, LARGE = 10, 300, 1_000
SLACK = 6_000  # bytes: larger counts, more page links, longer ids; nothing per comment


@pytest.fixture(autouse=True)
def _short_pages(app):
    """Five comments a page, so that every list is full well before 1,000 comments."""
    app.config["PAGE_SIZE"] = 5


@pytest.fixture
def position(big_policy):
    """A position record linked to the open policy, so its fields take comments."""
    position = Position(code="DINSOS-005", name="Pekerja Sosial Ahli Pertama", opd=Opd(code="DINSOS", name="Dinas Sosial"),
                        position_type="fungsional", grade=8, requirements="S1.", required_count=21, incumbent_count=9)
    db.session.add(position)
    big_policy.positions.append(position)
    db.session.commit()
    return position


def _grow(build, pages: dict, client) -> list[dict]:
    """Measure every page at SMALL, FULL and LARGE items (`build(n)` adds n more)."""
    measured, built = [], 0
    for total in (SMALL, FULL, LARGE):
        build(total - built)
        built = total
        measured.append({name: measure(client, url) for name, url in pages.items()})
    return measured


def _assert_bounded(measured: list[dict], deep: tuple = ()) -> None:
    """Same query count at SMALL and LARGE (at FULL for `deep` pages, empty at SMALL); the HTML once
    every list is full (FULL) grows by less than SLACK up to LARGE."""
    small, full, large = measured
    for name in small:
        assert small[name][0] == full[name][0] == large[name][0] == 200, name
        base = full if name in deep else small
        assert large[name][1] == base[name][1], f"{name}: {base[name][1]} queries, then {large[name][1]} at {LARGE}"
        assert large[name][2] - full[name][2] < SLACK, f"{name}: {full[name][2]} bytes at {FULL}, {large[name][2]} at {LARGE}"


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_policy_page_and_comment_lists_do_not_grow_with_the_comments(
    client, login_as, big_policy, authors, citizen, signed_in
):
    if signed_in:
        login_as(citizen)
    slug = big_policy.slug
    pages = {
        "policy page": f"/policies/{slug}",
        "article list": f"/policies/{slug}/articles/pasal-2/comments",
        "article list, sorted by endorsements, page 2": f"/policies/{slug}/articles/pasal-2/comments?sort=endorsed&page=2",
        "whole policy, filtered": f"/policies/{slug}/comments?stance=objects&group=ngo",
    }
    measured = _grow(lambda n: add_comments(big_policy, authors, n, endorsers=authors[:2]), pages, client)
    _assert_bounded(measured, deep=("article list, sorted by endorsements, page 2",))
    assert measured[-1]["policy page"][2] < 150_000


def test_a_comment_page_does_not_grow_with_the_comments_around_it(client, big_policy, authors):
    first = add_comments(big_policy, authors, SMALL)[0]
    small = measure(client, f"/comments/{first.public_id}")
    add_comments(big_policy, authors, LARGE - SMALL)
    large = measure(client, f"/comments/{first.public_id}")
    assert small[:2] == large[:2] and abs(large[2] - small[2]) < SLACK


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_position_page_does_not_grow_with_its_field_comments(
    client, login_as, big_policy, position, authors, citizen, signed_in
):
    if signed_in:
        login_as(citizen)
    pages = {
        "position page": f"/positions/{position.id}",
        "field list": f"/positions/{position.id}/fields/requirements/comments",
    }
    _assert_bounded(_grow(lambda n: add_comments(big_policy, authors, n, position=position), pages, client))


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_a_thread_page_does_not_grow_with_its_posts(client, login_as, big_policy, authors, citizen, signed_in):
    thread = forums.start_thread(authors[0], forums.policy_category(big_policy), "Diskusi rasio", "Pembuka.")
    if signed_in:
        login_as(citizen)
    pages = {"thread, first page": f"/forum/t/{thread.id}", "thread, page 3": f"/forum/t/{thread.id}?page=3"}
    _assert_bounded(_grow(lambda n: add_posts(thread, authors, n), pages, client), deep=("thread, page 3",))


def test_a_post_with_many_replies_shows_a_few_and_links_to_the_rest(client, big_policy, authors):
    thread = forums.start_thread(authors[0], forums.policy_category(big_policy), "Diskusi rasio", "Pembuka.")
    add_posts(thread, authors, 40)  # every fourth answers the opening post: 10 replies
    opening = thread.posts[0]
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert page.count("Jawaban nomor 3 ") == 1 and "Jawaban nomor 39 " not in page
    assert f"replies_of={opening.id}" in page, "the rest of the replies are a link away"
    listed = client.get(f"/forum/t/{thread.id}?replies_of={opening.id}&page=2").get_data(as_text=True)
    assert "Jawaban nomor 39 " in listed and "Jawaban nomor 0 " not in listed
