"""Notifications in the portal and by mail: what authors are told, follows,
the page and the unread count, and mail only after a commit."""

from __future__ import annotations


import pytest
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.errors import NotFound, ValidationError
from portal.extensions import db
from portal.contributions import services as contributions
from portal.moderation import services as moderation
from portal.notifications import digests, services
from portal.notifications.models import Follow, Notification

from tests.conftest import text_of


# --- mail after commit ----------------------------------------------------------------

def test_the_mail_is_written_only_after_the_commit(make_user, mails):
    user = make_user(display_name="Siti Rahmah", email="siti@example.org", locale="en")
    services.notify(user, "contribution_published", "/contributions/KMT-2026-000007", public_id="KMT-2026-000007")
    db.session.flush()
    assert mails() == []
    db.session.commit()
    [(to, subject, body)] = mails()
    assert to == "siti@example.org"
    assert "Your contribution KMT-2026-000007 has been published." in subject
    assert "Hello Siti Rahmah" in body
    assert "/contributions/KMT-2026-000007" in body


def test_the_mail_is_in_the_recipients_language(make_user, mails):
    indonesian, english = make_user(email="id@example.org"), make_user(email="en@example.org", locale="en")
    for user in (indonesian, english):
        services.notify(user, "contribution_published", "", public_id="KMT-2026-000011")
    db.session.commit()
    subjects = {to: subject for to, subject, _ in mails()}
    assert "KMT-2026-000011" in subjects["id@example.org"]
    assert "has been published" not in subjects["id@example.org"]
    assert "has been published" in subjects["en@example.org"]


def test_no_mail_is_written_when_the_transaction_rolls_back(make_user, mails):
    user = make_user()
    services.notify(user, "contribution_published", "/contributions/KMT-2026-000008", public_id="KMT-2026-000008")
    db.session.rollback()
    db.session.commit()  # a later, unrelated commit must not send the forgotten mail
    assert mails() == []
    assert db.session.scalars(select(Notification)).all() == []


