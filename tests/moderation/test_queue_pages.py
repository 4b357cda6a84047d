"""The moderation queue page: paged, filtered and counted, in the same number
of queries and the same size of page however long the queue is."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from portal.extensions import db, utcnow
from portal.contributions import services as contributions
from portal.moderation import services
from portal.contributions.models import Contribution


@pytest.fixture
def mod_client(client_for, moderator):
    """The moderator's browser, in English."""
    return client_for(moderator)


@pytest.fixture
def fill(app, make_user, trusted, moderator):
    """Factory: fill(n) puts n items in the queue, the same mix of reasons whatever n, oldest first."""
    newcomers = [make_user() for _ in range(4)]
    reader = make_user()
    start = utcnow() - timedelta(days=30)

    def factory(n: int) -> list[Contribution]:
        made = []
        for i in range(n):
            if i % 5 == 3:
                c = Contribution(body=f"Usulan nomor {i} ditulis oleh bangsat.")  # the word filter
                contributions.admit(trusted, c)
            elif i % 5 == 4:
                c = Contribution(body=f"Kritik nomor {i} terhadap pasal 5.")
                contributions.admit(trusted, c)
            else:
                c = Contribution(body=f"Usulan nomor {i} tentang kebutuhan pegawai kecamatan.")
                contributions.admit(newcomers[i % 4], c)
            c.created_at = start + timedelta(minutes=i)
            made.append(c)
        db.session.commit()
        for i, c in enumerate(made):
            if i % 10 == 4:
                contributions.flag(reader, c, "abuse")
            elif i % 10 == 9:
                services.hide(moderator, c, "off_topic")
                contributions.appeal(trusted, c, "Ini relevan dengan Pasal 5.")
        return made

    return factory


