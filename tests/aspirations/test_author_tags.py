"""Part 1 of issue 10 on every form: authors tag the positions and OPDs their formal submission,
forum thread or forum answer concerns, with the comment form's field; the tags are stored as the
author's links, shown on the contribution and in the moderators' links queue; bad tags are a
form error in the reader's language that keeps what was typed. (Neither submissions nor forum
posts can be edited, so there is no edit form to tag.)"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.aspirations.links.models import ContributionLink
from portal.extensions import db
from portal.forums.models import Post, Thread
from portal.positions.tags import MAX_TAGS
from portal.submissions.models import Submission

from tests.conftest import text_of


@pytest.fixture(autouse=True)
def _published(publish_at_once):
    """Contributions published at once."""


@pytest.fixture
def nurse(make_position, make_opd):
    """A position of Dinas Kesehatan."""
    dinkes = make_opd(name="Dinas Kesehatan Kota Medan", code="DKS")
    return make_position(opd=dinkes, name="Perawat Terampil", main_tasks="Asuhan keperawatan di puskesmas")


@pytest.fixture
def teacher(make_position, make_opd):
    """A position of Dinas Pendidikan, linked to no policy."""
    disdik = make_opd(name="Dinas Pendidikan Kota Medan", code="DPK")
    return make_position(opd=disdik, name="Guru Ahli Pertama")


@pytest.fixture
def linked_policy(make_policy, nurse):
    """An open policy that governs the nurse's position."""
    return make_policy(positions=[nurse], title="Rancangan Perwal Formasi Tenaga Kesehatan")


def author_links(contribution_id: int) -> set[tuple]:
    return {(link.position_id, link.opd_id, link.created_by_id) for link in db.session.scalars(
        select(ContributionLink).where(ContributionLink.contribution_id == contribution_id,
                                       ContributionLink.source == "author", ContributionLink.status == "active"))}


def link_count() -> int:
    return db.session.scalar(select(func.count(ContributionLink.id))) or 0


def checkboxes(page) -> dict[str, str]:
    """value -> label text of the page's "concerns" checkboxes."""
    html = page.get_data(as_text=True)
    found = {}
    for input_id, value in re.findall(r'<input type="checkbox" id="([^"]+)" name="concerns" value="([^"]+)"', html):
        label = re.search(rf'<label for="{re.escape(input_id)}">([^<]*)</label>', html)
        found[value] = label.group(1) if label else ""
    return found


BAD_TAGS = [["position:99999999"], ["opd:x"], ["evil:1"], ["position:²"],
            [f"position:{n}" for n in range(1, MAX_TAGS + 2)]]


# --- formal submissions -------------------------------------------------------------

def _submission(**fields):
    return {"title": "Masukan formasi perawat", "body": "Formasi perawat puskesmas perlu ditambah.", **fields}


def test_the_submission_form_offers_the_policys_positions_and_records_the_authors_tags(
        client_for, member, linked_policy, nurse, moderator):
    client = client_for(member)
    form = client.get(f"/policies/{linked_policy.slug}/submissions/new")
    assert form.status_code == 200
    assert checkboxes(form) == {f"position:{nurse.id}": "Perawat Terampil",
                                f"opd:{nurse.opd_id}": "Dinas Kesehatan Kota Medan"}
    sent = client.post(f"/policies/{linked_policy.slug}/submissions/new", data=_submission(
        body="Dinkes perlu menambah formasi perawat.", concerns=[f"position:{nurse.id}"]),
        content_type="multipart/form-data")
    assert sent.status_code == 302
    sent.close()  # the server runs the portal's suggestions once the response is closed
    submission = db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()
    assert author_links(submission.id) == {(nurse.id, None, member.id)}
    receipt = text_of(client.get(f"/submissions/{submission.public_id}"))
    assert "Positions and OPDs it concerns Perawat Terampil (position, Dinas Kesehatan Kota Medan)" in receipt
    # the moderators see the author's tag beside the portal's suggestion (Dinkes is in the text)
    queue = text_of(client_for(moderator).get("/moderation/links"))
    assert submission.public_id in queue
    assert "Links already made Perawat Terampil (position, Dinas Kesehatan Kota Medan) — Tagged by the author" in queue


