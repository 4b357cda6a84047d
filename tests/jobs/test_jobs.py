"""Long work on a real RQ worker (REDIS_URL set): summaries and large exports started from the
official's pages, their progress and result on the page, retries and failures, the search drain
within a burst, and a worker restart between runs. The inline path is covered by the existing
summaries and exports tests (no REDIS_URL)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from portal.aspirations.summaries.models import Summary
from portal.extensions import db
from portal.jobs.models import Job
from tests.conftest import audit_entries, text_of

TEXTS = [
    "Beban kerja perawat di puskesmas terlalu tinggi, jumlah perawat harus ditambah {n}.",
    "Pelatihan sertifikasi kompetensi perawat harus rutin setiap tahun {n}.",
    "Perawat puskesmas kewalahan melayani pasien, beban kerja perlu dihitung ulang {n}.",
    "Syarat pelatihan teknis dan sertifikasi kompetensi perlu diperjelas {n}.",
]


@pytest.fixture
def position_with_input(make_position, make_policy, moderator, make_user, contribute, publish_at_once):
    position = make_position(name="Perawat Terampil", required_count=10, incumbent_count=7)
    policy = make_policy(by=moderator, positions=[position])
    people = [make_user(role=role) for role in ("citizen", "ngo", "academic")]
    for n in range(12):
        contribute(people[n % 3], TEXTS[n % 4].format(n=n), kind="field_comment", on=position, stance="objects")
    return position, policy


def _job() -> Job:
    db.session.expire_all()
    return db.session.scalars(select(Job).order_by(Job.id.desc())).first()


def test_a_summary_computed_from_the_page_runs_on_the_worker_with_its_progress_shown(
        queued_app, browser, work, moderator, position_with_input):
    position, _ = position_with_input
    client = browser(moderator)
    response = client.post(f"/aspirations/positions/{position.id}", data={"themes": "2"})
    assert response.status_code == 302 and "/aspirations/summaries/jobs/" in response.headers["Location"]
    assert db.session.scalars(select(Summary)).all() == []  # nothing computed in the request
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Computing… 0%" in text_of(page) and 'http-equiv="refresh"' in page.get_data(as_text=True)
    job = _job()
    assert client.get(f"/aspirations/summaries/jobs/{job.id}/status").json["status"] == "queued"

    seen = []

    def note(target, value, old, initiator):
        seen.append(value)

    event.listen(Job.progress, "set", note)
    try:
        assert work() >= 1
    finally:
        event.remove(Job.progress, "set", note)
    assert seen[:3] == [5, 20, 70] and seen[-1] == 100  # reported by the task as it went

    done = client.get(response.headers["Location"])
    summary = db.session.scalars(select(Summary)).one()
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/aspirations/summaries/{summary.id}")
    assert summary.status == "draft" and summary.contribution_count == 12 and summary.created_by_id == moderator.id
    review = client.get(done.headers["Location"])
    assert review.status_code == 200 and "Publish" in text_of(review)
    status = client.get(f"/aspirations/summaries/jobs/{job.id}/status").json
    assert status["status"] == "done" and status["progress"] == 100 and status["url"].endswith(str(summary.id))


def test_a_policy_summary_runs_on_the_worker_too(queued_app, browser, work, moderator, official, sign_in,
                                                position_with_input):
    _, policy = position_with_input
    client = browser(moderator)
    response = client.post(f"/aspirations/policies/{policy.slug}", data={"themes": "", "article_key": ""})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    indonesian = queued_app.test_client()  # another official, in the default language
    sign_in(official, indonesian)
    assert "Sedang dihitung… 0%" in text_of(indonesian.get(response.headers["Location"]))
    work()
    assert client.get(response.headers["Location"]).status_code == 302
    assert _job().status == "done"


def test_a_failing_job_is_retried_then_shows_its_failure_and_can_be_started_again(
        queued_app, browser, work, moderator, official, make_user, position_with_input):
    position, _ = position_with_input
    requester = make_user(role="moderator")
    client = browser(requester)
    location = client.post(f"/aspirations/positions/{position.id}", data={"themes": "2"}).headers["Location"]
    requester.role = "citizen"  # the requester lost the right before the worker got to it: each attempt fails
    db.session.commit()
    work()
    job = _job()
    assert job.status == "failed" and job.attempts == 3  # the first run and JOBS_RETRIES=2 retries
    assert "PermissionDenied" in job.error
    colleague = browser(official)
    page = colleague.get(location)
    assert page.status_code == 200
    assert "The job failed after 3 attempt(s)." in text_of(page) and "Try again" in text_of(page)
    assert 'http-equiv="refresh"' not in page.get_data(as_text=True)

    requester.role = "moderator"
    db.session.commit()
    assert colleague.post(f"/aspirations/summaries/jobs/{job.id}/retry").status_code == 302
    assert _job().status == "queued"
    work()
    assert _job().status == "done"
    assert colleague.get(location).status_code == 302


def test_only_officials_see_summary_jobs(queued_app, app, browser, work, moderator, citizen, position_with_input):
    position, _ = position_with_input
    location = browser(moderator).post(f"/aspirations/positions/{position.id}", data={"themes": "2"}).headers["Location"]
    job = _job()
    assert browser(citizen).get(location).status_code == 404
    assert browser(citizen).get(f"/aspirations/summaries/jobs/{job.id}/status").status_code == 404
    assert browser(citizen).post(f"/aspirations/summaries/jobs/{job.id}/retry").status_code == 404
    assert queued_app.test_client().get(location).status_code == 302  # to the sign-in page


def _fetch(client, url):
    """GET `url` and close the response (a kept file is sent from disk): (status, headers, body)."""
    response = client.get(url)
    try:
        return response.status_code, response.headers, response.get_data()
    finally:
        response.close()


def _export(client, **form):
    return client.post("/aspirations/export/", data={"format": "csv", "statuses": ["published"], **form})


def test_a_large_export_is_written_by_the_worker_and_kept_for_download(
        queued_app, browser, work, moderator, official, citizen, position_with_input, runner):
    _, policy = position_with_input
    position, _ = position_with_input
    client = browser(moderator)
    # A small export still downloads at once.
    small = _export(client, policy=str(policy.id), since="2099-01-01")
    small.get_data()
    assert small.status_code == 200 and small.headers["Content-Disposition"].startswith("attachment")
    response = _export(client, position=str(position.id))  # 12 rows, above EXPORT_INLINE_MAX_ROWS=5
    assert response.status_code == 302 and "/aspirations/export/jobs/" in response.headers["Location"]
    location = response.headers["Location"]
    assert "Preparing the file… 0%" in text_of(client.get(location))
    assert work() >= 1
    page = client.get(location)
    assert "The file is ready." in text_of(page)
    job = _job()
    status, headers, body = _fetch(client, f"/aspirations/export/jobs/{job.id}/file")
    assert status == 200 and headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert len(rows) == 12 and job.result["rows"] == 12
    # Another official may download an export without personal data; a citizen may not.
    assert _fetch(browser(official), f"/aspirations/export/jobs/{job.id}/file")[0] == 200
    assert _fetch(browser(citizen), f"/aspirations/export/jobs/{job.id}/file")[0] == 404
    assert browser(citizen).get(location).status_code == 404

    # The kept file expires: `flask jobs clean` deletes it and the page says so.
    job.expires_at = job.expires_at - timedelta(days=2)
    db.session.commit()
    result = queued_app.test_cli_runner().invoke(args=["jobs", "clean"])
    assert result.exit_code == 0 and "1 kept result(s) expired." in result.output
    assert _fetch(client, f"/aspirations/export/jobs/{job.id}/file")[0] == 404
    assert "The file has expired." in text_of(client.get(location))


def test_a_personal_data_export_job_is_the_admins_alone_and_audited(
        queued_app, browser, work, admin, moderator, position_with_input):
    position, _ = position_with_input
    client = browser(admin)
    response = _export(client, position=str(position.id), personal="y", reason="Verifikasi identitas")
    assert response.status_code == 302
    work()
    job = _job()
    assert job.status == "done"
    assert [entry.reason for entry in audit_entries("aspirations.export_personal")] == ["Verifikasi identitas"]
    assert _fetch(client, f"/aspirations/export/jobs/{job.id}/file")[0] == 200
    assert _fetch(browser(moderator), f"/aspirations/export/jobs/{job.id}/file")[0] == 404
    assert browser(moderator).get(response.headers["Location"]).status_code == 404


def test_twenty_jobs_then_a_worker_restart_then_more(queued_app, browser, work, moderator, position_with_input):
    position, _ = position_with_input
    client = browser(moderator)
    for n in range(20):
        if n % 2:
            assert client.post(f"/aspirations/positions/{position.id}", data={"themes": "2"}).status_code == 302
        else:
            assert _export(client, position=str(position.id)).status_code == 302
    assert work() >= 20
    db.session.expire_all()
    assert [job.status for job in db.session.scalars(select(Job))] == ["done"] * 20
    assert len(db.session.scalars(select(Summary)).all()) == 10
    # A new worker (a restart) picks up what was queued while none ran.
    for _ in range(3):
        client.post(f"/aspirations/positions/{position.id}", data={"themes": "2"})
    assert work() >= 3
    db.session.expire_all()
    assert {job.status for job in db.session.scalars(select(Job))} == {"done"}
    assert len(db.session.scalars(select(Summary)).all()) == 13


def test_a_committed_change_queues_one_search_drain_that_the_worker_applies(
        queued_app, browser, work, citizen, policy, publish_at_once):
    from portal.search import outbox, services as search

    client = browser(citizen)
    for n in range(3):
        response = client.post(f"/policies/{policy.slug}/comments",
                               data={"body": f"Komentar antrean pencarian nomor {n} tentang perawat.", "stance": "supports"})
        assert response.status_code in (302, 303)
    assert outbox.pending_count() > 0
    assert work() == 1  # one pending drain at a time, however many changes
    assert outbox.pending_count() == 0
    report = search.check()
    assert report.waiting == 0 and report.agrees
    assert client.get("/search?q=antrean").status_code == 200
    assert "antrean pencarian nomor 2" in text_of(client.get("/search?q=antrean"))


def test_the_summarize_command_makes_the_same_drafts_and_refuses_unknown_ids(app, runner, admin, position_with_input):
    position, policy = position_with_input
    result = runner.invoke(args=["aspirations", "summarize", "--position", str(position.id), "--themes", "2", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Summaries computed" in result.output and "of Perawat Terampil: 2 theme(s) over 12 contribution(s)." in result.output
    summary = db.session.scalars(select(Summary)).one()
    assert summary.status == "draft" and summary.created_by_id == admin.id and summary.position_id == position.id
    assert [entry.target_id for entry in audit_entries("aspiration.summarize")] == [summary.id]

    every = runner.invoke(args=["aspirations", "summarize", "--lang", "en"])  # none named: every subject with input
    assert every.exit_code == 0, every.output
    db.session.expire_all()
    made = db.session.scalars(select(Summary).order_by(Summary.id)).all()
    assert {(s.position_id, s.policy_id) for s in made[1:]} >= {(position.id, None), (None, policy.id)}

    unknown = runner.invoke(args=["aspirations", "summarize", "--position", "999999", "--policy", str(policy.id),
                                  "--lang", "en"])
    assert unknown.exit_code != 0 and "There is no position number 999999." in unknown.output
    assert len(db.session.scalars(select(Summary)).all()) == len(made)  # nothing computed


def test_unknown_or_finished_jobs_answer_clearly(queued_app, browser, work, moderator, position_with_input):
    position, _ = position_with_input
    client = browser(moderator)
    for path in ("/aspirations/summaries/jobs/999999", "/aspirations/export/jobs/999999",
                 "/aspirations/export/jobs/999999/file", "/aspirations/summaries/jobs/abc"):
        assert client.get(path).status_code == 404, path
    location = client.post(f"/aspirations/positions/{position.id}", data={"themes": "2"}).headers["Location"]
    job = _job()
    # A summary job is not an export job, and the other way round.
    assert client.get(f"/aspirations/export/jobs/{job.id}").status_code == 404
    work()
    response = client.post(f"/aspirations/summaries/jobs/{job.id}/retry", follow_redirects=True)
    assert "Only a failed job can be started again." in text_of(response)
    assert client.post(f"/aspirations/summaries/jobs/{job.id}/retry", csrf=False).status_code == 400
    assert _job().status == "done" and client.get(location).status_code == 302