def _text(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _shown(response) -> list[str]:
    return re.findall(r'<article class="card" id="item-([A-Z]+-\d{4}-\d{6})"', response.get_data(as_text=True))


def _queries(client, url: str) -> tuple[int, object]:
    count = 0

    def counted(*_args, **_kwargs):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count, response


def test_a_page_costs_the_same_queries_and_size_with_10_or_500_items_waiting(app, fill, mod_client):
    fill(10)
    small_queries, small = _queries(mod_client, "/moderation/")
    assert small.status_code == 200 and len(_shown(small)) == 10
    fill(90)
    _, hundred = _queries(mod_client, "/moderation/")
    fill(400)
    big_queries, big = _queries(mod_client, "/moderation/")
    assert big.status_code == 200
    assert len(_shown(big)) == 20
    assert big_queries == small_queries
    assert len(big.get_data()) <= len(hundred.get_data()) * 1.01  # 5 pages or 25: the same page
    assert "1–20 of 500 waiting" in _text(big)
    for url in ("/moderation/?page=25", "/moderation/?reason=flagged&order=newest", "/moderation/?kind=comment"):
        assert _queries(mod_client, url)[0] <= small_queries


def test_pages_follow_the_waiting_order_and_keep_the_filters(app, fill, mod_client):
    made = fill(45)
    waiting = [c for c in made if c.status == "pending"]  # sent in order, so waiting since in order
    first = mod_client.get("/moderation/?reason=premoderation")
    premoderated = [c.public_id for c in waiting if c.events[0].reason == "new_account"]
    assert _shown(first) == premoderated[:20]
    html = first.get_data(as_text=True)
    assert 'href="/moderation/?reason=premoderation&amp;page=2"' in html
    second = mod_client.get("/moderation/?reason=premoderation&page=2")
    assert _shown(second) == premoderated[20:40]
    newest = mod_client.get("/moderation/?reason=premoderation&order=newest")
    assert _shown(newest) == list(reversed(premoderated))[:20]
    assert 'href="/moderation/?reason=premoderation&amp;order=newest&amp;page=2"' in newest.get_data(as_text=True)


def test_each_filter_shows_its_items_and_every_option_says_how_many(app, fill, mod_client):
    made = fill(40)
    counts = {
        "word_filter": sum(1 for c in made if c.status == "pending" and c.events[0].reason == "word_filter"),
        "premoderation": sum(1 for c in made if c.status == "pending" and c.events[0].reason == "new_account"),
        "flagged": sum(1 for c in made if c.status == "published" and c.open_flags),
        "appealed": sum(1 for c in made if c.status == "hidden"),
    }
    assert all(counts.values()) and sum(counts.values()) == 40
    page = _text(mod_client.get("/moderation/"))
    assert "All reasons (40)" in page
    assert f"Word filter ({counts['word_filter']})" in page
    assert f"New account (pre-moderation) ({counts['premoderation']})" in page
    assert f"Reported ({counts['flagged']})" in page and f"Appealed ({counts['appealed']})" in page
    assert "Comment (0)" in page and "Forum post (0)" in page
    for reason, n in counts.items():
        response = mod_client.get(f"/moderation/?reason={reason}")
        assert response.status_code == 200
        assert len(_shown(response)) == min(n, 20)
    flagged = _text(mod_client.get("/moderation/?reason=flagged"))
    assert "Reported" in flagged and "Appealed ( " not in flagged
    empty = mod_client.get("/moderation/?kind=post")
    assert _shown(empty) == [] and "Nothing waits with these filters." in _text(empty)


@pytest.mark.parametrize(
    "query",
    ["kind=essay", "kind=contribution", "reason=bored", "order=sideways", "policy=abc", "policy=%E2%82%81",
     "page=0", "page=-1", "page=abc", "page=%C2%B2", "page=99999999999999999999999", "policy=99999999999999999999"],
)
def test_bad_filter_values_answer_400(app, fill, mod_client, query):
    fill(3)
    response = mod_client.get(f"/moderation/?{query}")
    assert response.status_code == 400
    assert "Moderation queue" not in _text(response)


def test_a_page_past_the_last_answers_404_and_an_empty_queue_has_page_1(app, fill, mod_client):
    assert mod_client.get("/moderation/").status_code == 200
    assert "Nothing is waiting" in _text(mod_client.get("/moderation/?page=1"))
    assert mod_client.get("/moderation/?page=2").status_code == 404
    fill(21)
    assert mod_client.get("/moderation/?page=2").status_code == 200
    response = mod_client.get("/moderation/?page=3")
    assert response.status_code == 404 and "The queue has no page 3." in _text(response)


def test_an_author_who_has_published_since_is_not_called_a_new_account(app, contribute, make_user, moderator, mod_client):
    """Sent as a newcomer's first contributions; once two are approved the third is no "new account"'s."""
    author = make_user()
    first, second, third = (contribute(author, f"Usulan {n} tentang formasi guru.") for n in range(3))
    assert [c.status for c in (first, second, third)] == ["pending"] * 3
    newcomer_label = "New accounts' first contributions are reviewed before they appear."
    assert _text(mod_client.get("/moderation/")).count(newcomer_label) == 3
    services.approve(moderator, first)
    services.approve(moderator, second)
    page = _text(mod_client.get("/moderation/"))
    assert newcomer_label not in page
    assert "Sent while the account was new; the author has 2 published contributions now." in page
    assert "2 published, 0 hidden, 1 waiting, 0 withdrawn" in page


def test_the_demo_queue_tells_why_each_item_waits(app, runner, mod_client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    response = mod_client.get("/moderation/")
    page = _text(response)
    assert "published contributions now" in page  # the citizen with published comments
    for kind in ("comment", "submission", "post"):
        assert mod_client.get(f"/moderation/?kind={kind}").status_code == 200
    options = re.findall(r'<option value="(\d+)" >[^<]*\((\d+)\)</option>', response.get_data(as_text=True))
    assert options, "the demo's waiting comments are on policies"
    for policy_id, count in options:
        assert len(_shown(mod_client.get(f"/moderation/?policy={policy_id}"))) == int(count)