@pytest.mark.parametrize("concerns", BAD_TAGS)
def test_bad_tags_on_a_submission_are_a_form_error_that_keeps_the_text(client_for, member, linked_policy, concerns):
    client = client_for(member)
    page = client.post(f"/policies/{linked_policy.slug}/submissions/new",
                       data=_submission(title="Judul saya", body="Teks yang saya ketik.", concerns=concerns),
                       content_type="multipart/form-data")
    assert page.status_code == 400
    text = text_of(page)
    assert ("Choose the positions and OPDs from the list." in text
            or f"Choose at most {MAX_TAGS} positions or OPDs." in text)
    assert "Teks yang saya ketik." in text and 'value="Judul saya"' in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Submission.id))) == 0 and link_count() == 0


def test_the_submission_error_is_in_indonesian_by_default(client_for, member, linked_policy):
    page = client_for(member, lang=None).post(
        f"/policies/{linked_policy.slug}/submissions/new",
        data=_submission(concerns=["opd:99999999"]), content_type="multipart/form-data")
    assert page.status_code == 400
    assert "Pilih jabatan dan OPD dari daftar." in text_of(page)


def test_naughty_strings_as_submission_tags_never_fail(client_for, member, linked_policy, blns):
    client = client_for(member)
    for value in blns[:: max(1, len(blns) // 40)]:
        page = client.post(f"/policies/{linked_policy.slug}/submissions/new",
                           data=_submission(body="Teks tetap ada.", concerns=[value]),
                           content_type="multipart/form-data")
        assert page.status_code == 400, value
        assert "Teks tetap ada." in text_of(page)
    assert db.session.scalar(select(func.count(Submission.id))) == 0


# --- forum threads and answers -------------------------------------------------------

def _policy_category(policy):
    from portal.forums import services

    return services.policy_category(policy)


def test_a_thread_in_a_policys_forum_is_tagged_shown_and_queued(client_for, citizen, linked_policy, nurse,
                                                                  moderator):
    category = _policy_category(linked_policy)
    client = client_for(citizen)
    form = client.get(f"/forum/c/{category.slug}/new")
    assert checkboxes(form) == {f"position:{nurse.id}": "Perawat Terampil",
                                f"opd:{nurse.opd_id}": "Dinas Kesehatan Kota Medan"}
    sent = client.post(f"/forum/c/{category.slug}/new", data={
        "title": "Perawat puskesmas", "body": "Dinkes kekurangan perawat di puskesmas rawat inap.",
        "concerns": [f"position:{nurse.id}", f"opd:{nurse.opd_id}"]})
    assert sent.status_code == 302
    sent.close()  # the server runs the portal's suggestions once the response is closed
    thread = db.session.scalars(select(Thread).order_by(Thread.id.desc())).first()
    opening = thread.posts[0]
    assert author_links(opening.id) == {(nurse.id, None, citizen.id), (None, nurse.opd_id, citizen.id)}
    page = text_of(client.get(f"/forum/t/{thread.id}"))
    assert ("Concerns: Perawat Terampil (position, Dinas Kesehatan Kota Medan) ; "
            "Dinas Kesehatan Kota Medan (OPD)") in page
    # both tags are the author's, so the portal suggests nothing more and the queue has nothing to decide
    assert opening.public_id not in text_of(client_for(moderator).get("/moderation/links"))
    assert link_count() == 2
    answered = client.post(f"/forum/t/{thread.id}/reply", data={
        "body": "Dinkes juga perlu bidan.", "concerns": [f"position:{nurse.id}"]})
    assert answered.status_code == 302
    answered.close()
    answer = db.session.scalars(select(Post).order_by(Post.id.desc())).first()
    queue = text_of(client_for(moderator).get("/moderation/links"))
    assert answer.public_id in queue
    assert "Links already made Perawat Terampil (position, Dinas Kesehatan Kota Medan) — Tagged by the author" in queue


def test_an_answer_in_a_general_category_finds_a_position_by_name_without_losing_the_text(
        client_for, citizen, make_thread, general, teacher):
    thread = make_thread(category=general)
    client = client_for(citizen)
    assert checkboxes(client.get(f"/forum/t/{thread.id}")) == {}  # no policy: nothing to offer before a search
    found = client.post(f"/forum/t/{thread.id}/reply", data={
        "body": "Guru SD di Medan Deli kurang.", "concerns_q": "guru ahli", "concerns_find": "1"})
    assert found.status_code == 200
    assert checkboxes(found) == {f"position:{teacher.id}": "Guru Ahli Pertama — Dinas Pendidikan Kota Medan"}
    assert "Guru SD di Medan Deli kurang." in text_of(found) and "1 position or OPD found" in text_of(found)
    assert db.session.scalar(select(func.count(Post.id))) == 1  # the search stored nothing
    by_opd = client.post(f"/forum/t/{thread.id}/reply", data={
        "body": "Guru SD di Medan Deli kurang.", "concerns": [f"position:{teacher.id}"],
        "concerns_q": "pendidikan", "concerns_find": "1"})
    assert checkboxes(by_opd) == {f"position:{teacher.id}": "Guru Ahli Pertama",
                                  f"opd:{teacher.opd_id}": "Dinas Pendidikan Kota Medan"}
    assert f'value="position:{teacher.id}" checked' in by_opd.get_data(as_text=True)  # the choice stays ticked
    nothing = client.post(f"/forum/t/{thread.id}/reply", data={"body": "x", "concerns_q": "zzzz",
                                                               "concerns_find": "1"})
    assert "No position or OPD has this name." in text_of(nothing)
    sent = client.post(f"/forum/t/{thread.id}/reply", data={
        "body": "Guru SD di Medan Deli kurang.", "concerns": [f"position:{teacher.id}"]})
    assert sent.status_code == 302
    answer = db.session.scalars(select(Post).order_by(Post.id.desc())).first()
    assert author_links(answer.id) == {(teacher.id, None, citizen.id)}
    assert "Concerns: Guru Ahli Pertama" in text_of(client.get(f"/forum/t/{thread.id}"))


@pytest.mark.parametrize("concerns", BAD_TAGS)
def test_bad_tags_on_forum_posts_are_a_form_error_that_keeps_the_text(
        client_for, citizen, general, make_thread, concerns):
    thread = make_thread(category=general)
    posts = db.session.scalar(select(func.count(Post.id)))
    client = client_for(citizen)
    new = client.post(f"/forum/c/{general.slug}/new", data={"title": "Judul saya", "body": "Isi yang saya ketik.",
                                                           "concerns": concerns})
    answer = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Jawaban yang saya ketik.",
                                                              "concerns": concerns})
    for page, typed in ((new, "Isi yang saya ketik."), (answer, "Jawaban yang saya ketik.")):
        assert page.status_code == 400
        text = text_of(page)
        assert ("Choose the positions and OPDs from the list." in text
                or f"Choose at most {MAX_TAGS} positions or OPDs." in text)
        assert typed in text
    assert db.session.scalar(select(func.count(Post.id))) == posts and link_count() == 0


