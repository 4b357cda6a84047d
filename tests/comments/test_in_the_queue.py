"""A comment waiting in the moderation queue says which article it is on."""

from __future__ import annotations

from portal.comments import services as comments
from tests.conftest import text_of


def test_the_queue_names_the_article_a_waiting_comment_is_on(app, make_user, policy, moderator, sign_in, english):
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 5
    newcomer = make_user()
    comments.post_comment(newcomer, policy, body="Data kecamatan harus terbuka.", stance="supports", article_key="pasal-3")
    comments.post_comment(newcomer, policy, body="Rancangan ini baik.", stance="supports")
    sign_in(moderator)
    page = text_of(english.get("/moderation/").get_data(as_text=True))
    assert "Article Pasal 3 — Sumber Data" in page
    assert "Article The policy as a whole" in page
