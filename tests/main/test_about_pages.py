"""The pages about the portal itself, reachable from every page's header and footer."""

from __future__ import annotations

import pytest

ABOUT = ["/help", "/accessibility", "/terms", "/privacy"]


@pytest.mark.parametrize("path", ABOUT)
def test_each_about_page_is_linked_from_the_footer_of_every_page(client, path):
    page = client.get(path)
    assert page.status_code == 200
    home = client.get("/").get_data(as_text=True)
    footer = home[home.index('<footer class="site-footer">'):]
    assert f'href="{path}"' in footer


def test_the_header_says_it_is_the_city_governments_official_site(client):
    page = client.get("/").get_data(as_text=True)
    header = page[:page.index('<main')]
    assert "Situs resmi Pemerintah Kota Medan" in header
    footer = page[page.index('<footer'):]
    assert "BKPSDM Kota Medan" in footer and "mailto:partisipasi@medan.go.id" in footer


def test_the_help_page_explains_the_terms_a_newcomer_meets(client):
    page = client.get("/help").get_data(as_text=True)
    assert 'id="istilah"' in page
    for term in ("BAB", "Pasal", "Jabatan", "OPD"):
        assert f'<dt lang="id">{term}</dt>' in page


def test_the_about_pages_read_in_english_too(english):
    assert "How to take part" in english.get("/help").get_data(as_text=True)
    assert "Accessibility statement" in english.get("/accessibility").get_data(as_text=True)
    assert "Terms of use" in english.get("/terms").get_data(as_text=True)
