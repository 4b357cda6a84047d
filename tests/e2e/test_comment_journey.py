"""Citizens without JavaScript comment on Pasal 2 of an open draft: a new account's
comment waits for a moderator, a regular's is published and counted at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _comment_on_pasal_2(page, slug: str, stance: str, body: str, wording: str = "") -> None:
    """Open the policy page, unfold "Comment on Pasal 2" and send the form."""
    page.goto(f"/policies/{slug}")
    article = page.locator("section#pasal-2")
    article.locator("summary", has_text="Comment on Pasal 2").click()
    form = article.locator("#form-article-pasal-2 form")
    form.get_by_label(stance, exact=True).check()
    form.get_by_label("Your comment").fill(body)
    if wording:
        form.get_by_label("Suggested wording (optional)").fill(wording)
    form.get_by_role("button", name="Send comment").click()
    page.wait_for_url(re.compile(rf"/policies/{slug}#c-\d+$"))


def test_citizens_comment_on_pasal_2_and_published_comments_are_counted(
    sign_in, visitor, make_user, open_policy, artifacts
):
    from portal.comments import services as comments
    from portal.moderation import services as moderation

    moderator = make_user(role="moderator", display_name="Moderator BKPSDM")
    policy = open_policy(moderator)
    newcomer = make_user(display_name="Warga Baru")
    regular = make_user(display_name="Warga Aktif")
    # The regular already has two published comments, so is no longer pre-moderated.
    for text in ("Pengertian jabatan sudah jelas.", "Mohon ringkasan dalam bahasa sederhana."):
        earlier = comments.post_comment(regular, policy, body=text, stance="supports", article_key="pasal-1")
        moderation.approve(moderator, earlier)

    # A new account comments: it is kept, and waits for a moderator.
    page = sign_in(newcomer)
    _comment_on_pasal_2(page, policy.slug, "Objects", "Sekali setahun terlalu jarang untuk pegawai baru.")
    expect(page.locator("main .alert--info")).to_contain_text("waits for a moderator")
    own = page.locator("section#pasal-2 article.comment")
    expect(own).to_have_count(1)
    expect(own).to_contain_text("Sekali setahun terlalu jarang")
    expect(own).to_contain_text("Waiting for moderation")
    page.screenshot(path=str(artifacts / "e2e-comment-pending.png"), full_page=True)

    # Others do not see it yet: Pasal 2 has no comment for them.
    reader = visitor(f"/policies/{policy.slug}")
    expect(reader.locator("section#pasal-2 h3 .count")).to_have_count(0)  # nothing shown for zero
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

    # The reader reloads: the comment is under Pasal 2, counted in its heading and the contents.
    reader.reload()
    expect(reader.locator("section#pasal-2 h3 .count")).to_have_text("1 comment")
    expect(reader.locator(".policy-toc a[href='#pasal-2'] + .count")).to_have_text("1 comment")
    under_pasal_2 = reader.locator("section#pasal-2 article.comment")
    expect(under_pasal_2).to_have_count(1)
    expect(under_pasal_2).to_contain_text("Warga Aktif")
    expect(under_pasal_2).to_contain_text("Pelatihan sebaiknya dua kali setahun.")
    expect(reader.locator("section#pasal-1 h3 .count")).to_have_text("2 comments")
    # How to comment is said once, not under each of the three articles.
    expect(reader.get_by_role("link", name="Sign in to comment.")).to_have_count(1)
    reader.locator(f"#{fragment}").scroll_into_view_if_needed()
    reader.screenshot(path=str(artifacts / "e2e-comment-published.png"), full_page=True)
