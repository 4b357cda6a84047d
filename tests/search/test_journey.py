"""Search as a new user meets it after `make run`: the demo seeded, the index rebuilt by
`flask search rebuild`, then comments posted through the comment form one after another, each
looked up on the search page right after it was posted."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from portal.demo.seed import DEMO_DOMAIN, DEMO_PASSWORD
from portal.extensions import db
from portal.proposals.models import Policy
from portal.search import services


@pytest.fixture
def after_make_run(app, runner):
    """What `make run` leaves on a fresh instance: the demo content and a rebuilt index."""
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    rebuilt = runner.invoke(args=["search", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    checked = runner.invoke(args=["search", "check"])
    assert checked.exit_code == 0, checked.output
    slug = db.session.scalar(select(Policy.slug).where(Policy.status == "open").order_by(Policy.id))
    db.session.remove()
    return slug


@pytest.fixture
def warga(client):
    """The demo citizen, signed in through the login form."""
    response = client.post("/login", data={"email": f"warga@{DEMO_DOMAIN}", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    client._token = None
    return client


def post_comment(client, slug: str, body: str) -> str:
    """Post through the comment form, close the response as a server does once it is sent (which
    runs the after-response indexing), and return the comment's anchor (its place on the draft
    page and on its own page, where search results link)."""
    response = client.post(f"/policies/{slug}/comments", data={"body": body, "stance": "supports"})
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert "#c-" in location
    response.close()
    return location.rsplit("#", 1)[1]


def found_on_search_page(client, words: str) -> list[str]:
    """The anchors of the result links the first search page shows for `words` (its count must agree
    with them)."""
    page = client.get("/search", query_string={"q": words})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    links = [html.unescape(link) for link in re.findall(r'<li class="card">\s*<h2><a href="([^"]+)"', text)]
    shown = re.search(r'<p role="status">(\d+) ', text)
    assert shown is not None, "no result count"
    per_page = client.application.config["SEARCH_PAGE_SIZE"]
    assert min(int(shown.group(1)), per_page) == len(links), "the count differs from the results shown"
    return [link.rsplit("#", 1)[-1] for link in links]


def test_twenty_comments_posted_after_the_make_run_rebuild_are_each_found_right_away(after_make_run, warga):
    for n in range(20):
        word = f"usulan{n:02d}x"
        location = post_comment(warga, after_make_run, f"Usulan {word}: pelatihan **daring** untuk camat.")
        assert found_on_search_page(warga, word) == [location], f"comment {n + 1} was not found"
    # Every one of them is still found afterwards, and the index agrees with the database.
    assert len(found_on_search_page(warga, "usulan")) == 10  # a full first page
    assert services.check().agrees and services.indexing_status().waiting == 0


def test_comments_are_found_after_a_second_rebuild_and_the_ones_before_it_too(after_make_run, warga, runner):
    first = [post_comment(warga, after_make_run, f"Catatan sebelum{n}x tentang formasi.") for n in range(6)]
    rebuilt = runner.invoke(args=["search", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    for n in range(10):
        location = post_comment(warga, after_make_run, f"Catatan sesudah{n}x tentang formasi.")
        assert found_on_search_page(warga, f"sesudah{n}x") == [location]
    for n, location in enumerate(first):
        assert found_on_search_page(warga, f"sebelum{n}x") == [location]
    assert runner.invoke(args=["search", "check"]).exit_code == 0


@pytest.mark.whoosh_only  # a drain held up by Whoosh's write lock
def test_a_failed_update_is_recorded_shown_and_applied_by_the_next_drain(after_make_run, warga, runner):
    from whoosh import index

    backend = services.backend()
    backend.writer_timeout = 0.2
    # A stray writer holds Whoosh's write lock: every update of the index fails meanwhile.
    stray = index.open_dir(str(backend.current_dir())).writer()
    try:
        locations = [post_comment(warga, after_make_run, f"Tertunda{n}x soal jabatan.") for n in range(3)]
        assert found_on_search_page(warga, "tertunda0x") == []
        status = services.indexing_status()
        assert status.waiting == 3 and status.failing and "LockError" in status.last_failure
        checked = runner.invoke(args=["search", "check"])
        assert checked.exit_code == 1 and "failed" in checked.output
    finally:
        stray.cancel()
    drained = runner.invoke(args=["search", "drain"])
    assert drained.exit_code == 0, drained.output
    for n, location in enumerate(locations):
        assert found_on_search_page(warga, f"tertunda{n}x") == [location]
    status = services.indexing_status()
    assert status.waiting == 0 and not status.failing and status.last_failure  # the last failure stays on record
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    # Later posts are found again without any help.
    later = post_comment(warga, after_make_run, "Sesudah pulih soal jabatan.")
    assert found_on_search_page(warga, "pulih") == [later]
