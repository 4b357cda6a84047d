"""Citizens without JavaScript comment on Pasal 2 of an open draft: a new account's
comment waits for a moderator, a regular's is published and counted at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import JOURNEY_POLICY
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def _comment_on_pasal_2(page, slug: str, stance: str, body: str, wording: str = "") -> None:
    """Open the policy page, follow "Comment on Pasal 2" to the article's comment page and send its form."""
    page.goto(f"/policies/{slug}")
    page.locator("section#pasal-2").get_by_role("link", name="Comment on Pasal 2").click()
    page.wait_for_url(re.compile(rf"/policies/{slug}/articles/pasal-2/comments#comment-form$"))
    form = page.locator("#comment-form form")
    form.get_by_label(stance, exact=True).check()
    form.get_by_label("Your comment").fill(body)
    if wording:
        form.get_by_label("Suggested wording (optional)").fill(wording)
    form.get_by_role("button", name="Send comment").click()
    page.wait_for_url(re.compile(rf"/policies/{slug}#c-\d+$"))


def test_citizens_comment_on_pasal_2_and_published_comments_are_counted(
    moderator, sign_in, visitor, make_user, make_policy, artifacts
):
    from portal.comments import services as comments
    from portal.moderation import services as moderation

    policy = make_policy(by=moderator, **JOURNEY_POLICY)
    newcomer = make_user(display_name="Warga Baru")
    regular = make_user(display_name="Warga Aktif")
    # The regular already has two published comments, so is no longer pre-moderated.
    for text in ("Pengertian jabatan sudah jelas.", "Mohon ringkasan dalam bahasa sederhana."):
        earlier = comments.post_comment(regular, policy, body=text, stance="supports", article_key="pasal-1")
        moderation.approve(moderator, earlier)

    # A new account forgets the stance: the article's comment page comes back with an error summary
    # at the top of the form, focused, linking to the field, and the typed text kept.
    page = sign_in(newcomer)
    page.goto(f"/policies/{policy.slug}/articles/pasal-2/comments")
    form = page.locator("#comment-form form")
    form.get_by_label("Your comment").fill("Teks yang tidak boleh hilang.")
    form.get_by_role("button", name="Send comment").click()
    summary = page.locator("#comment-form .error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("link")).to_contain_text("Choose whether you support")
    expect(page.locator("#comment-form textarea[name=body]")).to_have_value("Teks yang tidak boleh hilang.")
    page.screenshot(path=str(artifacts / "e2e-comment-failed.png"), full_page=False)
    summary.get_by_role("link").click()
    expect(page.locator("#comment-stance-supports")).to_be_focused()

    # It comments properly: the comment is kept, and waits for a moderator.
    _comment_on_pasal_2(page, policy.slug, "Objects", "Sekali setahun terlalu jarang untuk pegawai baru.")
    expect(page.locator("main .alert--info")).to_contain_text("waits for a moderator")
    own = page.locator("section#pasal-2 article.comment")
    expect(own).to_have_count(1)
    expect(own).to_contain_text("Sekali setahun terlalu jarang")
    expect(own).to_contain_text("Waiting for moderation")
    page.screenshot(path=str(artifacts / "e2e-comment-pending.png"), full_page=True)

    # Others do not see it yet: Pasal 2 has no comment for them.
    reader = visitor(f"/policies/{policy.slug}")
    expect(reader.locator("section#pasal-2-comments h4")).to_have_text("0 comments")
    expect(reader.locator("section#pasal-2")).not_to_contain_text("Sekali setahun terlalu jarang")

    # A regular comments with a stance and a suggested wording: published at once.
    page = sign_in(regular)
    _comment_on_pasal_2(
        page, policy.slug, "Suggests a change", "Pelatihan sebaiknya dua kali setahun.",
        wording="Setiap pegawai wajib mengikuti pelatihan paling sedikit dua kali setahun.",
    )
    expect(page.locator("main .alert--success")).to_contain_text("is published")
    fragment = page.url.rsplit("#", 1)[1]
    comment = page.locator(f"section#pasal-2 article#{fragment}")
    expect(comment).to_contain_text("Pelatihan sebaiknya dua kali setahun.")
    expect(comment).to_contain_text("Suggests a change")
    expect(comment).to_contain_text("paling sedikit dua kali setahun")

    # The reader reloads: the comment is under Pasal 2, counted there and in the contents.
    reader.reload()
    expect(reader.locator("section#pasal-2-comments h4")).to_have_text("1 comment")
    expect(reader.locator(".policy-toc a[href='#pasal-2'] + .muted")).to_have_text("(1 comment)")
    under_pasal_2 = reader.locator("section#pasal-2 article.comment")
    expect(under_pasal_2).to_have_count(1)
    expect(under_pasal_2).to_contain_text("Warga Aktif")
    expect(under_pasal_2).to_contain_text("Pelatihan sebaiknya dua kali setahun.")
    expect(reader.locator("section#pasal-1-comments h4")).to_have_text("2 comments")
    reader.locator(f"#{fragment}").scroll_into_view_if_needed()
    reader.screenshot(path=str(artifacts / "e2e-comment-published.png"), full_page=True)

    # Signing in from Pasal 2 brings the reader back to Pasal 2's comment form.
    reader.locator("section#pasal-2").get_by_role("link", name="Sign in to comment on Pasal 2").click()
    form = reader.locator("main form.form")
    form.get_by_label("Email").fill(newcomer.email)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    reader.wait_for_url(re.compile(rf"/policies/{policy.slug}/articles/pasal-2/comments#comment-form$"))
    expect(reader.locator("#comment-form form")).to_be_visible()


def test_the_language_switch_and_sign_in_keep_the_article_being_read(new_page, make_user, make_policy, moderator):
    """With JavaScript on, the fragment (#pasal-2) rides along in `next`."""
    policy = make_policy(by=moderator, **JOURNEY_POLICY)
    reader = make_user(display_name="Warga Pembaca")
    page = new_page(java_script_enabled=True)
    page.goto(f"/policies/{policy.slug}#pasal-2")
    page.locator('form.lang button[value="en"]').click()
    page.wait_for_url(re.compile(rf"/policies/{policy.slug}#pasal-2$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("header").get_by_role("link", name="Sign in").click()
    form = page.locator("main form.form")
    form.get_by_label("Email").fill(reader.email)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/policies/{policy.slug}#pasal-2$"))
