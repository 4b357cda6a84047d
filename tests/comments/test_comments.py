"""Commenting on a draft policy: under an article or on the whole policy, with a
stance and suggested wording, replies one level deep, "I agree", counts."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.comments import services
from portal.comments.models import Comment, Endorsement
from portal.errors import Conflict, PermissionDenied, ValidationError
from portal.extensions import db

from tests.comments.conftest import section
from tests.conftest import text_of


def test_a_comment_on_an_article_shows_under_it_and_is_counted_in_its_heading_and_the_contents(
    english, sign_in, citizen, policy
):
    sign_in(citizen)
    response = english.post(
        f"/policies/{policy.slug}/comments",
        data={"article_key": "pasal-3", "stance": "objects", "body": "Data kependudukan saja tidak cukup."},
    )
    comment = db.session.scalar(select(Comment))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/policies/{policy.slug}#c-{comment.id}")
    page = english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "Data kependudukan saja tidak cukup." in text_of(section(page, "pasal-3"))
    assert "Data kependudukan saja tidak cukup." not in text_of(section(page, "pasal-2"))
    heading = page[page.index('id="pasal-3-comments"'):page.index("</h4>", page.index('id="pasal-3-comments"'))]
    assert "1 comment" in text_of(heading)
    contents = page[page.index('id="toc-title"'):page.index("</nav>", page.index('id="toc-title"'))]
    assert "Pasal 3 — Sumber Data (1 comment)" in text_of(contents)
    assert "Pasal 2 — Tujuan Pasal 3" in text_of(contents), "an article without comments carries no count"
    assert comment.public_id.startswith("KMT-")
    assert comment.version_id == policy.current_version.id and comment.article_key == "pasal-3"


def test_a_comment_on_the_whole_policy_with_stance_and_suggested_wording(english, sign_in, member, policy):
    sign_in(member)
    english.post(
        f"/policies/{policy.slug}/comments",
        data={"stance": "suggests_change", "body": "Tambahkan data pengaduan.",
              "suggested_wording": "Penghitungan memakai data kependudukan dan pengaduan."},
    )
    comment = db.session.scalar(select(Comment))
    assert comment.article_key is None and comment.stance == "suggests_change"
    assert comment.suggested_wording == "Penghitungan memakai data kependudukan dan pengaduan."
    page = english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    whole = text_of(page[page.index('id="comments"'):])
    assert "Tambahkan data pengaduan." in whole
    assert "Suggests a change" in whole
    assert "Suggested wording: Penghitungan memakai data kependudukan dan pengaduan." in whole
    assert "LBH Medan" in whole, "the verified organisation is shown with the author"


def test_stance_is_required_and_the_page_keeps_the_typed_text_with_a_400(english, sign_in, citizen, policy):
    sign_in(citizen)
    response = english.post(
        f"/policies/{policy.slug}/comments",
        data={"article_key": "pasal-2", "body": "Teks yang saya ketik dengan susah payah.",
              "suggested_wording": "Usulan rumusan saya."},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    form = page[page.index('id="comment-form"'):]
    form = form[:form.index("</form>")]
    assert "Teks yang saya ketik dengan susah payah." in form and "Usulan rumusan saya." in form
    assert "Choose whether you support, object to or suggest a change." in text_of(form)
    assert 'name="article_key" value="pasal-2"' in form, "the page shown is the article's own comment page"
    summary = form[form.index('class="error-summary"'):form.index("</div>", form.index('class="error-summary"'))]
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary and "autofocus" in summary
    assert 'href="#comment-stance-supports"' in summary, "the summary links to the field to correct"
    assert page.count("<form method=\"post\" action=\"/policies/") == 1, "one comment form on the page"
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_an_unknown_article_is_refused(citizen, policy):
    with pytest.raises(ValidationError) as refused:
        services.post_comment(citizen, policy, body="Isi.", stance="supports", article_key="pasal-99")
    assert refused.value.field == "article_key"


def test_replies_stay_one_level_deep(english, sign_in, citizen, member, policy):
    top = services.post_comment(citizen, policy, body="Setuju rasio ini.", stance="supports", article_key="pasal-4")
    reply = services.post_comment(member, policy, body="Rasio perlu data.", stance=None, parent=top)
    reply_to_reply = services.post_comment(citizen, policy, body="Data ada di BPS.", stance=None, parent=reply)
    assert reply.parent_id == top.id and reply.article_key == "pasal-4"
    assert reply_to_reply.parent_id == top.id, "a reply to a reply attaches to the top-level comment"
    grouped = services.comments_for_policy(citizen, policy)
    assert [v.comment.id for v in grouped["pasal-4"]] == [top.id]
    assert [v.comment.id for v in grouped["pasal-4"][0].replies] == [reply.id, reply_to_reply.id]
    sign_in(member)
    response = english.post(
        f"/policies/{policy.slug}/comments", data={"parent": str(reply.id), "body": "Lewat formulir balasan."}
    )
    assert response.status_code == 302
    newest = db.session.scalar(select(Comment).order_by(Comment.id.desc()).limit(1))
    assert newest.parent_id == top.id
    assert response.headers["Location"].endswith(f"/comments/{newest.public_id}#c-{newest.id}")
    page = english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "4 comments" in text_of(section(page, "pasal-4")[:1000])
    assert "Lewat formulir balasan." not in page, "replies are read on their comment's page"
    assert "3 replies" in text_of(section(page, f"c-{top.id}"))
    own = english.get(f"/comments/{newest.public_id}").get_data(as_text=True)
    replies = own[own.index('id="replies"'):]
    assert replies.index("Rasio perlu data.") < replies.index("Data ada di BPS.") < replies.index("Lewat formulir")
    assert own.count('name="parent"') == 1, "one reply form per page"


def test_i_agree_counts_once_per_person_and_names_only_to_moderators(
    english, sign_in, citizen, member, moderator, make_user, policy
):
    comment = services.post_comment(citizen, policy, body="Perlu satu pekerja sosial per 50.000 jiwa.",
                                    stance="suggests_change", article_key="pasal-4")
    other = make_user(display_name="Warga Lain")
    sign_in(member)
    assert english.post(f"/comments/{comment.public_id}/agree").status_code == 302
    second = english.post(f"/comments/{comment.public_id}/agree", follow_redirects=True)
    assert "You have already agreed with this comment." in text_of(second.get_data(as_text=True))
    services.endorse(other, comment)
    with pytest.raises(ValidationError):
        services.endorse(other, comment)
    with pytest.raises(ValidationError):
        services.endorse(citizen, comment)  # not one's own comment
    assert db.session.scalar(select(func.count(Endorsement.id))) == 2

    page = english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "2 people agree" in text_of(page)
    assert "Warga Lain" not in page and "Who agrees" not in page
    sign_in(moderator)
    page = english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "Who agrees (visible to moderators only)" in page and "Warga Lain" in page and "Sari (LBH)" in page
    assert [u.display_name for u in services.endorsers(moderator, comment)] == ["Sari (LBH)", "Warga Lain"]
    with pytest.raises(PermissionDenied):
        services.endorsers(member, comment)


def test_the_same_comment_twice_in_a_row_is_refused(citizen, policy):
    services.post_comment(citizen, policy, body="Setuju.", stance="supports", article_key="pasal-1")
    with pytest.raises(ValidationError) as refused, force_locale("en"):
        services.post_comment(citizen, policy, body="Setuju. ", stance="supports", article_key="pasal-2")
    assert refused.value.field == "body" and "same comment" in refused.value.message


def test_the_same_comment_form_sent_twice_is_saved_once_and_answered_as_sent(english, sign_in, citizen, policy):
    # A resend of the form (or a request the load balancer sent again after its answer was cut)
    # lands on the one saved comment, with a message, rather than on a refusal.
    sign_in(citizen)
    form = {"article_key": "pasal-1", "stance": "supports", "body": "Setuju dengan pasal ini."}
    first = english.post(f"/policies/{policy.slug}/comments", data=form)
    again = english.post(f"/policies/{policy.slug}/comments", data=form, follow_redirects=True)
    assert first.status_code == 302 and again.status_code == 200
    saved = db.session.scalars(select(Comment).where(Comment.author_id == citizen.id)).all()
    assert len(saved) == 1
    assert f"Your comment {saved[0].public_id} had already been received; it is saved once." in text_of(again)


def test_a_closed_consultation_refuses_comments_clearly_and_stays_readable(
    english, sign_in, citizen, member, moderator, policy
):
    from portal.proposals import services as proposals

    comment = services.post_comment(citizen, policy, body="Masukan sebelum ditutup.", stance="objects",
                                    article_key="pasal-1")
    proposals.transition(moderator, policy, "closed")
    with pytest.raises(Conflict):
        services.post_comment(citizen, policy, body="Terlambat.", stance="objects", article_key="pasal-1")
    with pytest.raises(Conflict):
        services.endorse(member, comment)
    sign_in(member)
    response = english.post(f"/policies/{policy.slug}/comments",
                            data={"article_key": "pasal-1", "stance": "supports", "body": "Terlambat sekali."})
    assert response.status_code == 409
    body = text_of(response.get_data(as_text=True))
    assert "not open for comments" in body and "Terlambat sekali." in body, "the refusal says why and keeps the text"
    page = english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "Masukan sebelum ditutup." in page
    assert "not open for comments" in text_of(page)
    assert 'name="body"' not in section(page, "pasal-1") and "I agree" not in page


def test_a_new_accounts_comment_waits_and_is_shown_only_to_its_author(
    app, english, sign_in, make_user, moderator, policy
):
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 2
    newcomer = make_user(display_name="Akun Baru")
    sign_in(newcomer)
    response = english.post(f"/policies/{policy.slug}/comments",
                            data={"article_key": "pasal-2", "stance": "objects", "body": "Komentar pertama saya."},
                            follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "waits for a moderator" in text_of(page)
    assert "Waiting for moderation" in text_of(section(page, "pasal-2"))
    comment = db.session.scalar(select(Comment))
    assert comment.status == "pending"
    sign_in(moderator)
    assert "Komentar pertama saya." in english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    with english.session_transaction() as session:
        session.pop("_user_id", None)
    public = english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "Komentar pertama saya." not in public
    assert "0 comments" in text_of(section(public, "pasal-2-comments")[:400]), "a waiting comment is not counted in public"


def test_visitors_see_comments_and_a_sign_in_link(english, citizen, policy):
    services.post_comment(citizen, policy, body="Komentar publik.", stance="supports", article_key="pasal-1")
    page = english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "Komentar publik." in page and "Sign in to comment." in page
    assert english.post(f"/policies/{policy.slug}/comments", data={"body": "x"}).status_code == 302  # to login


def test_a_suspended_account_is_refused_with_a_message(citizen, moderator, policy):
    from datetime import timedelta

    from portal.extensions import utcnow
    from portal.moderation import services as moderation

    moderation.suspend(moderator, citizen, utcnow() + timedelta(days=2), "Spam berulang.")
    with pytest.raises(PermissionDenied) as refused, force_locale("en"):
        services.post_comment(citizen, policy, body="Lagi.", stance="supports")
    assert "suspended" in refused.value.message


def test_a_hidden_comment_shows_its_reason_to_its_author_only(english, sign_in, citizen, moderator, policy):
    from portal.moderation import services as moderation

    comment = services.post_comment(citizen, policy, body="Iklan pinjaman online.", stance="supports",
                                    article_key="pasal-1")
    moderation.hide(moderator, comment, "spam")
    assert "Iklan pinjaman online." not in english.get(f"/policies/{policy.slug}").get_data(as_text=True)
    sign_in(citizen)
    page = text_of(english.get(f"/policies/{policy.slug}").get_data(as_text=True))
    assert "Iklan pinjaman online." in page and "Spam or advertising" in page
