"""The portal as a real `flask --app tests.jobs.slow_worker_app:create jobs worker` subprocess sees it
in the stale-job tests: its settings from the environment the test passes (database, Redis, queue, a
fast heartbeat), and summary jobs whose first attempt waits, so that the test can kill the worker
mid-job; a later attempt (the official's "Try again") does the portal's real work at once."""

from __future__ import annotations

import os
import time
from pathlib import Path

from portal import create_app
from portal.aspirations.summaries import jobs as summary_jobs
from portal.jobs import services

SLOW_SECONDS = 120


def create():
    """The app of the worker under test (`flask --app` calls this)."""
    environ = os.environ
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": environ["STALE_TEST_DATABASE_URL"], "INSTANCE_PATH": environ["STALE_TEST_INSTANCE"],
         "REDIS_URL": environ["STALE_TEST_REDIS_URL"], "JOBS_QUEUE": environ["STALE_TEST_QUEUE"],
         "SESSION_REDIS_PREFIX": environ["STALE_TEST_QUEUE"] + ":session:",
         "JOBS_HEARTBEAT_SECONDS": float(environ.get("STALE_TEST_HEARTBEAT", "0.5"))},
        env="testing",
    )
    real = services.TASKS[summary_jobs.KIND]

    def slow(job, report):
        if job.attempts > 1:
            return real(job, report)
        # the test kills this process (the work horse) by its pid
        (Path(app.instance_path) / "horse.pid").write_text(str(os.getpid()))
        report(3)  # the page shows it started
        deadline = time.monotonic() + SLOW_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.1)
        raise TimeoutError("the test did not kill the worker")

    services.register(summary_jobs.KIND, slow)
    return app
