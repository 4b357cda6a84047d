"""Without JavaScript, one user starts a forum thread and follows it, another
answers, and the first one reads the answer and is told of it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TITLE = "Bagaimana nasib honorer setelah analisis jabatan?"


def test_a_user_starts_a_thread_and_another_user_answers_it(moderator, app, sign_in, make_user, artifacts):
    from portal.forums import services as forums

    # This journey is about the forum; pre-moderation of new accounts has its own journey.
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 0
    forums.create_category(moderator, "Diskusi Umum", "Tanya jawab seputar manajemen jabatan ASN.")
    asker = make_user(display_name="Rudi Warga")
    answerer = make_user(display_name="Dewi Warga")

    # The asker finds the category from the header and starts a thread.
    page = sign_in(asker)
    page.locator("header").get_by_role("link", name="Forum").click()
    page.get_by_role("link", name="Diskusi Umum").click()
    page.get_by_role("link", name="Start a thread").click()
    form = page.locator("main form.form")
    form.get_by_label("Title").fill(TITLE)
    form.get_by_label("Your post").fill("Apakah tenaga *honorer* ikut dihitung dalam kebutuhan jabatan?")
    form.get_by_role("button", name="Publish thread").click()
    page.wait_for_url(re.compile(r"/forum/t/\d+"))
    thread_url = page.url
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("main .alert--success")).to_contain_text("is published")
    expect(page.locator("article.post")).to_have_count(1)
    expect(page.locator("article.post em")).to_have_text("honorer")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()

    # Another user finds the thread in the category and answers it.
    other = sign_in(answerer)
    other.locator("header").get_by_role("link", name="Forum").click()
    expect(other.locator("main table")).to_contain_text("Diskusi Umum")
    other.get_by_role("link", name="Diskusi Umum").click()
    other.get_by_role("link", name=TITLE).click()
    form = other.locator("#reply form")
    form.get_by_label("Your answer").fill("Ya, menurut Pasal 2 rancangan, honorer didata terpisah.")
    form.get_by_role("button", name="Publish answer").click()
    other.wait_for_url(re.compile(r"/forum/t/\d+.*#post-\d+$"))
    answer_id = other.url.rsplit("#", 1)[1]
    expect(other.locator(f"article#{answer_id}")).to_contain_text("Dewi Warga")
    expect(other.locator(f"article#{answer_id}")).to_contain_text("honorer didata terpisah")

    # The asker reloads the thread: two posts, the answer after the question; and is told of it.
    page.goto(thread_url)
    posts = page.locator("article.post")
    expect(posts).to_have_count(2)
    expect(posts.nth(0)).to_contain_text("Rudi Warga")
    expect(posts.nth(1)).to_contain_text("honorer didata terpisah")
    notifications = page.locator("header").get_by_role("link", name=re.compile(r"^Notifications"))
    expect(notifications).to_contain_text("1 unread")
    page.screenshot(path=str(artifacts / "e2e-forum-thread.png"), full_page=True)
    other.goto("/forum/")
    expect(other.locator("main table tbody tr", has_text="Diskusi Umum").locator("td.num").nth(1)).to_have_text("2")
