"""What a formal submission tells people: its author gets the receipt by mail,
and an organisation invited to co-sign hears of it in the portal and by mail."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from portal.errors import ValidationError
from portal.extensions import db
from portal.notifications import services as notifications
from portal.notifications.models import Notification
from portal.submissions import cosigning, services
from portal.submissions.attachments import Upload
from portal.submissions.models import CoSignature, Submission
from tests.mailbox import links_in, read_mailbox, subject, to
from tests.submissions.conftest import post_multipart

TITLE = "Masukan atas sumber data Pasal 5"
BODY = "Data pengaduan masyarakat perlu ikut dihitung dalam analisis kebutuhan."


def test_the_author_is_mailed_the_receipt_with_number_title_and_link(app, client, login_as, ngo, policy, pdf_bytes):
    login_as(ngo)
    response = post_multipart(
        client, f"/policies/{policy.slug}/submissions/new",
        {"title": TITLE, "body": BODY, "attachments": [(io.BytesIO(pdf_bytes), "kajian.pdf")]},
    )
    assert response.status_code == 302
    submission = db.session.scalar(select(Submission))
    [receipt] = to(read_mailbox(app), ngo.email)
    assert subject(receipt) == f"Receipt {submission.public_id}: {TITLE}"
    text = receipt.get_content()
    assert f"Receipt number: {submission.public_id}" in text
    assert f"Title: {TITLE}" in text
    assert f"Policy: {policy.title}" in text
    assert "On behalf of: LBH Medan" in text
    assert "Status: Published" in text
    assert f"kajian.pdf (PDF, {len(pdf_bytes) / 1024:.1f} KB) {submission.attachments[0].sha256}" in text
    url = app.config["PORTAL_BASE_URL"] + f"/submissions/{submission.public_id}"
    assert url in links_in(receipt)
    assert client.get(url.removeprefix(app.config["PORTAL_BASE_URL"])).status_code == 200
    # And in the portal.
    [notice] = db.session.scalars(select(Notification).where(Notification.user_id == ngo.id)).all()
    assert notice.kind == "submission_received" and notice.link == f"/submissions/{submission.public_id}"


def test_the_receipt_is_in_the_authors_language(app, make_user, policy):
    member = make_user(role="ngo", organisation="LBH Medan", verified=True, email="lsm@example.org")
    submission = services.submit(member, policy, TITLE, BODY, [], [])
    [receipt] = to(read_mailbox(app), "lsm@example.org")
    assert subject(receipt) == f"Tanda terima {submission.public_id}: {TITLE}"
    assert f"Nomor tanda terima: {submission.public_id}" in receipt.get_content()
    assert "Atas nama: LBH Medan" in receipt.get_content()


def test_a_refused_submission_mails_nothing(app, ngo, policy):
    with pytest.raises(ValidationError):
        services.submit(ngo, policy, TITLE, BODY, [], [Upload("a.pdf", b"%PDF-1.7 rusak")])
    assert read_mailbox(app) == []


def test_a_title_with_line_breaks_and_naughty_strings_still_makes_a_valid_receipt(app, ngo, policy, blns):
    titles = ["Judul\r\nBcc: korban@example.org"] + [s for s in blns if s.strip()][:40]
    for n, title in enumerate(titles):
        services.submit(ngo, policy, title[:300], f"{BODY} ({n})", [], [])
    receipts = to(read_mailbox(app), ngo.email)
    assert len(receipts) == len(titles)
    for receipt in receipts:
        assert "\n" not in str(receipt["Subject"]).strip()
        assert receipt["Bcc"] is None
        assert receipt["Message-ID"] and receipt["Date"]


def test_an_invited_organisation_hears_of_the_invitation_in_the_portal_and_by_mail(
    app, client, login_as, make_user, ngo, academic, policy
):
    colleague = make_user(role="academic", organisation="Universitas Sumatera Utara", verified=True,
                          email="kolega@usu.ac.id", locale="en")
    unverified = make_user(role="academic", organisation="Universitas Sumatera Utara", email="baru@usu.ac.id")
    outsider = make_user(role="ngo", organisation="Walhi Sumut", verified=True, email="walhi@example.org")
    submission = services.submit(ngo, policy, TITLE, BODY, [], [])
    cosigning.invite_cosigner(ngo, submission, academic.organisation)
    cosignature = db.session.scalar(select(CoSignature))
    path = f"/cosignatures/{cosignature.id}"

    for member in (academic, colleague):
        [notice] = db.session.scalars(select(Notification).where(Notification.user_id == member.id)).all()
        assert notice.kind == "cosign_invitation" and notice.link == path
        [invitation] = to(read_mailbox(app), member.email)
        assert subject(invitation) == (
            f'Portal Partisipasi: LBH Medan invites your organisation to co-sign the submission '
            f'{submission.public_id}, "{TITLE}".'
        )
        assert app.config["PORTAL_BASE_URL"] + path in links_in(invitation)
    for other in (unverified, outsider):
        assert notifications.unread_count(other) == 0
        assert to(read_mailbox(app), other.email) == []

    # The link opens the confirmation page for an invited member.
    login_as(colleague)
    assert client.get(path).status_code == 200
    assert "LBH Medan" in client.get("/me/notifications").get_data(as_text=True)


def test_a_refused_invitation_tells_nobody(app, ngo, academic, policy):
    submission = services.submit(ngo, policy, TITLE, BODY, [], [])
    cosigning.invite_cosigner(ngo, submission, academic.organisation)
    before = len(read_mailbox(app))
    with pytest.raises(ValidationError):
        cosigning.invite_cosigner(ngo, submission, academic.organisation)  # invited already
    assert len(read_mailbox(app)) == before
    assert len(db.session.scalars(select(Notification).where(Notification.user_id == academic.id)).all()) == 1
