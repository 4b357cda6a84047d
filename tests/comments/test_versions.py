"""Comments carry over to later versions: same article key, marked with the
version they were made on and whether the article changed since; comments on
removed articles are listed apart."""

from __future__ import annotations

from portal.comments import pages, services
from portal.proposals import services as proposals

from tests.comments.conftest import POLICY_V2, section
from tests.conftest import text_of


def test_comments_from_version_1_show_under_the_same_article_of_version_2_marked_as_such(
    english, citizen, member, moderator, policy
):
    changed = services.post_comment(citizen, policy, body="Dua belas bulan terlalu sering.", stance="objects",
                                    article_key="pasal-3")
    unchanged = services.post_comment(member, policy, body="Tujuan sudah jelas.", stance="supports",
                                      article_key="pasal-2")
    removed = services.post_comment(citizen, policy, body="Satu pekerja sosial tidak cukup.",
                                    stance="objects", article_key="pasal-4")
    proposals.add_version(moderator, policy, POLICY_V2, "Pasal 3 diubah, Pasal 4 dihapus.")
    new = services.post_comment(member, policy, body="Dua puluh empat bulan lebih masuk akal.", stance="supports",
                                article_key="pasal-3")

    grouped = services.comments_for_policy(citizen, policy)
    by_id = {view.comment.id: view for views in grouped.values() for view in views}
    assert (by_id[changed.id].made_on, by_id[changed.id].changed_since) == (1, True)
    assert (by_id[unchanged.id].made_on, by_id[unchanged.id].changed_since) == (1, False)
    assert (by_id[new.id].made_on, by_id[new.id].changed_since) == (None, False)

    page = english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    pasal_3 = text_of(section(page, "pasal-3"))
    assert "Dua belas bulan terlalu sering." in pasal_3 and "Dua puluh empat bulan lebih masuk akal." in pasal_3
    assert "Made on version 1" in pasal_3 and "This article has changed since" in pasal_3
    old_block = text_of(section(page, f"c-{changed.id}")[:1500].split("</header>")[0])
    assert "Made on version 1" in old_block and "This article has changed since" in old_block
    new_block = text_of(section(page, f"c-{new.id}")[:1500].split("</header>")[0])
    assert "Made on version" not in new_block and "changed since" not in new_block
    pasal_2 = text_of(section(page, "pasal-2"))
    assert "Tujuan sudah jelas." in pasal_2 and "Made on version 1" in pasal_2
    assert "changed since" not in pasal_2, "an unchanged article carries no 'changed' mark"
    assert "2 comments" in text_of(page[page.index('id="pasal-3-comments"'):page.index("</h4>", page.index('id="pasal-3"'))])

    assert 'id="pasal-4"' not in page
    removed_part = text_of(page[page.index('id="comments-removed"'):])
    assert "Comments on removed articles" in removed_part
    assert "Pasal 4 — Rasio Minimal Removed (1 comment)" in removed_part
    assert "Satu pekerja sosial tidak cukup." not in page, "a removed article's comments are read on its own list"
    listed = english.get(f"/policies/{policy.slug}/articles/pasal-4/comments").get_data(as_text=True)
    assert "Satu pekerja sosial tidak cukup." in text_of(listed) and 'name="body"' not in listed
    assert pages.policy_summary(citizen, policy).removed[0].key == "pasal-4"
    assert removed.article_key == "pasal-4"


def test_a_comment_cannot_target_an_article_the_current_version_removed(citizen, moderator, policy):
    import pytest

    from portal.errors import ValidationError

    proposals.add_version(moderator, policy, POLICY_V2, "Pasal 4 dihapus.")
    with pytest.raises(ValidationError):
        services.post_comment(citizen, policy, body="Tentang Pasal 4.", stance="objects", article_key="pasal-4")


def test_the_version_page_shows_the_text_without_comment_forms(english, citizen, policy):
    services.post_comment(citizen, policy, body="Komentar di halaman utama.", stance="supports",
                          article_key="pasal-1")
    page = english.get(f"/policies/{policy.slug}/versions/1").get_data(as_text=True)
    assert "Komentar di halaman utama." not in page and "Pasal 1" in page
