"""The search page: highlights, links to the exact place, facets, suggestions and bad input."""

from __future__ import annotations

import re

import pytest

from tests.search.conftest import TRAINING


@pytest.fixture
def policy(make_policy, drain):
    policy = make_policy(**TRAINING)
    drain()
    return policy


def _page(client, **params) -> str:
    response = client.get("/search", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_stemmed_match_is_highlighted_and_links_to_the_article(client, policy):
    html = _page(client, q="dilatih")
    assert "<mark>pelatihan</mark>" in html
    assert f'href="/policies/{policy.slug}#pasal-2"' in html


def test_a_comment_links_to_its_anchor_and_names_its_article(client, policy, citizen, drain):
    from portal.comments import services as comments

    comment = comments.post_comment(citizen, policy, body="Pelatihan sebaiknya daring.", stance="supports",
                                    article_key="pasal-2")
    drain()
    html = _page(client, q="daring")
    assert f"#c-{comment.id}" in html
    assert "Pasal 2" in html


def test_facets_count_and_filter(english, policy, citizen, contribute, drain):
    client = english
    contribute(citizen, "Pelatihan camat perlu anggaran.", on=policy)
    drain()
    everything = _page(client, q="pelatihan")
    counts = dict(re.findall(r'>(?:&#10003; )?([^<>]+)</a> <span class="muted">\((\d+)\)', everything))
    # The policy itself, its preamble and Pasal 2, and the contribution on it.
    assert counts[policy.title] == "4" and counts["Article (Pasal)"] == "2"
    only_articles = _page(client, q="pelatihan", kind="article")
    assert "camat perlu anggaran" in everything
    assert "camat perlu anggaran" not in only_articles and "<mark>" in only_articles
    assert 'aria-current="true"' in only_articles


def test_sort_by_date_and_paging(app, client, citizen, contribute, drain):
    app.config["SEARCH_PAGE_SIZE"] = 2
    for n in range(5):
        contribute(citizen, f"Usulan formasi nomor {n} untuk kecamatan.")
    drain()
    html = _page(client, q="formasi", sort="date")
    assert html.index("nomor 4") < html.index("nomor 3")
    assert 'rel="next"' in html
    assert "nomor 0" in _page(client, q="formasi", sort="date", page=3)


def test_user_text_is_escaped_around_the_highlights(client, citizen, contribute, drain):
    contribute(citizen, '<script>alert(1)</script><img src=x onerror=alert(2)> pelatihan "kutip" & co')
    drain()
    html = _page(client, q="pelatihan")
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(2)&gt; <mark>pelatihan</mark> &#34;kutip&#34; &amp; co" in html


def test_a_misspelled_word_gets_a_did_you_mean(client, policy):
    html = _page(client, q="kepemimpinna")
    assert "kepemimpinan" in html and "search?q=kepemimpinan" in html


def test_a_word_found_through_its_stem_gets_no_did_you_mean(client, policy, drain):
    drain()
    html = _page(client, q="latihan", kind="article")  # articles say "pelatihan": same stem, two edits apart
    assert "<mark>" in html and "search?q=pelatihan" not in html


@pytest.mark.parametrize("query", [
    "x" * 10_000, "yang dan di", "!!! ??? ... ---", '"pelatihan pegawai', "(pelatihan OR", "pelatihan)",
    "author:x", "*asi", "pel*", "status:hidden", "NOT", "AND OR NOT", "a^5", "[1 TO 5]", "'", "\x00", "*:*",
])
def test_awkward_queries_answer_with_a_page(client, policy, query):
    response = client.get("/search", query_string={"q": query})
    # 400 only for a NUL byte, which the portal refuses in any request.
    assert response.status_code in (200, 400) and "<h1>" in response.get_data(as_text=True)


def test_field_syntax_does_not_reveal_hidden_items(client, citizen, contribute, drain):
    contribute(citizen, "Rahasia tersembunyi.", status="hidden")
    drain()
    assert "Rahasia" not in _page(client, q="status:hidden rahasia")


def test_every_naughty_string_answers_with_a_page(client, policy, blns):
    for text in blns:
        response = client.get("/search", query_string={"q": text, "kind": text, "policy": text, "since": text,
                                                       "from": text, "page": text, "sort": text})
        assert response.status_code in (200, 400), text


def test_the_header_has_a_search_box_on_every_page(client):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/search"' in html and 'name="q"' in html



def test_snippets_show_the_words_of_markdown_not_its_syntax(client, policy, citizen, drain):
    from portal.comments import services as comments

    comments.post_comment(citizen, policy, stance="supports", body=(
        "Pelatihan **wajib daring** untuk _semua_ camat, lihat [Perwal 12](https://contoh.go.id/perwal).\n\n"
        "- jadwal `tetap`\n- ~~lama~~"))
    drain()
    html = _page(client, q="daring")  # a word written in **bold** is found too
    card = html[html.index('<ol class="cards search__results">'):html.index("</ol>")]
    assert "wajib <mark>daring</mark> untuk semua camat, lihat Perwal 12" in card
    for syntax in ("**", "_semua_", "](", "https://contoh", "`", "~~", "- jadwal"):
        assert syntax not in card
    # Found by a word that only the Markdown's words hold, the snippet is shown the same way.
    assert "<mark>jadwal</mark> tetap" in _page(client, q="jadwal")
