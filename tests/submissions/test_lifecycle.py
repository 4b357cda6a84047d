"""After sending: withdrawing, co-signing by other organisations, and input
recorded offline by officials."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.errors import Conflict, PermissionDenied, ValidationError
from portal.extensions import db, utcnow
from portal.i18n import local_zone
from portal.contributions import services as contributions
from portal.contributions.models import Contribution
from portal.submissions import cosigning, services
from portal.submissions.models import CoSignature, Submission

from tests.conftest import audit_entries
from tests.submissions.conftest import BODY


def _today() -> date:
    return utcnow().astimezone(local_zone()).date()


# --- withdrawing -------------------------------------------------------------------

def test_the_author_withdraws_before_close_and_the_row_is_kept_marked_withdrawn(client, login_as, ngo, policy):
    submission = services.submit(ngo, policy, "Judul", "Isi masukan.", [], [])
    login_as(ngo)
    page = client.get(f"/submissions/{submission.public_id}").get_data(as_text=True)
    assert "/withdraw" in page
    response = client.post(
        f"/submissions/{submission.public_id}/withdraw", data={"note": "Akan dikirim ulang."}, follow_redirects=True
    )
    assert response.status_code == 200
    db.session.expire_all()
    kept = db.session.get(Submission, submission.id)
    assert kept.status == "withdrawn"
    assert kept.body == "Isi masukan."
    assert [e.action for e in kept.events] == ["submitted", "withdrawn"]
    assert kept.events[-1].note == "Akan dikirim ulang."
    page = response.get_data(as_text=True)
    assert submission.public_id in page
    assert "/withdraw" not in page  # no second withdrawal
    # The public no longer sees it; the author still lists it.
    client.post("/logout")
    assert client.get(f"/submissions/{submission.public_id}").status_code == 404
    assert submission.public_id not in client.get(f"/policies/{policy.slug}/submissions").get_data(as_text=True)


def test_withdrawing_after_the_consultation_closed_is_refused(ngo, official, policy):
    from portal.proposals import services as policy_services

    submission = services.submit(ngo, policy, "Judul", "Isi.", [], [])
    policy_services.transition(official, policy, "closed")
    with pytest.raises(Conflict):
        services.withdraw(ngo, submission)
    assert submission.status == "published"


def test_only_the_author_may_withdraw(ngo, academic, policy, client, login_as):
    submission = services.submit(ngo, policy, "Judul", "Isi.", [], [])
    with pytest.raises(PermissionDenied):
        services.withdraw(academic, submission)
    login_as(academic)
    assert client.post(f"/submissions/{submission.public_id}/withdraw", data={}).status_code == 403


# --- co-signing --------------------------------------------------------------------

def test_a_second_organisation_cosigns_from_its_own_verified_account(client, login_as, ngo, academic, policy):
    submission = services.submit(ngo, policy, "Masukan bersama", "Isi.", [], [])
    login_as(ngo)
    page = client.get(f"/submissions/{submission.public_id}").get_data(as_text=True)
    assert "Universitas Sumatera Utara" in page  # offered in the invitation list
    response = client.post(
        f"/submissions/{submission.public_id}/cosigners", data={"organisation_id": academic.organisation_id}
    )
    assert response.status_code == 302
    cosignature = db.session.scalar(select(CoSignature))
    assert cosignature.status == "requested"
    client.post("/logout")

    login_as(academic)
    mine = client.get("/submissions/mine").get_data(as_text=True)
    assert submission.public_id in mine  # the invitation waits on the member's page
    confirm_page = client.get(f"/cosignatures/{cosignature.id}")
    assert confirm_page.status_code == 200
    assert "Masukan bersama" in confirm_page.get_data(as_text=True)
    response = client.post(f"/cosignatures/{cosignature.id}", follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    cosignature = db.session.get(CoSignature, cosignature.id)
    assert cosignature.status == "confirmed"
    assert cosignature.user_id == academic.id
    assert cosignature.confirmed_at is not None
    client.post("/logout")
    client._token = None
    client.post("/language", data={"lang": "en", "next": "/"})
    public = client.get(f"/submissions/{submission.public_id}").get_data(as_text=True)
    assert "Co-signed by" in public
    assert "Universitas Sumatera Utara" in public


def test_nobody_but_a_verified_member_of_the_invited_organisation_confirms(make_user, ngo, academic, policy):
    submission = services.submit(ngo, policy, "Judul", "Isi.", [], [])
    cosignature = cosigning.invite_cosigner(ngo, submission, academic.organisation)
    unverified_colleague = make_user(role="academic", organisation="Universitas Sumatera Utara", verified=False)
    for outsider in (ngo, unverified_colleague, make_user()):
        with pytest.raises(PermissionDenied):
            cosigning.confirm_cosign(outsider, cosignature)
    cosigning.confirm_cosign(academic, cosignature)
    with pytest.raises(PermissionDenied):  # confirmed once
        cosigning.confirm_cosign(academic, cosignature)


def test_an_organisation_is_invited_once_and_never_its_own(ngo, academic, policy):
    submission = services.submit(ngo, policy, "Judul", "Isi.", [], [])
    with pytest.raises(ValidationError):
        cosigning.invite_cosigner(ngo, submission, ngo.organisation)
    cosigning.invite_cosigner(ngo, submission, academic.organisation)
    with pytest.raises(ValidationError):
        cosigning.invite_cosigner(ngo, submission, academic.organisation)
    with pytest.raises(PermissionDenied):
        cosigning.invite_cosigner(academic, submission, academic.organisation)


def test_an_invitation_to_a_bad_organisation_id_is_answered_without_error(client, login_as, ngo, policy):
    submission = services.submit(ngo, policy, "Judul", "Isi.", [], [])
    login_as(ngo)
    for value in ("abc", "99999999999", "-1", ""):
        response = client.post(f"/submissions/{submission.public_id}/cosigners", data={"organisation_id": value})
        assert response.status_code == 302
    assert db.session.scalar(select(func.count(CoSignature.id))) == 0
    assert client.get("/cosignatures/99999999999").status_code == 404


# --- offline input ---------------------------------------------------------------------

def test_the_receipt_shows_the_day_offline_input_arrived_as_a_date_in_words(client, english, official, policy):
    from datetime import date

    submission = services.record_offline(
        official, policy, title="Surat RT 05", body="Isi surat.", channel="letter",
        received_on=date(2025, 3, 17), author_name="Ketua RT 05",
    )
    path = f"/submissions/{submission.public_id}"
    assert "17 March 2025" in client.get(path).get_data(as_text=True)
    client.post("/language", data={"lang": "id", "next": "/"})
    page = client.get(path).get_data(as_text=True)
    assert "17 Maret 2025" in page and "2025-03-17" not in page


def test_offline_input_recorded_by_an_official_counts_and_is_audited(client, login_as, official, policy):
    login_as(official)
    response = client.post(
        f"/policies/{policy.slug}/submissions/offline",
        data={
            "channel": "letter",
            "received_on": _today().isoformat(),
            "author_name": "Forum Warga Medan Johor",
            "organisation_name": "Forum Warga Medan Johor",
            "stakeholder_group": "ngo",
            "title": "Surat tentang rasio pekerja sosial",
            "body": "Kami meminta rasio pekerja sosial dinaikkan.",
            "article_keys": ["pasal-9"],
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    submission = db.session.scalar(select(Submission))
    assert submission.public_id in page
    assert "Forum Warga Medan Johor" in page
    assert submission.is_offline and submission.channel == "letter"
    assert submission.recorded_by_id == official.id
    assert submission.received_on == _today()
    assert submission.stakeholder_group == "ngo"
    assert submission.status == "published"
    # It counts like any other submission.
    assert services.count_for_policy(policy) == 1
    assert db.session.scalar(
        select(func.count(Contribution.id)).where(Contribution.policy_id == policy.id, contributions.publicly_visible())
    ) == 1
    entry = audit_entries("submission.record_offline")[0]
    assert entry.actor_id == official.id
    detail = json.loads(entry.detail)
    assert detail["channel"] == "letter"
    assert detail["author"] == "Forum Warga Medan Johor"
    assert entry.target_label == submission.public_id


def test_only_officials_record_offline_input(client, login_as, ngo, policy):
    with pytest.raises(PermissionDenied):
        services.record_offline(
            ngo, policy, title="Judul", body="Isi.", channel="letter", received_on=_today(), author_name="X"
        )
    login_as(ngo)
    assert client.get(f"/policies/{policy.slug}/submissions/offline").status_code == 403


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"channel": "portal"}, "channel"),
        ({"received_on": None}, "received_on"),
        ({"received_on": "future"}, "received_on"),
        ({"author_name": "  "}, "author_name"),
        ({"stakeholder_group": "official"}, "stakeholder_group"),
    ],
)
def test_offline_input_needs_channel_date_and_author(official, policy, changes, field):
    details = dict(title="Judul", body="Isi.", channel="hearing", received_on=_today(), author_name="Notulen RDP")
    details.update(changes)
    if details["received_on"] == "future":
        details["received_on"] = _today() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.record_offline(official, policy, **details)
    assert refused.value.field == field


def test_a_letter_received_during_a_closed_consultation_can_still_be_recorded(official, make_policy):
    closed = make_policy(status="closed", title="Rancangan yang sudah ditutup", body=BODY)
    submission = services.record_offline(
        official, closed, title="Notulen RDP", body="Isi notulen.", channel="hearing",
        received_on=_today(), author_name="DPRD Kota Medan",
    )
    assert submission.status == "published"
