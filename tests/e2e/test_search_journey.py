"""A visitor without JavaScript searches "latihan", finds comments saying
"pelatihan" and "dilatih" highlighted, narrows by author group and follows a
result to the comment's exact place on the policy page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import JOURNEY_POLICY

pytestmark = [pytest.mark.e2e, pytest.mark.every_search_backend]


def test_a_visitor_finds_stemmed_words_narrows_by_group_and_lands_on_the_comment(
    moderator, member, app, visitor, make_user, make_policy, artifacts
):
    from portal.comments import services as comments
    from portal.search import services as search

    app.config["MODERATION_PREMODERATE_FIRST_N"] = 0
    citizen = make_user(display_name="Warga Medan")
    policy = make_policy(by=moderator, **JOURNEY_POLICY)
    by_citizen = comments.post_comment(
        citizen, policy, body="Pegawai baru harus dilatih sebelum menjabat.", stance="supports",
        article_key="pasal-2",
    )
    by_member = comments.post_comment(
        member, policy, body="Program pelatihan perlu anggaran tersendiri.", stance="suggests_change",
        article_key="pasal-2",
    )
    comments.post_comment(citizen, policy, body="Biaya dibebankan pada APBD.", stance="objects", article_key="pasal-3")
    # On Whoosh the index is written from the outbox; apply it now so the test does not race the inline
    # indexer (on postgres it was written with each comment, and nothing waits).
    report = search.drain()
    assert not report.skipped and (report.rows > 0 or app.config["SEARCH_BACKEND"] == "postgres")

    # The visitor searches from the box in the header.
    page = visitor("/")
    header_search = page.locator("header form.site-search")
    header_search.get_by_role("searchbox", name="Search").fill("latihan")
    header_search.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search\?q=latihan"))
    results = page.locator("ol.search__results > li")
    marks = page.locator("ol.search__results mark")
    expect(marks.first).to_be_visible()
    marked = {text.lower() for text in marks.all_inner_texts()}
    assert {"pelatihan", "dilatih"} <= marked, marked
    expect(results.filter(has_text="Pegawai baru harus dilatih")).to_have_count(1)
    expect(results.filter(has_text="Program pelatihan perlu anggaran")).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("Biaya dibebankan pada APBD")
    total_before = results.count()

    # Narrowing by the NGO facet leaves the member's comment only.
    facets = page.locator("details.search__facets")
    expect(facets.get_by_role("link", name="NGO (LSM)")).to_be_visible()
    facets.get_by_role("link", name="NGO (LSM)").click()
    page.wait_for_url(re.compile(r"group=ngo"))
    expect(facets.get_by_role("link", name=re.compile("NGO \\(LSM\\)"))).to_have_attribute("aria-current", "true")
    expect(page.locator("main [role=status]")).to_have_text("1 result")
    expect(results).to_have_count(1)
    assert total_before > 1
    result = results.first
    expect(result).to_contain_text("Program pelatihan perlu anggaran")
    expect(result).to_contain_text("Pasal 2")
    expect(result).to_contain_text("NGO (LSM)")
    expect(result.locator("mark")).to_have_text(re.compile("pelatihan", re.I))
    page.screenshot(path=str(artifacts / "e2e-search-results.png"), full_page=True)

    # The result leads to the comment's own page (always there, however many comments the policy has),
    # which links back to Pasal 2's comments.
    result.locator("h2 a").click()
    anchor = f"c-{by_member.id}"
    page.wait_for_url(re.compile(rf"/comments/{by_member.public_id}#{anchor}$"))
    target = page.locator(f"article#{anchor}")
    expect(target).to_have_count(1)
    expect(target).to_contain_text("Program pelatihan perlu anggaran tersendiri.")
    page.get_by_role("link", name="All comments here").click()
    page.wait_for_url(re.compile(rf"/policies/{policy.slug}/articles/pasal-2/comments$"))
    expect(page.locator(f"article#c-{by_citizen.id}")).to_contain_text("dilatih")
    page.screenshot(path=str(artifacts / "e2e-search-landed.png"), full_page=True)
