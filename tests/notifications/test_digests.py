"""Followers get one digest mail per period instead of one mail per event;
what concerns the user directly is still mailed at once; two senders running
at once never mail an event twice."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.comments import services as comments
from portal.extensions import db, utcnow
from portal.contributions import urls as contribution_urls
from portal.moderation import services as moderation
from portal.contributions import wordlist
from portal.notifications import digests, services
from portal.notifications.models import DigestEntry, Notification
from portal.proposals.models import Policy
from tests.conftest import CORPORA, ROOT
from tests.mailbox import links_in, read_mailbox, subject, to

HOUR = timedelta(minutes=60)


def _sentences():
    """Real Indonesian sentences, one per comment (the same text twice in a row is refused);
    the few insulting ones are left out, as the word filter would hold them for a moderator."""
    path = CORPORA / "indonesian" / "smsa" / "valid_preprocess.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("\t")[0].strip()
        if len(text) > 20 and not wordlist.find_blocked(text):
            yield text


@pytest.fixture
def sentences():
    return _sentences()


@pytest.fixture
def author(member):
    """A verified NGO member: published at once, so each comment is a followed event."""
    return member


def _post(author, policy, sentences, count: int) -> list[str]:
    """Post `count` comments on the policy; the links their followers are sent."""
    posted = [comments.post_comment(author, policy, body=text, stance="supports") for text in islice(sentences, count)]
    assert len(posted) == count
    return [contribution_urls.contribution_url(comment) for comment in posted]


def _absolute(app, path: str) -> str:
    return app.config["PORTAL_BASE_URL"].rstrip("/") + path


def test_twenty_followed_events_make_one_digest_and_the_next_period_only_the_new_ones(
    app, policy, make_user, author, sentences
):
    follower = make_user(email="pengikut@example.org", locale="en", display_name="Budi")
    services.follow(follower, "policy", policy.id)
    start = utcnow()

    first = _post(author, policy, sentences, 20)
    assert services.unread_count(follower) == 20, "shown in the portal at once"
    assert to(read_mailbox(app), "pengikut@example.org") == [], "no mail per event"

    assert digests.send_digests(now=start + timedelta(minutes=1)) == digests.DigestRun(digests=1, events=20)
    [digest] = to(read_mailbox(app), "pengikut@example.org")
    assert subject(digest) == "Portal Partisipasi: 20 updates on what you follow"
    assert "Hello Budi," in digest.get_content()
    assert digest.get_content().count(f"New activity on {policy.title}.") == 20
    assert set(links_in(digest)) >= {_absolute(app, link) for link in first}

    # Within the same period new events wait, however often cron runs.
    second = _post(author, policy, sentences, 5)
    for minutes in (2, 10, 30, 60):
        assert digests.send_digests(now=start + timedelta(minutes=minutes)) == digests.DigestRun(0, 0)
    assert len(to(read_mailbox(app), "pengikut@example.org")) == 1
    assert digests.waiting_count(follower) == 5

    # The next period: a new digest with only the new events.
    assert digests.send_digests(now=start + HOUR + timedelta(minutes=2)) == digests.DigestRun(1, 5)
    mails = to(read_mailbox(app), "pengikut@example.org")
    [newest] = [m for m in mails if m["Message-ID"] != digest["Message-ID"]]
    assert subject(newest) == "Portal Partisipasi: 5 updates on what you follow"
    event_links = [link for link in links_in(newest) if "#c-" in link]
    assert event_links == [_absolute(app, link) for link in second]
    assert not set(event_links) & {_absolute(app, link) for link in first}

    # Nothing waits, so later runs send nothing.
    assert digests.send_digests(now=start + 5 * HOUR) == digests.DigestRun(0, 0)
    assert digests.waiting_count(follower) == 0


def test_the_digest_speaks_the_followers_language(app, policy, make_user, author, sentences):
    indonesian = make_user(email="warga@example.org", display_name="Siti")
    english = make_user(email="resident@example.org", locale="en")
    for user in (indonesian, english):
        services.follow(user, "policy", policy.id)
    _post(author, policy, sentences, 3)
    digests.send_digests()
    [mail_id] = to(read_mailbox(app), "warga@example.org")
    [mail_en] = to(read_mailbox(app), "resident@example.org")
    assert subject(mail_id) == "Portal Partisipasi: 3 kabar baru tentang yang Anda ikuti"
    assert "Halo Siti," in mail_id.get_content()
    assert "Berhenti mengikuti" in mail_id.get_content() and "60 menit" in mail_id.get_content()
    assert "update" not in mail_id.get_content()
    assert "every 60 minutes" in mail_en.get_content()


def test_the_period_is_a_setting(app, policy, make_user, author, sentences):
    app.config["NOTIFICATION_DIGEST_MINUTES"] = 15
    follower = make_user(email="cepat@example.org")
    services.follow(follower, "policy", policy.id)
    start = utcnow()
    for round_ in range(4):
        _post(author, policy, sentences, 2)
        assert digests.send_digests(now=start + round_ * timedelta(minutes=16)) == digests.DigestRun(1, 2)
    assert len(to(read_mailbox(app), "cepat@example.org")) == 4


def test_what_concerns_the_user_directly_is_still_mailed_at_once(app, policy, make_user, author, sentences):
    asker = make_user(role="academic", organisation="Universitas Sumatera Utara", verified=True,
                      email="penanya@example.org", locale="en")
    services.follow(asker, "policy", policy.id)
    question = comments.post_comment(asker, policy, body="Apa dasar angka ABK di Pasal 1?", stance="suggests_change")
    comments.post_comment(author, policy, body="Lihat lampiran kajian kami.", stance=None, parent=question)
    moderator = make_user(role="moderator")
    moderation.hide(moderator, question, "off_topic", "")
    moderation.restore(moderator, question)

    subjects = sorted(subject(m) for m in to(read_mailbox(app), "penanya@example.org"))
    assert subjects == [
        f"Portal Partisipasi: A moderator hid your contribution {question.public_id}. Reason: Off topic.",
        f"Portal Partisipasi: Someone replied to your contribution {question.public_id}.",
        f"Portal Partisipasi: Your contribution {question.public_id} has been published again.",
    ]
    # The reply is one notice, not also a followed event waiting for the digest.
    assert digests.waiting_count(asker) == 0
    _post(author, policy, sentences, 1)
    assert digests.waiting_count(asker) == 1


def test_a_failed_digest_mail_gives_the_events_back_for_the_next_run(app, policy, make_user, author, sentences, monkeypatch):
    follower = make_user(email="sabar@example.org")
    services.follow(follower, "policy", policy.id)
    _post(author, policy, sentences, 4)

    def down(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("portal.mail.send", down)
    assert digests.send_digests() == digests.DigestRun(0, 0)
    assert digests.waiting_count(follower) == 4
    monkeypatch.undo()
    assert digests.send_digests() == digests.DigestRun(1, 4), "the failed try did not use up the period"
    assert len(to(read_mailbox(app), "sabar@example.org")) == 1


def test_deactivated_followers_and_those_who_acted_get_no_digest(app, policy, make_user, author, sentences):
    gone = make_user(email="nonaktif@example.org")
    services.follow(gone, "policy", policy.id)
    services.follow(author, "policy", policy.id)
    _post(author, policy, sentences, 2)
    gone.active = False
    db.session.commit()
    assert digests.send_digests() == digests.DigestRun(0, 0)
    assert read_mailbox(app) == []


def test_the_cron_command(app, runner, policy, make_user, author, sentences):
    services.follow(make_user(), "policy", policy.id)
    services.follow(make_user(), "policy", policy.id)
    _post(author, policy, sentences, 3)
    result = runner.invoke(args=["notifications", "send-digests"])
    assert result.exit_code == 0, result.output
    assert "Sent 2 digest(s) with 6 update(s)." in result.output
    assert runner.invoke(args=["notifications", "send-digests"]).output.startswith("Sent 0 digest(s)")


# --- two senders at once ------------------------------------------------------------

def _followers(make_user, policy, count: int) -> list:
    users = [make_user(email=f"ikut{n}@example.org") for n in range(count)]
    for user in users:
        services.follow(user, "policy", policy.id)
    return users


def _assert_each_event_mailed_once(app, user_ids: list[int]) -> None:
    users = [db.session.get(User, user_id) for user_id in user_ids]
    messages = read_mailbox(app)
    mailed = Counter()
    for message in messages:
        for link in links_in(message):
            if "#c-" in link:
                mailed[(message["To"], link)] += 1
    expected = {
        (user.email, _absolute(app, item.link))
        for user in users
        for item in db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    }
    assert set(mailed) == expected, "every event reached every follower"
    assert [key for key, n in mailed.items() if n > 1] == [], "no event was mailed twice"
    assert db.session.scalar(select(func.count(DigestEntry.id)).where(DigestEntry.sent_at.is_(None))) == 0


def test_two_senders_at_once_never_mail_an_event_twice_period_after_period(
    app, at_once, policy, make_user, author, sentences
):
    users = _followers(make_user, policy, 25)
    user_ids, emails = [user.id for user in users], [user.email for user in users]
    ids = (author.id, policy.id)
    start = utcnow()
    for round_ in range(4):
        # at_once ends the test's session: load the author and policy again.
        _post(db.session.get(User, ids[0]), db.session.get(Policy, ids[1]), sentences, 3)
        now = start + round_ * (HOUR + timedelta(minutes=1))
        runs = at_once(lambda n, now=now: digests.send_digests(now=now), 2)
        assert sum(run.digests for run in runs) == 25, f"round {round_}: one digest per follower"
        assert sum(run.events for run in runs) == 75
        # A third sender in the same period finds nothing to do.
        assert at_once(lambda n, now=now: digests.send_digests(now=now + timedelta(minutes=5)), 2) == [digests.DigestRun(0, 0)] * 2
    for address in emails:
        assert len(to(read_mailbox(app), address)) == 4
    _assert_each_event_mailed_once(app, user_ids)


def test_two_cron_processes_at_once_mail_each_follower_once(app, policy, make_user, author, sentences):
    users = _followers(make_user, policy, 60)
    user_ids = [user.id for user in users]
    _post(author, policy, sentences, 3)
    db.session.commit()
    db.engine.dispose()  # the children open their own connections
    env = dict(
        os.environ,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        PORTAL_INSTANCE_PATH=app.instance_path,
        PORTAL_ENV="testing",
    )

    def spawn():
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", str(Path(ROOT) / "wsgi.py"), "notifications", "send-digests"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    for _round in range(2):  # the second race finds every follower's period not yet over
        senders = [spawn(), spawn()]
        outputs = [sender.communicate(timeout=180) for sender in senders]
        assert [sender.returncode for sender in senders] == [0, 0], outputs
    for user in users:
        assert len(to(read_mailbox(app), user.email)) == 1, user.email
    _assert_each_event_mailed_once(app, user_ids)