def test_forum_tag_errors_are_in_indonesian_by_default(client_for, citizen, general):
    page = client_for(citizen, lang=None).post(f"/forum/c/{general.slug}/new", data={
        "title": "Judul", "body": "Isi.", "concerns": [f"position:{n}" for n in range(1, MAX_TAGS + 2)]})
    assert page.status_code == 400
    assert f"Pilih paling banyak {MAX_TAGS} jabatan atau OPD." in text_of(page)


def test_naughty_strings_as_forum_tags_and_searches_never_fail(client_for, citizen, general, make_thread, blns):
    thread = make_thread(category=general)
    client = client_for(citizen)
    for value in blns[:: max(1, len(blns) // 40)]:
        refused = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Teks tetap ada.", "concerns": [value]})
        assert refused.status_code == 400, value
        searched = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Teks tetap ada.", "concerns_q": value,
                                                                    "concerns_find": "1"})
        assert searched.status_code == 200, value
        assert "Teks tetap ada." in text_of(searched)


def test_searching_does_not_count_against_the_posting_limit(limited_client, citizen, sign_in, general):
    new = f"/forum/c/{general.slug}/new"  # read before the second app's context begins
    assert citizen.email  # loaded now too
    client = limited_client(FORUM_POST_RATE_LIMIT="1 per minute")
    sign_in(citizen, client)
    for _ in range(3):
        assert client.post(new, data={"title": "Judul", "body": "Isi.", "concerns_q": "dinas",
                                      "concerns_find": "1"}).status_code == 200
    assert client.post(new, data={"title": "Judul", "body": "Isi."}).status_code == 302
    assert client.post(new, data={"title": "Lagi", "body": "Lagi."}).status_code == 429


def test_bad_tags_on_a_comment_are_now_a_form_error_too(client_for, citizen, linked_policy, nurse):
    client = client_for(citizen)
    page = client.post(f"/policies/{linked_policy.slug}/comments", data={
        "body": "Komentar yang saya ketik.", "stance": "objects", "concerns": ["opd:99999999"]})
    assert page.status_code == 400
    text = text_of(page)
    assert "Choose the positions and OPDs from the list." in text and "Komentar yang saya ketik." in text
    assert link_count() == 0
