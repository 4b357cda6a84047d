"""Sending a formal submission: who may, when, and the receipt number."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.contributions import checks
from portal.errors import Conflict, PermissionDenied, ValidationError
from portal.extensions import db, utcnow
from portal.submissions import services
from portal.submissions.attachments import Upload
from portal.submissions.models import Attachment, Submission
from tests.submissions.conftest import BODY, make_docx, make_odt

RECEIPT = re.compile(r"MSK-\d{4}-\d{6}")


def _form(**fields):
    data = {"title": "Masukan atas sumber data", "body": "Data pengaduan perlu dimasukkan ke Pasal 5."}
    data.update(fields)
    return data


def test_a_verified_ngo_member_submits_with_a_pdf_and_sees_the_receipt_at_once_and_on_their_page(
    client, login_as, ngo, policy, pdf_bytes
):
    login_as(ngo)
    response = client.post(
        f"/policies/{policy.slug}/submissions/new",
        data=_form(article_keys=["pasal-5", "pasal-9"], attachments=[(io.BytesIO(pdf_bytes), "masukan.pdf")]),
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    receipt = RECEIPT.search(page).group(0)
    assert "Masukan atas sumber data" in page
    assert "masukan.pdf" in page
    assert "Pasal 5" in page and "Pasal 9" in page

    submission = db.session.scalar(select(Submission))
    assert submission.public_id == receipt
    assert submission.organisation.name == "LBH Medan"
    assert submission.stakeholder_group == "ngo"
    assert submission.status == "published"
    assert submission.article_keys == ["pasal-5", "pasal-9"]
    [attachment] = submission.attachments
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(pdf_bytes)

    mine = client.get("/submissions/mine").get_data(as_text=True)
    assert receipt in mine
    assert "Masukan atas sumber data" in mine


def test_the_receipt_shows_the_status_history_to_the_author(client, login_as, ngo, policy):
    submission = services.submit(ngo, policy, "Judul", "Isi masukan.", [], [])
    login_as(ngo)
    page = client.get(f"/submissions/{submission.public_id}").get_data(as_text=True)
    assert "Status history" in page
    assert submission.public_id in page


@pytest.mark.parametrize(
    "role, organisation, verified",
    [("citizen", None, False), ("ngo", "LSM Belum Terverifikasi", False), ("academic", "Kampus Belum", False)],
)
def test_citizens_and_unverified_members_are_refused_with_a_clear_message(
    client, login_as, make_user, policy, role, organisation, verified
):
    user = make_user(role=role, organisation=organisation, verified=verified, locale="en")
    login_as(user)
    form_page = client.get(f"/policies/{policy.slug}/submissions/new")
    assert form_page.status_code == 403
    response = client.post(f"/policies/{policy.slug}/submissions/new", data=_form())
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "verified" in page
    assert db.session.scalar(select(Submission)) is None
    with pytest.raises(PermissionDenied) as refused:
        services.submit(user, policy, "Judul", "Isi", [], [])
    assert refused.value.message


def test_signed_out_visitors_are_sent_to_sign_in(client, policy):
    response = client.get(f"/policies/{policy.slug}/submissions/new")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_closed_consultation_refuses_submissions_with_a_clear_message(client, login_as, ngo, make_policy):
    closed = make_policy(status="closed", title="Rancangan yang sudah ditutup", body=BODY)
    login_as(ngo)
    response = client.post(f"/policies/{closed.slug}/submissions/new", data=_form())
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "not open for input" in page
    # What was typed is shown back, not lost.
    assert "Data pengaduan perlu dimasukkan ke Pasal 5." in page
    assert db.session.scalar(select(Submission)) is None
    with pytest.raises(Conflict):
        services.submit(ngo, closed, "Judul", "Isi", [], [])


def test_a_consultation_past_its_closing_time_refuses_submissions(ngo, make_policy):
    now = utcnow()
    ended = make_policy(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=5), body=BODY)
    ended.closes_at = now - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(Conflict):
        services.submit(ngo, ended, "Judul", "Isi", [], [])


def test_a_draft_policy_is_not_found(client, login_as, ngo, make_policy):
    draft = make_policy(status="draft", title="Rancangan internal", body=BODY)
    login_as(ngo)
    assert client.get(f"/policies/{draft.slug}/submissions/new").status_code == 404


def test_docx_and_odt_attachments_are_accepted_by_content(ngo, policy):
    submission = services.submit(
        ngo, policy, "Judul", "Isi masukan.", [],
        [Upload("kajian.docx", make_docx()), Upload("catatan.odt", make_odt()), Upload("", b"")],
    )
    types = [a.content_type for a in submission.attachments]
    assert types == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
    ]


def test_a_stored_attachment_lives_under_instance_uploads_with_a_random_name(app, ngo, policy, pdf_bytes):
    submission = services.submit(ngo, policy, "Judul", "Isi.", [], [Upload("../../static/x.pdf", pdf_bytes)])
    attachment = submission.attachments[0]
    assert attachment.original_name == "x.pdf"
    path = app.config["INSTANCE_PATH"] + "/uploads/" + attachment.stored_name
    with open(path, "rb") as handle:
        assert handle.read() == pdf_bytes
    assert "x.pdf" not in attachment.stored_name


def test_more_than_five_attachments_are_refused(ngo, policy, pdf_bytes):
    with pytest.raises(ValidationError) as refused:
        services.submit(ngo, policy, "Judul", "Isi.", [], [Upload(f"{n}.pdf", pdf_bytes) for n in range(6)])
    assert refused.value.field == "attachments"
    assert db.session.scalar(select(Attachment)) is None


def test_unknown_articles_are_refused(ngo, policy):
    with pytest.raises(ValidationError) as refused:
        services.submit(ngo, policy, "Judul", "Isi.", ["pasal-99"], [])
    assert refused.value.field == "article_keys"


def test_the_same_submission_sent_again_is_saved_once_and_later_refused(ngo, policy):
    first = services.submit(ngo, policy, "Judul", "Isi yang sama.", [], [])
    # The form sent again (a resend, or a request the load balancer retried): the same submission.
    again = services.submit(ngo, policy, "Judul", "Isi yang sama.", [], [])
    assert again.public_id == first.public_id
    assert db.session.scalar(select(func.count()).select_from(Submission).where(Submission.author_id == ngo.id)) == 1
    # Long after, the same text again is refused with the receipt of the first.
    first.created_at -= timedelta(seconds=checks.REPLAY_SECONDS + 1)
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        services.submit(ngo, policy, "Judul", "Isi yang sama.", [], [])
    assert first.public_id in refused.value.message


def test_blank_title_or_body_is_refused_and_the_form_keeps_the_other(client, login_as, ngo, policy):
    login_as(ngo)
    response = client.post(f"/policies/{policy.slug}/submissions/new", data=_form(title="   "))
    assert response.status_code == 400
    assert "Data pengaduan perlu dimasukkan ke Pasal 5." in response.get_data(as_text=True)


@pytest.fixture
def submit_limited(limited_client, ngo, policy):
    """A client of an app that allows two submissions a minute, signed in as the NGO member.

    The member and policy are read before the second app's context is pushed, so
    the outer session never borrows a connection from the second app's engine.
    """
    from tests.conftest import PASSWORD

    email, slug = ngo.email, policy.slug
    client = limited_client(SUBMISSION_RATE_LIMIT="2 per minute")
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    client._token = None
    return client, slug


def test_the_third_submission_in_a_minute_answers_429(submit_limited):
    client, slug = submit_limited
    statuses = [
        client.post(f"/policies/{slug}/submissions/new", data=_form(body=f"Isi nomor {n}.")).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_a_pending_submission_is_hidden_from_others_but_shown_to_its_author(
    app, client, login_as, ngo, academic, policy
):
    app.config["MODERATION_BLOCKED_WORDS"] = ("katatunda",)
    submission = services.submit(ngo, policy, "Judul", "Isi dengan katatunda.", [], [])
    assert submission.status == "pending"
    assert client.get(f"/submissions/{submission.public_id}").status_code == 404
    login_as(academic)
    assert client.get(f"/submissions/{submission.public_id}").status_code == 404
    client.post("/logout")
    login_as(ngo)
    page = client.get(f"/submissions/{submission.public_id}").get_data(as_text=True)
    assert submission.public_id in page
    assert "waits for a moderator" in page


def test_an_unknown_receipt_number_is_not_found(client):
    assert client.get("/submissions/MSK-2026-999999").status_code == 404
    assert client.get("/submissions/not-a-receipt").status_code == 404


def test_the_policy_submission_list_shows_published_submissions(client, ngo, policy):
    submission = services.submit(ngo, policy, "Masukan publik", "Isi **tebal**.", [], [])
    page = client.get(f"/policies/{policy.slug}/submissions").get_data(as_text=True)
    assert submission.public_id in page
    assert "<strong>tebal</strong>" in page
