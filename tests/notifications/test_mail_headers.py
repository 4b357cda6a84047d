"""Every message the portal sends carries a Date and a Message-ID on the
sender's own domain, as a mail client and a spam filter expect."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

from portal import mail
from portal.comments import services as comments
from portal.extensions import utcnow
from portal.moderation import services as moderation
from portal.notifications import digests, services
from portal.submissions import cosigning
from portal.submissions import services as submissions
from tests.mailbox import read_mailbox, subject

SENDER = "Portal Partisipasi Kota Medan <noreply@partisipasi.pemkomedan.go.id>"


def test_every_kind_of_mail_has_a_date_and_a_message_id_on_the_senders_domain(app, client, policy, make_user):
    app.config["MAIL_SENDER"] = SENDER
    started = utcnow()
    follower = make_user(email="ikut@example.org")
    services.follow(follower, "policy", policy.id)
    member = make_user(role="ngo", organisation="LBH Medan", verified=True, email="lsm@example.org")
    scholar = make_user(role="academic", organisation="USU", verified=True, email="dosen@usu.ac.id")
    newcomer = make_user(email="baru@example.org")

    pending = comments.post_comment(newcomer, policy, body="Pasal 1 kurang jelas.", stance="suggests_change")
    moderation.approve(make_user(role="moderator"), pending)  # the author's own mail, at once
    submission = submissions.submit(member, policy, "Masukan LBH", "Isi masukan resmi.", [], [])  # the receipt
    cosigning.invite_cosigner(member, submission, scholar.organisation)  # the invitation
    digests.send_digests()  # the follower's digest
    response = client.post("/reset-password", data={"email": "baru@example.org"})
    assert response.status_code in (200, 302)
    response.close()  # a WSGI server closes every response: the reset mail goes out then

    messages = read_mailbox(app)
    recipients = sorted(message["To"] for message in messages)
    assert recipients == sorted(
        ["baru@example.org", "lsm@example.org", "dosen@usu.ac.id", "ikut@example.org", "baru@example.org"]
    ), [subject(m) for m in messages]
    # Python folds a header longer than 78 characters onto the next line whole; a client drops that space.
    ids = [str(message["Message-ID"]).strip() for message in messages]
    assert len(set(ids)) == len(messages), "each message has its own id"
    for message, message_id in zip(messages, ids, strict=True):
        assert re.fullmatch(r"<[^<>@\s]+@partisipasi\.pemkomedan\.go\.id>", message_id), message_id
        sent = parsedate_to_datetime(message["Date"])
        assert sent.tzinfo is not None
        assert started - timedelta(seconds=5) <= sent <= utcnow() + timedelta(seconds=5)
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["From"] == SENDER


def test_without_a_domain_in_the_sender_the_base_url_gives_it(app):
    app.config["MAIL_SENDER"] = "Portal Partisipasi"
    app.config["PORTAL_BASE_URL"] = "https://partisipasi.medan.go.id/"
    message = mail.send("warga@example.org", "Uji", "Isi.")
    assert message["Message-ID"].endswith("@partisipasi.medan.go.id>")
    [written] = read_mailbox(app)
    assert str(written["Message-ID"]).strip() == message["Message-ID"]


def test_a_subject_with_line_breaks_is_one_line(app):
    mail.send("warga@example.org", "Judul\r\nBcc: korban@example.org\n\nisi", "Isi.")
    [written] = read_mailbox(app)
    assert subject(written) == "Judul Bcc: korban@example.org isi"
    assert written["Bcc"] is None