def test_a_commit_that_fails_mails_nobody(make_user, mails):
    from portal.accounts.models import User

    user = make_user(email="taken@example.org")
    services.notify(user, "contribution_published", "", public_id="KMT-2026-000009")
    db.session.add(User(email="taken@example.org", display_name="Duplikat", password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.commit()
    assert mails() == []


def test_a_mail_failure_does_not_undo_the_action(app, contribute, make_user, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("portal.mail.send", broken)
    pending = contribute(make_user())
    moderation.approve(make_user(role="moderator"), pending)
    db.session.expire_all()
    assert pending.status == "published"
    assert db.session.scalars(select(Notification.kind)).all() == ["contribution_published"]


# --- what authors are told ----------------------------------------------------------------

def test_the_author_is_told_when_published_hidden_and_restored(contribute, make_user, mails):
    author = make_user(email="penulis@example.org", locale="en")
    moderator = make_user(role="moderator")
    item = contribute(author)
    moderation.approve(moderator, item)
    moderation.hide(moderator, item, "personal_data", "Nomor KTP tercantum.")
    moderation.restore(moderator, item)

    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == author.id).order_by(Notification.id)
    ).all()
    assert kinds == ["contribution_published", "contribution_hidden", "contribution_restored"]
    hidden = db.session.scalars(select(Notification).where(Notification.kind == "contribution_hidden")).one()
    assert hidden.params == {"public_id": item.public_id, "reason": "personal_data"}
    assert hidden.link == f"/contributions/{item.public_id}"
    with force_locale("en"):
        assert services.render_message(hidden.kind, hidden.params) == (
            f"A moderator hid your contribution {item.public_id}. Reason: Reveals personal data."
        )
    assert [to for to, _, _ in mails()] == ["penulis@example.org"] * 3


def test_dismissing_reports_does_not_bother_the_author(contribute, make_user):
    author = make_user(role="ngo", organisation="LSM Medan Bersih", verified=True)
    item = contribute(author)
    contributions.flag(make_user(), item, "spam")
    moderation.approve(make_user(role="moderator"), item)
    assert services.unread_count(author) == 0


def test_unknown_kinds_and_broken_params_still_render(app):
    with app.test_request_context(), force_locale("en"):
        assert services.render_message("no_such_kind", {}) == "You have a new notification."
        assert services.render_message("contribution_hidden", {"public_id": "X"}) == "You have a new notification."


# --- the page and the count -----------------------------------------------------------------

def test_the_page_shows_new_notifications_marks_them_read_and_the_nav_counts(make_user, client_for):
    user = make_user()
    services.notify(user, "contribution_published", "/contributions/KMT-2026-000001", public_id="KMT-2026-000001")
    services.notify(user, "contribution_restored", "/contributions/KMT-2026-000002", public_id="KMT-2026-000002")
    db.session.commit()
    me = client_for(user)
    assert "2 unread" in text_of(me.get("/"))

    page = me.get("/me/notifications")
    text = text_of(page)
    assert text.index("KMT-2026-000002") < text.index("KMT-2026-000001"), "newest first"
    assert text.count("New") >= 2
    assert 'href="/contributions/KMT-2026-000001"' in page.get_data(as_text=True)
    assert services.unread_count(user) == 0
    assert "unread" not in text_of(me.get("/"))


def test_one_user_never_sees_anothers_notifications(make_user, client_for):
    owner, other = make_user(), make_user()
    services.notify(owner, "contribution_published", "", public_id="KMT-2026-000042")
    db.session.commit()
    assert "KMT-2026-000042" not in text_of(client_for(other).get("/me/notifications"))
    assert services.unread_count(owner) == 1


def test_mark_all_as_read(make_user, client_for):
    user = make_user()
    me = client_for(user)
    services.notify(user, "contribution_published", "", public_id="KMT-2026-000003")
    db.session.commit()
    assert me.post("/me/notifications/read", data={}).status_code == 302
    assert services.unread_count(user) == 0


def test_the_notifications_page_needs_a_sign_in(client):
    response = client.get("/me/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- follows ------------------------------------------------------------------------------

def test_followers_hear_of_new_activity_but_not_the_one_who_acted(policy, make_user, client_for, mails):
    follower, actor, bystander = make_user(email="ikut@example.org"), make_user(), make_user()
    services.follow(follower, "policy", policy.id)
    services.follow(actor, "policy", policy.id)

    count = services.notify_followers(
        "policy", policy.id, "new_activity", f"/policies/{policy.slug}", exclude=actor, title=policy.title
    )
    db.session.commit()
    assert count == 1
    assert services.unread_count(follower) == 1
    assert services.unread_count(actor) == services.unread_count(bystander) == 0
    assert f"New activity on {policy.title}." in text_of(client_for(follower).get("/me/notifications"))
    assert mails() == [], "a follower's mail waits for the digest"
    digests.send_digests()
    assert [to for to, _, _ in mails()] == ["ikut@example.org"]


def test_followers_of_a_policy_hear_when_a_comment_on_it_is_published(policy, make_user):
    from portal.comments import services as comments

    follower = make_user(email="pengikut@example.org")
    services.follow(follower, "policy", policy.id)
    newcomer = make_user()  # new accounts are pre-moderated: nothing is announced yet
    waiting = comments.post_comment(newcomer, policy, body="Definisi OPD kurang jelas.", stance="suggests_change")
    assert waiting.status == "pending"
    assert services.unread_count(follower) == 0

    moderator = make_user(role="moderator")
    moderation.approve(moderator, waiting)
    assert services.unread_count(follower) == 1
    trusted = make_user(role="ngo", organisation="LBH Medan", verified=True)
    comments.post_comment(trusted, policy, body="Kami mendukung Pasal 1.", stance="supports", article_key="pasal-1")
    assert services.unread_count(follower) == 2
    assert services.unread_count(trusted) == 0


def test_authors_hear_when_someone_replies_to_them(policy, make_user):
    from portal.comments import services as comments
    from portal.forums import services as forums

    asker = make_user(role="academic", organisation="Universitas Sumatera Utara", verified=True)
    answerer = make_user(role="ngo", organisation="LBH Medan", verified=True)
    question = comments.post_comment(asker, policy, body="Apa dasar angka ABK?", stance="suggests_change")
    comments.post_comment(answerer, policy, body="Lihat Pasal 1.", stance=None, parent=question)
    assert services.unread_count(asker) == 1

    category = forums.create_category(make_user(role="moderator"), "Umum")
    thread = forums.start_thread(asker, category, "Tanya jabatan", "Bagaimana bezetting dihitung?")
    services.follow(asker, "thread", thread.id)  # following too still makes one notice per answer
    forums.reply(answerer, thread, "Dari data kepegawaian.")
    forums.reply(asker, thread, "Terima kasih.")  # answering your own thread tells nobody new
    assert services.unread_count(asker) == 2
    assert services.unread_count(answerer) == 0


def test_following_through_the_web_once_and_unfollowing(policy, make_user, client_for):
    user = make_user()
    me = client_for(user)
    data = {"target_type": "policy", "target_id": str(policy.id), "next": f"/policies/{policy.slug}"}
    response = me.post("/me/follow", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/policies/{policy.slug}")
    me.post("/me/follow", data=data)
    assert services.is_following(user, "policy", policy.id)
    assert len(db.session.scalars(select(Follow).where(Follow.user_id == user.id)).all()) == 1

    response = me.post("/me/unfollow", data=dict(data, next="https://evil.example/"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/notifications")
    assert not services.is_following(user, "policy", policy.id)


def test_following_something_that_does_not_exist_is_refused(make_user, client_for):
    user = make_user()
    with pytest.raises(NotFound):
        services.follow(user, "policy", 999999)
    with pytest.raises(ValidationError):
        services.follow(user, "comment", 1)
    me = client_for(user)
    assert me.post("/me/follow", data={"target_type": "policy", "target_id": "999999"}).status_code == 404
    assert me.post("/me/follow", data={"target_type": "secret", "target_id": "1"}).status_code == 400
    assert me.post("/me/follow", data={"target_type": "policy", "target_id": "x'; DROP"}).status_code == 400


def test_a_draft_policy_cannot_be_followed_by_a_citizen(make_policy, make_user):
    draft = make_policy("draft", title="Draf rahasia")
    with pytest.raises(NotFound):
        services.follow(make_user(), "policy", draft.id)
