"""Forum posts under the one moderation system: flags, held and hidden posts,
what the author and the public see, and rate limits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.forums import services
from portal.moderation import services as moderation
from portal.contributions.models import REASON_LABELS, STATUS_LABELS, Flag

from tests.conftest import text_of
from tests.forums.conftest import tr


def test_a_signed_in_user_flags_a_post_with_a_reason(client, sign_in, make_thread, member):
    thread = make_thread()
    answer = services.reply(member, thread, "Nomor HP pegawai itu 0812-xxxx, hubungi saja.")
    sign_in(thread.author)  # the thread's author reports the answer
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert f'action="/contributions/{answer.public_id}/flag"' in page, "one flag route for every kind"
    assert f'<label for="flag-reason-{answer.id}">' in page
    back = f"/forum/t/{thread.id}?page=1#post-{answer.id}"
    assert f'name="next" value="{back}"' in page

    response = client.post(
        f"/contributions/{answer.public_id}/flag", data={"reason": "personal_data", "note": "Nomor HP.", "next": back}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#post-{answer.id}")
    flag = db.session.scalar(select(Flag))
    assert (flag.contribution_id, flag.reason, flag.note) == (answer.id, "personal_data", "Nomor HP.")
    page = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert answer.public_id in page

    again = client.post(
        f"/contributions/{answer.public_id}/flag", data={"reason": "spam", "next": back}, follow_redirects=True
    )
    assert again.request.path == f"/forum/t/{thread.id}", "back on the thread, told why"
    already = tr("You have already reported this contribution. A moderator will look at it.")
    assert already in text_of(again.get_data(as_text=True))
    assert db.session.query(Flag).count() == 1


def test_a_flag_without_a_listed_reason_is_refused_and_own_posts_cannot_be_flagged(
    client, sign_in, make_thread, citizen
):
    thread = make_thread()
    sign_in(citizen)
    own = thread.posts[0]
    assert f"/contributions/{own.public_id}/flag" not in client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert client.post(f"/contributions/{own.public_id}/flag", data={"reason": "spam"}).status_code == 403
    assert db.session.query(Flag).count() == 0


def test_a_hidden_post_shows_its_reason_to_its_author_and_nothing_to_the_public(
    client, sign_in, make_thread, member, moderator, make_user
):
    thread = make_thread()
    answer = services.reply(member, thread, "Pejabat itu semua tidak becus!")
    moderation.hide(moderator, answer, "abuse", "Mohon kritik kebijakannya, bukan orangnya.")

    public = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "tidak becus" not in public and f'id="post-{answer.id}"' not in public
    sign_in(make_user())
    assert "tidak becus" not in client.get(f"/forum/t/{thread.id}").get_data(as_text=True)

    sign_in(member)
    own = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert f'id="post-{answer.id}"' in own and "tidak becus" in own
    said = text_of(own)
    assert str(REASON_LABELS["abuse"]) in said
    assert "Mohon kritik kebijakannya, bukan orangnya." in said
    assert thread.post_count == 1, "the public count leaves the hidden post out"


def test_a_held_opening_post_keeps_the_thread_from_the_public_but_not_from_its_author(
    app, client, sign_in, general, make_user
):
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 2
    newcomer = make_user()
    sign_in(newcomer)
    response = client.post(
        f"/forum/c/{general.slug}/new", data={"title": "Antrean di Puskesmas", "body": "Antrean terlalu panjang."},
        follow_redirects=True,
    )
    page = text_of(response.get_data(as_text=True))
    thread = db.session.scalar(select(services.Thread))
    opening = thread.posts[0]
    assert tr(
        "Your post %(id)s was received and waits for a moderator before others can see it.", id=opening.public_id
    ) in page
    assert str(STATUS_LABELS["pending"]) in page
    thread = db.session.scalar(select(services.Thread))
    assert thread.posts[0].status == "pending"
    with client.session_transaction() as session:
        session.pop("_user_id", None)
    assert client.get(f"/forum/t/{thread.id}").status_code == 404
    assert "Antrean di Puskesmas" not in client.get(f"/forum/c/{general.slug}").get_data(as_text=True)


def test_a_reply_flagged_from_its_post_s_reply_list_returns_the_reader_there(client, sign_in, make_thread, member):
    thread = make_thread()
    opening = services.reply(member, thread, "Usulan: data per kecamatan dibuka.")
    answer = services.reply(member, thread, "Setuju, dengan batas data pribadi.", parent=opening)
    sign_in(thread.author)
    page = client.get(f"/forum/t/{thread.id}?replies_of={opening.id}").get_data(as_text=True)
    assert f'name="next" value="/forum/t/{thread.id}?page=1&amp;replies_of={opening.id}#post-{answer.id}"' in page


def test_replies_of_others_that_wait_are_not_shown_to_the_public(app, make_thread, make_user, member):
    thread = make_thread()
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 2
    waiting = services.reply(make_user(), thread, "Saya baru bergabung.")
    assert waiting.status == "pending"
    seen = [e.post.id for e in services.list_posts(member, thread).entries]
    assert waiting.id not in seen
    assert waiting.id in [e.post.id for e in services.list_posts(waiting.author, thread).entries]


def test_a_suspended_user_is_refused_with_a_clear_message(client, sign_in, make_thread, moderator, make_user):
    from datetime import timedelta

    from portal.errors import PermissionDenied
    from portal.extensions import utcnow

    thread = make_thread()
    troll = make_user()
    moderation.suspend(moderator, troll, utcnow() + timedelta(days=3), "Berulang kali menghina.")
    with pytest.raises(PermissionDenied):
        services.reply(troll, thread, "Saya kembali.")
    sign_in(troll)
    message = tr("Your account is suspended: you can read the forum but not post until the suspension ends.")
    assert message in text_of(client.get(f"/forum/t/{thread.id}").get_data(as_text=True))
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Saya kembali."})
    assert response.status_code == 403
    assert message in text_of(response.get_data(as_text=True))


@pytest.fixture
def limited(limited_client):
    """A client of an app that allows two forum posts and two reports a minute."""
    return limited_client(
        FORUM_POST_RATE_LIMIT="2 per minute", FLAG_RATE_LIMIT="2 per minute", MODERATION_PREMODERATE_FIRST_N=0
    )


def test_posting_too_often_answers_429_with_when_to_try_again(limited, login_as, make_user, general):
    author, category = make_user(), general
    login_as(author, target=limited)
    for n in range(2):
        response = limited.post(f"/forum/c/{category.slug}/new", data={"title": f"Utas {n}", "body": f"Isi {n}."})
        assert response.status_code == 302
    response = limited.post(f"/forum/c/{category.slug}/new", data={"title": "Utas 3", "body": "Isi ketiga."})
    assert response.status_code == 429
    assert response.headers["Retry-After"].isdigit()
    assert "Isi ketiga." in response.get_data(as_text=True), "the typed text is shown back"
    thread_id = db.session.scalar(select(services.Thread.id))
    assert limited.post(f"/forum/t/{thread_id}/reply", data={"body": "Jawaban."}).status_code == 429, (
        "new threads and answers share the limit"
    )
    assert limited.get(f"/forum/t/{thread_id}").status_code == 200, "reading is not limited"


def test_flagging_too_often_answers_429(limited, login_as, make_user, make_thread):
    writer, reporter = make_user(), make_user()
    thread = make_thread(writer, title="Utas", body="Isi pertama.")
    posts = [services.reply(writer, thread, f"Jawaban {n}.") for n in range(3)]
    login_as(reporter, target=limited)
    for post in posts[:2]:
        back = f"/forum/t/{thread.id}#post-{post.id}"
        assert limited.post(f"/contributions/{post.public_id}/flag", data={"reason": "spam", "next": back}).status_code == 302
    assert limited.post(f"/contributions/{posts[2].public_id}/flag", data={"reason": "spam"}).status_code == 429
