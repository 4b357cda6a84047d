"""What the worker runs: `run(job_id)` for a job row, `call(name)` for a registered function.

Both run in the app context of `flask jobs worker` (inherited by each forked work horse); a bare
`rq worker` has no app and is refused.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable

from flask import current_app, has_app_context

from portal.extensions import db, utcnow
from portal.jobs import services
from portal.jobs.models import Job

FUNCTIONS: dict[str, Callable[[], object]] = {}
# Runs when a kept result expires (`flask jobs clean`): kind -> cleaner(job), e.g. delete the file.
CLEANERS: dict[str, Callable[[Job], None]] = {}


def register_function(name: str, function: Callable[[], object]) -> None:
    """Let the worker run `function` by `name` (for work that keeps no row, such as the search drain)."""
    FUNCTIONS[name] = function


@contextmanager
def _context():
    if not has_app_context():
        raise RuntimeError("portal jobs need the app: run the worker with `flask jobs worker`")
    yield current_app._get_current_object()


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def run(job_id: int) -> str:
    """Run the job's task; keep its progress, its result or (after the last retry) its failure."""
    from rq import get_current_job

    with _context():
        job = db.session.get(Job, job_id)
        if job is None or job.status == "done":  # gone, or done by an earlier run: nothing to do again
            return "skipped"
        task = services.TASKS[job.kind]
        job.status, job.started_at, job.error = "running", utcnow(), None
        job.attempts += 1
        db.session.commit()
        try:
            result = task(job, lambda percent: services.report(job, percent))
        except Exception as error:
            db.session.rollback()
            queued = get_current_job()
            again = queued is not None and bool(queued.retries_left)
            job = db.session.get(Job, job_id)
            job.status = "queued" if again else "failed"
            job.error = _describe(error)
            job.finished_at = None if again else utcnow()
            db.session.commit()
            current_app.logger.warning("jobs: job %s (%s) failed%s: %s", job_id, job.kind,
                                       ", retrying" if again else "", job.error)
            raise
        job.status, job.progress, job.result, job.finished_at = "done", 100, result or {}, utcnow()
        if (result or {}).get("file"):
            job.expires_at = services.keep_until()
        db.session.commit()
        return "done"


def call(name: str) -> object:
    """Run the registered function `name` in an app context."""
    with _context():
        services.picked_up(name)
        return FUNCTIONS[name]()


def clean(now=None) -> int:
    """Expire the kept results whose time is up (their files deleted); how many."""
    from sqlalchemy import select

    now = now or utcnow()
    expired = list(db.session.scalars(select(Job).where(Job.expires_at.is_not(None), Job.expires_at <= now)))
    for job in expired:
        cleaner = CLEANERS.get(job.kind)
        if cleaner is not None:
            cleaner(job)
        job.result = {**(job.result or {}), "expired": True}
        job.expires_at = None
    db.session.commit()
    return len(expired)
