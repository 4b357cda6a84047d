"""Official responses (tanggapan): officials answer comments, submissions and posts; the answer
shows wherever the contribution does; its author hears of it in the portal and in the digest; each
policy has a response deadline and a public accountability page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.aspirations.responses import services
from portal.aspirations.responses.models import Response
from portal.errors import PermissionDenied, ValidationError
from portal.extensions import db, utcnow
from portal.notifications import digests
from portal.notifications.models import Notification

from tests.conftest import audit_entries, naughty_texts, text_of
from tests.mailbox import to, read_mailbox
from tests.pages.conftest import counting_queries


@pytest.fixture(autouse=True)
def _publish_at_once(publish_at_once):
    """Contributions here are published at once."""


def answer(official, contribution, outcome="partly_accepted", explanation="Kami akan menambah data BPS.", **extra):
    return services.respond(official, contribution, outcome=outcome, explanation=explanation, **extra)


def test_an_official_answers_a_comment_and_the_answer_shows_where_the_comment_does(
    client, english, contribute, official, citizen, policy,
):
    comment = contribute(citizen, kind="comment", on=policy, article_key="pasal-1")
    answer(official, comment, change="Pasal 1 memuat data BPS.", change_url=f"/policies/{policy.slug}")
    for url in (f"/comments/{comment.public_id}", f"/policies/{policy.slug}/articles/pasal-1/comments",
                f"/policies/{policy.slug}", f"/contributions/{comment.public_id}"):
        page = text_of(client.get(url))
        assert "Official response" in page and "Partly accepted" in page, url
        assert "Kami akan menambah data BPS." in page, url
    assert "Pasal 1 memuat data BPS." in text_of(client.get(f"/comments/{comment.public_id}"))


def test_a_formal_submission_and_a_forum_post_are_answered_too(
    client, english, contribute, official, citizen, member, policy, make_thread,
):
    submission = contribute(member, kind="submission", on=policy)
    thread = make_thread(author=citizen)
    post = contribute(citizen, kind="post", on=thread)
    answer(official, submission, "accepted", "Diterima seluruhnya.")
    answer(official, post, "out_of_scope", "Bukan kewenangan Pemko.")
    assert "Diterima seluruhnya." in text_of(client.get(f"/submissions/{submission.public_id}"))
    page = text_of(client.get(f"/forum/t/{thread.id}"))
    assert "Bukan kewenangan Pemko." in page and "Out of scope" in page


def test_the_author_is_told_in_the_portal_and_in_the_next_digest(app, contribute, official, citizen, policy):
    comment = contribute(citizen, kind="comment", on=policy)
    before = len(to(read_mailbox(app), citizen.email))
    answer(official, comment)
    notice = db.session.query(Notification).filter_by(user_id=citizen.id, kind="contribution_answered").one()
    assert notice.params["public_id"] == comment.public_id
    assert len(to(read_mailbox(app), citizen.email)) == before  # not mailed one by one
    assert digests.send_digests(now=utcnow() + timedelta(minutes=1)).digests == 1
    mail = to(read_mailbox(app), citizen.email)[-1]
    assert comment.public_id in mail.get_content()


def test_rewording_an_answer_keeps_the_old_wording_and_is_audited(contribute, official, admin, citizen, policy):
    comment = contribute(citizen, kind="comment", on=policy)
    first = answer(official, comment, "not_accepted", "Belum ada anggaran.")
    again = answer(admin, comment, "partly_accepted", "Anggaran tersedia sebagian.")
    assert again.id == first.id and again.updated_by_id == admin.id and again.edited
    db.session.expire_all()
    assert [(r.outcome, r.explanation, r.written_by_id) for r in again.revisions] == [
        ("not_accepted", "Belum ada anggaran.", official.id)]
    assert [e.actor_id for e in audit_entries("response.give")] == [official.id]
    assert [e.actor_id for e in audit_entries("response.edit")] == [admin.id]
    assert db.session.query(Notification).filter_by(user_id=citizen.id, kind="contribution_answer_changed").count() == 1


def test_only_officials_answer_and_never_their_own_contribution(
    client, sign_in, contribute, official, moderator, citizen, member, policy,
):
    comment = contribute(citizen, kind="comment", on=policy)
    own = contribute(moderator, kind="comment", on=policy)
    for user in (citizen, member):
        with pytest.raises(PermissionDenied):
            answer(user, comment)
    with pytest.raises(PermissionDenied):
        answer(moderator, own)
    sign_in(citizen)
    assert client.get(f"/contributions/{comment.public_id}/answer").status_code == 403
    assert client.post(f"/contributions/{comment.public_id}/answer",
                       data={"outcome": "accepted", "explanation": "x"}).status_code == 403
    sign_in(moderator)
    assert client.get(f"/contributions/{own.public_id}/answer").status_code == 403
    assert db.session.query(Response).count() == 0


def test_the_answer_form_refuses_bad_input_with_a_message_and_saves_good_input(
    client, english, sign_in, contribute, official, citizen, policy,
):
    comment = contribute(citizen, kind="comment", on=policy)
    sign_in(official)
    url = f"/contributions/{comment.public_id}/answer"
    assert "Respond" in text_of(client.get(f"/comments/{comment.public_id}"))
    refused = client.post(url, data={"outcome": "maybe", "explanation": ""})
    assert refused.status_code == 400 and "Explain the outcome" in text_of(refused)
    refused = client.post(url, data={"outcome": "accepted", "explanation": "Ya.", "change_url": "javascript:alert(1)"})
    assert refused.status_code == 400 and "https://" in text_of(refused)
    saved = client.post(url, data={"outcome": "accepted", "explanation": "Diterima.", "change_url": "https://jdih.pemkomedan.go.id/"})
    assert saved.status_code == 302
    assert services.response_to(comment).change_url == "https://jdih.pemkomedan.go.id/"


def test_the_deadline_is_days_after_closing_and_officials_set_it(make_policy, official):
    policy = make_policy()
    assert policy.response_deadline() == policy.closes_at + timedelta(days=14)
    from portal.proposals import services as proposals

    proposals.update_details(official, policy, title=policy.title, kind=policy.kind, summary=policy.summary,
                             opens_at=policy.opens_at.replace(tzinfo=None), closes_at=policy.closes_at.replace(tzinfo=None),
                             response_days=30)
    assert policy.response_days == 30
    with pytest.raises(ValidationError):
        proposals.update_details(official, policy, title=policy.title, kind=policy.kind, summary=policy.summary,
                                 opens_at=None, closes_at=None, response_days=0)


def test_the_accountability_page_counts_the_three_rights_and_the_overdue(
    client, english, sign_in, make_policy, contribute, official, moderator, citizen, member, app,
):
    policy = make_policy()
    on_article = [contribute(citizen, kind="comment", on=policy, article_key="pasal-1") for _ in range(3)]
    whole = contribute(citizen, kind="comment", on=policy)
    submission = contribute(member, kind="submission", on=policy, article_keys=["pasal-2"])
    pending = contribute(citizen, kind="comment", on=policy, status="pending")
    contribute(official, kind="comment", on=policy)  # an official's own comment is owed no answer
    answer(moderator, on_article[0])
    answer(moderator, submission, "accepted", "Diterima.")
    counts = services.accountability(policy)
    assert (counts.heard, counts.published, counts.considered, counts.answered, counts.overdue) == (6, 5, 4, 2, 0)
    # after the deadline, the unanswered published ones are overdue
    policy.closes_at = utcnow() - timedelta(days=20)
    db.session.commit()
    counts = services.accountability(policy)
    assert counts.past_deadline and counts.overdue == 3
    page = text_of(client.get(f"/policies/{policy.slug}/accountability"))
    assert "Heard 6" in page and "Answered 2" in page and "Past the deadline, unanswered 3" in page
    assert whole.public_id not in page  # the list of what is owed is for officials
    sign_in(moderator)
    page = text_of(client.get(f"/policies/{policy.slug}/accountability"))
    assert whole.public_id in page and on_article[1].public_id in page
    assert on_article[0].public_id not in page and pending.public_id not in page


def test_pages_with_answers_send_the_same_queries_however_many_comments_are_answered(
    client, contribute, official, make_user, policy,
):
    url = f"/policies/{policy.slug}/articles/pasal-1/comments"
    authors = [make_user() for _ in range(3)]

    def add(n):
        for i in range(n):
            answer(official, contribute(authors[i % 3], kind="comment", on=policy, article_key="pasal-1"))

    counted = []
    for n in (2, 10):
        add(n)
        db.session.expire_all()
        with counting_queries() as count:
            assert client.get(url).status_code == 200
        counted.append(count())
        db.session.expire_all()
        with counting_queries() as count:
            assert client.get(f"/policies/{policy.slug}").status_code == 200
        counted.append(count())
    assert counted[0] == counted[2] and counted[1] == counted[3], counted


def test_every_naughty_string_is_stored_as_written_and_shown_safely(client, contribute, official, citizen, policy, blns):
    comment = contribute(citizen, kind="comment", on=policy)
    answer(official, comment, explanation="Awal.")
    for text in naughty_texts(blns):
        if not text.strip() or "\x00" in text:
            with pytest.raises(ValidationError):
                answer(official, comment, explanation=text)
            continue
        response = answer(official, comment, explanation=text)
        db.session.expire_all()
        assert db.session.get(Response, response.id).explanation == text
        page = client.get(f"/comments/{comment.public_id}")
        assert page.status_code == 200
        answer_html = page.get_data(as_text=True).split('class="answer__body">')[1].split("</div>")[0]
        assert "<script" not in answer_html.lower()
        assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", answer_html, re.IGNORECASE)
