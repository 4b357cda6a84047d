"""Admitting new contributions: pre-moderation, the word filter, public ids, snapshots."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from portal.errors import PermissionDenied
from portal.extensions import db, utcnow
from portal.contributions import services as contributions
from portal.moderation import services
from portal.contributions.models import Contribution


def test_a_new_accounts_first_contributions_wait_until_approved(contribute, make_user, moderator):
    citizen = make_user()
    first = contribute(citizen)
    second = contribute(citizen)
    assert (first.status, second.status) == ("pending", "pending")
    assert first.published_at is None
    assert first.events[0].reason == "new_account"
    # Nothing approved yet: still untrusted.
    assert contribute(citizen).status == "pending"

    services.approve(moderator, first)
    assert contribute(citizen).status == "pending", "one published is not yet two"
    services.approve(moderator, second)
    third = contribute(citizen)
    assert third.status == "published"
    assert third.published_at is not None


def test_the_number_of_premoderated_contributions_is_configurable(app, contribute, make_user):
    app.config["MODERATION_PREMODERATE_FIRST_N"] = 0
    assert contribute(make_user()).status == "published"


def test_an_unverified_organisation_member_is_premoderated(contribute, make_user):
    member = make_user(role="academic", organisation="Universitas Sumatera Utara", verified=False)
    assert contribute(member).status == "pending"


@pytest.mark.parametrize("role, verified", [("ngo", True), ("academic", True), ("moderator", False), ("admin", False)])
def test_verified_members_and_officials_are_published_at_once(contribute, make_user, role, verified):
    organisation = "Universitas Negeri Medan" if role in ("ngo", "academic") else None
    author = make_user(role=role, organisation=organisation, verified=verified)
    contribution = contribute(author)
    assert contribution.status == "published"
    assert contribution.events[0].action == "submitted"
    assert contribution.events[0].to_status == "published"


@pytest.mark.parametrize(
    "body",
    [
        "Pejabat BKPSDM itu BANGSAT semua.",
        "dasar bajingan!",
        "Dasar BÀJÍNGAN",  # accents do not hide the word
        "ba\u200bjingan tengik",  # nor does a zero-width space
        "What a load of bullshit, honestly.",
        "ＦＵＣＫ this draft",  # full-width letters
        "PUKI   MAK",  # a phrase across extra spaces
    ],
)
def test_the_word_filter_sends_abuse_to_the_queue_even_from_trusted_authors(contribute, trusted, body):
    contribution = contribute(trusted, body)
    assert contribution.status == "pending"
    assert contribution.events[0].reason == "word_filter"
    assert contribution.body == body  # stored exactly as written


@pytest.mark.parametrize(
    "body",
    [
        "Scunthorpe and Shitake are not words on the list; neither is Dickens.",
        "Kelas jabatan analis kebijakan perlu dinaikkan.",
        "Anjing liar di sekitar kantor camat perlu ditangani Dinas Pertanian.",
        "Petasan; assassin; grasshopper; fuckingham-less words stay fine.",
    ],
)
def test_the_word_filter_matches_whole_words_only(contribute, trusted, body):
    assert contribute(trusted, body).status == "published"


def test_extra_blocked_words_come_from_the_configuration(app, contribute, trusted):
    app.config["MODERATION_BLOCKED_WORDS"] = "korup sekali, pungli"
    assert contribute(trusted, "Kantor itu KORUP   SEKALI.").status == "pending"
    assert contribute(trusted, "Ada Pungli di loket.").status == "pending"
    assert contribute(trusted, "Pelayanan cepat.").status == "published"


def test_a_kind_can_add_its_title_to_the_filtered_text(app, trusted):
    contribution = Contribution(body="Isi yang sopan.")
    contribution.moderated_text = lambda: "Judul: bangsat\n" + contribution.body
    contributions.admit(trusted, contribution)
    db.session.commit()
    assert contribution.status == "pending"


def test_public_ids_follow_the_receipt_format_and_are_unique(contribute, trusted):
    first, second = contribute(trusted), contribute(trusted)
    year = first.created_at.astimezone(timezone(timedelta(hours=7))).year
    assert first.public_id == f"KTR-{year}-{first.id:06d}"
    assert re.fullmatch(r"KTR-\d{4}-\d{6}", second.public_id)
    assert first.public_id != second.public_id


def test_the_public_id_year_is_the_year_in_medan(app):
    contribution = Contribution(body="x")
    contribution.id = 123
    contribution.created_at = datetime(2026, 12, 31, 17, 30, tzinfo=timezone.utc)  # 00:30 WIB on 1 Jan 2027
    assert contributions.make_public_id(contribution) == "KTR-2027-000123"
    contribution.PUBLIC_ID_PREFIX = "MSK"
    contribution.created_at = datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)
    assert contributions.make_public_id(contribution) == "MSK-2026-000123"


def test_the_authors_group_and_organisation_are_kept_as_they_were(contribute, trusted):
    contribution = contribute(trusted)
    organisation_id = trusted.organisation_id
    trusted.role = "citizen"
    trusted.organisation_id = None
    db.session.commit()
    db.session.expire_all()
    assert contribution.stakeholder_group == "ngo"
    assert contribution.organisation_id == organisation_id


def test_an_unverified_affiliation_is_not_credited_to_the_organisation(contribute, make_user):
    member = make_user(role="ngo", organisation="Forum Warga Medan Baru", verified=False)
    contribution = contribute(member)
    assert contribution.stakeholder_group == "citizen"
    assert contribution.organisation_id is None


def test_a_suspended_author_cannot_contribute_until_the_suspension_ends(contribute, trusted):
    trusted.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        contribute(trusted)
    db.session.rollback()
    assert db.session.query(Contribution).count() == 0

    trusted.suspended_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert contribute(trusted).status == "published"


def test_naughty_strings_are_stored_exactly_as_written(contribute, trusted, blns):
    samples = [s for s in blns if s.strip()][:: max(1, len(blns) // 60)]
    made = [contribute(trusted, sample) for sample in samples]
    db.session.expire_all()
    assert [c.body for c in made] == samples
