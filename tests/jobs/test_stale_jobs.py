"""Jobs a stopped worker left running: a real `flask jobs worker` subprocess (on the test database and
Redis, its own queue) is killed with SIGKILL mid-job, then the job's page says it failed and "Try
again" runs it to the end; the sweep of `flask jobs clean` and of the worker's start; the inline path."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.aspirations.summaries.models import Summary
from portal.extensions import db, utcnow
from portal.jobs.models import Job
from tests.conftest import text_of
from tests.jobs.conftest import REDIS_URL
from tests.jobs.test_jobs import position_with_input  # noqa: F401 - a fixture

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


def _job() -> Job:
    db.session.expire_all()
    return db.session.scalars(select(Job).order_by(Job.id.desc())).first()


def _until(check, what: str, seconds: float = 90):
    """Wait for `check()` to give something true (the worker is another process); its value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"still not {what} after {seconds} s")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


@pytest.fixture
def worker_process(queued_app, _schema, tmp_path):
    """worker_process() -> a started `flask jobs worker` on the queued app's queue (killed at the end)."""
    started: list[subprocess.Popen] = []
    logs = []

    def start() -> subprocess.Popen:
        env = {**os.environ, "STALE_TEST_DATABASE_URL": _schema, "STALE_TEST_INSTANCE": str(tmp_path / "worker"),
               "STALE_TEST_REDIS_URL": REDIS_URL, "STALE_TEST_QUEUE": queued_app.config["JOBS_QUEUE"]}
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        logs.append(log)
        process = subprocess.Popen(  # nosec B603 - our own command
            [str(FLASK), "--app", "tests.jobs.slow_worker_app:create", "jobs", "worker"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        started.append(process)
        return process

    yield start
    for process in started:  # the worker's process group: itself and its scheduler (each horse has its own)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)
    for log in logs:
        log.close()


def _start_summary(client, position) -> str:
    response = client.post(f"/aspirations/positions/{position.id}", data={"themes": "2"})
    assert response.status_code == 302 and "/aspirations/summaries/jobs/" in response.headers["Location"]
    return response.headers["Location"]


def _running_with_horse(process, instance: Path) -> int:
    """Wait until the worker runs the job in a forked work horse; the horse's pid."""
    _until(lambda: _job().status == "running" and _job().progress == 3, "running")
    horse = int((instance / "horse.pid").read_text())
    assert horse in _children(process.pid)  # a forked child of the worker, not the worker itself
    return horse


def _try_again_finishes(client, location) -> None:
    """The official's "Try again": a worker runs it to the end and the page leads to the draft."""
    job = _job()
    assert client.post(f"/aspirations/summaries/jobs/{job.id}/retry").status_code == 302
    assert _job().status in ("queued", "running", "done")
    _until(lambda: _job().status == "done", "done")
    assert _job().attempts == 2
    done = client.get(location)
    summary = db.session.scalars(select(Summary)).one()
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/aspirations/summaries/{summary.id}")


def test_a_job_whose_worker_was_killed_is_shown_failed_and_runs_again(
        queued_app, browser, worker_process, moderator, position_with_input, tmp_path):  # noqa: F811
    queued_app.config["JOBS_STALE_SECONDS"] = 3
    position, _ = position_with_input
    client = browser(moderator)
    location = _start_summary(client, position)
    process = worker_process()
    horse = _running_with_horse(process, tmp_path / "worker")
    beat = _job().heartbeat_at
    _until(lambda: _job().heartbeat_at > beat, "beating")  # the horse's heartbeat thread writes the row
    assert "Computing… 3%" in text_of(client.get(location))  # alive: the page leaves it running

    os.kill(process.pid, signal.SIGKILL)  # the worker and its work horse, as the OOM killer or a lost machine
    os.kill(horse, signal.SIGKILL)
    process.wait(timeout=30)
    page = _until(lambda: (lambda p: p if "failed" in text_of(p) else None)(client.get(location)), "shown failed")
    assert page.status_code == 200 and 'http-equiv="refresh"' not in page.get_data(as_text=True)
    assert "The job failed after 1 attempt(s)." in text_of(page)
    assert ("The job stopped giving signs of life (no heartbeat for JOBS_STALE_SECONDS): the worker running it "
            "has stopped." in text_of(page))
    assert "Try again" in text_of(page)
    assert _job().status == "failed" and _job().finished_at is not None
    worker_process()  # the worker restarted (by systemd)
    _try_again_finishes(client, location)


def test_a_job_whose_work_horse_was_killed_fails_at_once_and_runs_again(
        queued_app, browser, worker_process, moderator, position_with_input, tmp_path):  # noqa: F811
    queued_app.config["JOBS_RETRIES"] = 0  # RQ does not retry it: the row must say failed
    position, _ = position_with_input
    client = browser(moderator)
    location = _start_summary(client, position)
    process = worker_process()
    horse = _running_with_horse(process, tmp_path / "worker")
    os.kill(horse, signal.SIGKILL)  # the worker lives on and sees its horse die
    _until(lambda: _job().status == "failed", "marked failed by the worker")
    page = client.get(location)
    assert ("The worker running this job stopped before it finished (it was stopped, killed or ran out of memory)."
            in text_of(page))
    assert "Try again" in text_of(page)
    assert process.poll() is None  # the worker lives on, and runs the next attempt
    _try_again_finishes(client, location)


def test_the_sweep_of_clean_and_of_the_worker_start_and_a_job_lost_from_redis(
        queued_app, browser, moderator, position_with_input, sign_in):  # noqa: F811
    position, _ = position_with_input
    client = browser(moderator)
    location = _start_summary(client, position)
    job = _job()
    # A job some worker started (RQ still says "started" would need one): its heartbeat stopped long ago.
    job.status, job.attempts, job.started_at = "running", 1, utcnow() - timedelta(hours=1)
    job.heartbeat_at, job.rq_id = job.started_at, None
    db.session.commit()
    runner = queued_app.test_cli_runner()
    result = runner.invoke(args=["jobs", "clean"])
    assert result.exit_code == 0 and "1 job(s) left running by a stopped worker marked failed." in result.output
    assert _job().status == "failed"
    assert "0 job(s) left running" in runner.invoke(args=["jobs", "clean"]).output  # once only

    # Its RQ job vanished (Redis emptied) while it ran: the page itself settles it, in Indonesian too.
    job = _job()
    job.status, job.error, job.finished_at, job.heartbeat_at = "running", None, None, utcnow()
    job.rq_id = "portal-job-lost"
    db.session.commit()
    indonesian = queued_app.test_client()
    sign_in(moderator, indonesian)
    page = indonesian.get(location)
    assert _job().status == "failed" and "Coba lagi" in text_of(page)
    assert _job().error == "The job queue no longer has this job (Redis was emptied or restarted) and it did not finish."
    assert "Antrean pekerjaan tidak lagi memiliki pekerjaan ini" in text_of(page)  # shown in the reader's language

    # A running job with a fresh heartbeat and an RQ job in progress is left alone by the worker's start.
    job = _job()
    job.status, job.error, job.finished_at, job.heartbeat_at = "running", None, None, utcnow() - timedelta(hours=1)
    db.session.commit()
    started = runner.invoke(args=["jobs", "worker", "--burst"])
    assert started.exit_code == 0, started.output
    assert "1 job(s) left running by a stopped worker marked failed." in started.output
    assert "Warmed aspiration stems:" in started.output
    assert _job().status == "failed"


def test_without_redis_a_started_job_is_never_left_running(app, moderator, position_with_input):  # noqa: F811
    from portal.aspirations.summaries import jobs as summary_jobs

    position, _ = position_with_input
    job = summary_jobs.start(moderator, position=position, themes=2)
    assert job.status == "failed" and job.finished_at is not None and "REDIS_URL" in job.error
